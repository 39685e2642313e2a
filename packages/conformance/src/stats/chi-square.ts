import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf"

/** Pearson's goodness-of-fit test of observed counts against expected shares. */
export interface ChiSquareResult {
  readonly statistic: number
  readonly df: number
  /** P(χ²_df ≥ statistic); 1 when there is nothing to test (one cell). */
  readonly pValue: number
}

/**
 * Tests `observed` counts against `shares` (non-negative, summing to 1): expected_i = n·share_i. A count in a
 * cell whose share is 0 makes the fit impossible (p = 0). df = (cells with share > 0) − 1.
 */
export const chiSquareTest = (observed: ReadonlyArray<number>, shares: ReadonlyArray<number>): ChiSquareResult => {
  if (observed.length !== shares.length) {
    throw new Error(`chiSquareTest: ${observed.length} observed cells but ${shares.length} shares`)
  }
  const total = shares.reduce((a, b) => a + b, 0)
  if (shares.some((s) => !(s >= 0)) || Math.abs(total - 1) > 1e-9) {
    throw new Error(`chiSquareTest: shares must be non-negative and sum to 1, got [${shares.join(", ")}]`)
  }
  const n = observed.reduce((a, b) => a + b, 0)
  let statistic = 0
  let cells = 0
  for (let i = 0; i < observed.length; i++) {
    const share = shares[i]!
    const o = observed[i]!
    if (share === 0) {
      if (o > 0) return { statistic: Number.POSITIVE_INFINITY, df: Math.max(1, cells), pValue: 0 }
      continue
    }
    const e = n * share
    statistic += ((o - e) * (o - e)) / e
    cells++
  }
  const df = cells - 1
  if (df <= 0 || n === 0) return { statistic: 0, df: Math.max(0, df), pValue: 1 }
  // The upper tail from a maintained implementation (@stdlib), not a hand-written special function.
  return { statistic, df, pValue: Math.min(1, Math.max(0, 1 - chisquareCdf(statistic, df))) }
}
