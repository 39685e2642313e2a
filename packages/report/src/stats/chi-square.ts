import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf"

/** Pearson's chi-square goodness-of-fit test result. `pValue` is null when df is 0 (nothing to test). */
export interface ChiSquare {
  readonly statistic: number
  readonly df: number
  readonly pValue: number | null
}

/**
 * Pearson's goodness of fit of observed counts against expected counts (same length, Σ expected = Σ observed is
 * the caller's business): statistic Σ (O−E)²/E over cells with E > 0, df = cells − 1, p = 1 − F_χ²(statistic; df)
 * with F from @stdlib. Cells with E = 0 must be excluded by the caller (they are "unexpected" traffic).
 */
export const chiSquareTest = (observed: ReadonlyArray<number>, expected: ReadonlyArray<number>): ChiSquare => {
  if (observed.length !== expected.length) {
    throw new Error(`chiSquareTest: ${observed.length} observed cells but ${expected.length} expected`)
  }
  let statistic = 0
  let cells = 0
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i]!
    if (!(e > 0)) continue
    const d = observed[i]! - e
    statistic += (d * d) / e
    cells++
  }
  const df = Math.max(0, cells - 1)
  if (df === 0) return { statistic: 0, df: 0, pValue: null }
  return { statistic, df, pValue: Math.min(1, Math.max(0, 1 - chisquareCdf(statistic, df))) }
}
