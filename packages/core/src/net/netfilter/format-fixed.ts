/**
 * `%.<digits>f` of a finite non-negative double, exactly as glibc's printf and Go's fmt print it: the exact
 * binary value of the double, rounded half to even (Go: strconv/decimal.go shouldRoundUp; glibc: the default
 * rounding mode). Number.prototype.toFixed differs on exact ties (it rounds them up: 1/2048 to 10 digits is
 * 0.0004882812 here, 0.0004882813 with toFixed), so the digits are computed with BigInt.
 */
const view = new DataView(new ArrayBuffer(8))

export const formatFixed = (x: number, digits: number): string => {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`formatFixed: expected a finite non-negative number, got ${x}`)
  if (!Number.isInteger(digits) || digits < 1 || digits > 20) throw new RangeError(`formatFixed: digits must be an integer in [1, 20], got ${digits}`)
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
  // x = mantissa · 2^exp; q = x · 10^digits rounded half to even.
  const scale = 10n ** BigInt(digits)
  let q: bigint
  if (exp >= 0) q = (mantissa << BigInt(exp)) * scale
  else {
    const den = 1n << BigInt(-exp)
    const num = mantissa * scale
    q = num / den
    const twiceRem = (num - q * den) * 2n
    if (twiceRem > den || (twiceRem === den && (q & 1n) === 1n)) q += 1n
  }
  return `${q / scale}.${(q % scale).toString().padStart(digits, "0")}`
}
