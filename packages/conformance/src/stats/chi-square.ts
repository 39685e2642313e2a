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
  return { statistic, df, pValue: upperRegularizedGamma(df / 2, statistic / 2) }
}

// ln Γ(x), Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]
const logGamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0]!
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/** Q(a, x) = Γ(a, x)/Γ(a): the series below a + 1, Lentz's continued fraction above (Numerical Recipes §6.2). */
export const upperRegularizedGamma = (a: number, x: number): number => {
  if (x <= 0) return 1
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a))
  if (x < a + 1) {
    let term = 1 / a
    let sum = term
    for (let k = 1; k < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; k++) {
      term *= x / (a + k)
      sum += term
    }
    return Math.min(1, Math.max(0, 1 - front * sum))
  }
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.min(1, Math.max(0, front * h))
}
