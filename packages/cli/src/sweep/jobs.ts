import { inShard, type Shard } from "../args/shard"

/** One run of a sweep: a variant and a seed, with its index in the sweep's fixed order. */
export interface SweepJob {
  readonly index: number
  readonly variant: string
  readonly seed: number
}

/**
 * The sweep's jobs, variants × seeds, variant-major in the order given (the scenario's variant order, the seeds as
 * written). The index of a job depends only on these lists, so `--shard i/N` picks the same jobs in every process.
 */
export const sweepJobs = (variants: ReadonlyArray<string>, seeds: ReadonlyArray<number>): SweepJob[] => {
  const jobs: SweepJob[] = []
  for (const variant of variants) for (const seed of seeds) jobs.push({ index: jobs.length, variant, seed })
  return jobs
}

/** The jobs of one shard (all of them without `--shard`). */
export const shardOf = (jobs: ReadonlyArray<SweepJob>, shard: Shard | undefined): SweepJob[] =>
  shard === undefined ? [...jobs] : jobs.filter((j) => inShard(j.index, shard))

/** Orders results as sweep.json lists them: by variant name, then seed (code-unit order, then numeric). */
export const byVariantSeed = (a: { variant: string; seed: number }, b: { variant: string; seed: number }): number =>
  a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : a.seed - b.seed
