/**
 * proxier.go computeProbability: `fmt.Sprintf("%0.10f", 1.0/float64(n))`.
 *
 * Go formats the exact binary value of the double and rounds half to even; JavaScript's toFixed rounds exact
 * ties up. They differ when 1/n has exactly 11 decimals ending in 5 (n = 2048·5^k: Go prints 1/2048 as
 * 0.0004882812, toFixed as 0.0004882813), so the digits are computed here exactly with BigInt.
 */
export const computeProbability = (n: number): string => formatFixed10(1 / n)

const SCALE = 10n ** 10n
const view = new DataView(new ArrayBuffer(8))

/** `%0.10f` of a finite non-negative double, Go-exact (round half to even on the exact binary value). */
export const formatFixed10 = (x: number): string => {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`formatFixed10: expected a finite non-negative number, got ${x}`)
  view.setFloat64(0, x)
  const hi = view.getUint32(0)
  const lo = view.getUint32(4)
  const biased = (hi >>> 20) & 0x7ff
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let exp: number
  if (biased === 0) exp = -1074
  else {
    mantissa |= 1n << 52n
    exp = biased - 1075
  }
  // x = mantissa · 2^exp; scaled = x · 10^10, rounded half to even.
  let q: bigint
  if (exp >= 0) q = (mantissa << BigInt(exp)) * SCALE
  else {
    const den = 1n << BigInt(-exp)
    const num = mantissa * SCALE
    q = num / den
    const twiceRem = (num - q * den) * 2n
    if (twiceRem > den || (twiceRem === den && (q & 1n) === 1n)) q += 1n
  }
  const intPart = q / SCALE
  const frac = (q % SCALE).toString().padStart(10, "0")
  return `${intPart}.${frac}`
}

/** Cache of 1/n strings, as upstream's precomputedProbabilities. */
export class ProbabilityCache {
  private readonly values: string[] = ["<bad value>"]
  get(n: number): string {
    for (let i = this.values.length; i <= n; i++) this.values.push(computeProbability(i))
    return this.values[n] as string
  }
}
