/**
 * Seeds on the command line: `--seed 7` (one) or `--seeds 1..20` (an inclusive range), `--seeds 1,5,9` (a list),
 * or both combined (`1..3,10`). Seeds are integers ≥ 0 (the scenario format's rule). Duplicates are removed and
 * the order kept, so the jobs list never depends on how the user wrote it twice.
 */
export class SeedsSyntaxError extends Error {
  override readonly name = "SeedsSyntaxError"
}

const MAX_SEEDS = 100_000

const parseOne = (token: string, whole: string): number => {
  if (!/^\d+$/.test(token)) throw new SeedsSyntaxError(`--seeds ${JSON.stringify(whole)}: ${JSON.stringify(token)} is not a seed (an integer ≥ 0); expected e.g. 7, 1..20 or 1,5,9`)
  const n = Number(token)
  if (!Number.isSafeInteger(n)) throw new SeedsSyntaxError(`--seeds ${JSON.stringify(whole)}: ${token} is too large`)
  return n
}

/** Parses `7`, `1..20`, `1,5,9`, `1..3,10` into a list of seeds in the order written, duplicates dropped. */
export const parseSeeds = (text: string): number[] => {
  const out: number[] = []
  const seen = new Set<number>()
  const push = (n: number) => {
    if (seen.has(n)) return
    seen.add(n)
    out.push(n)
    if (out.length > MAX_SEEDS) throw new SeedsSyntaxError(`--seeds ${JSON.stringify(text)}: more than ${MAX_SEEDS} seeds`)
  }
  const trimmed = text.trim()
  if (trimmed === "") throw new SeedsSyntaxError(`--seeds: empty; expected e.g. 7, 1..20 or 1,5,9`)
  for (const part of trimmed.split(",")) {
    const p = part.trim()
    const range = /^(.*)\.\.(.*)$/.exec(p)
    if (range === null) {
      push(parseOne(p, text))
      continue
    }
    const lo = parseOne((range[1] ?? "").trim(), text)
    const hi = parseOne((range[2] ?? "").trim(), text)
    if (hi < lo) throw new SeedsSyntaxError(`--seeds ${JSON.stringify(text)}: range ${p} is empty (the end is before the start)`)
    if (hi - lo >= MAX_SEEDS) throw new SeedsSyntaxError(`--seeds ${JSON.stringify(text)}: more than ${MAX_SEEDS} seeds`)
    for (let s = lo; s <= hi; s++) push(s)
  }
  return out
}
