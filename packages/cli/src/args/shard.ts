/**
 * `--shard i/N`: this process runs the jobs whose index (in the sweep's fixed job order) is ≡ i (mod N).
 * `i` is 0-based, as a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` is (0 … completions−1), so
 * `--shard $JOB_COMPLETION_INDEX/$COMPLETIONS` works as is.
 */
export interface Shard {
  readonly index: number
  readonly count: number
}

export class ShardSyntaxError extends Error {
  override readonly name = "ShardSyntaxError"
}

export const parseShard = (text: string): Shard => {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  if (m === null) throw new ShardSyntaxError(`--shard ${JSON.stringify(text)}: expected i/N with 0 ≤ i < N, e.g. 0/4`)
  const index = Number(m[1])
  const count = Number(m[2])
  if (count < 1) throw new ShardSyntaxError(`--shard ${JSON.stringify(text)}: N must be at least 1`)
  if (index >= count) throw new ShardSyntaxError(`--shard ${JSON.stringify(text)}: i must be below N (shards are numbered from 0)`)
  return { index, count }
}

/** The jobs of one shard: every job whose index % count == index. */
export const inShard = (jobIndex: number, shard: Shard): boolean => jobIndex % shard.count === shard.index
