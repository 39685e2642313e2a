import { HORIZON, type Nanos } from "./time"

/**
 * Go duration strings (`250ms`, `1.5m`, `2h45m`, `1h2m3.5s`), the format Kubernetes components use for
 * their flags and config fields (`minSyncPeriod: 1s`), to and from Nanos.
 *
 * Differences from Go, both deliberate: a sign is not accepted (a simulated duration is never negative),
 * and the limit is the simulation horizon (2^53 − 1 ns ≈ 104 days), not int64.
 */

/** A string that is not a valid duration; the message quotes it and says what was expected. */
export class DurationParseError extends Error {
  override readonly name = "DurationParseError"
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid duration ${JSON.stringify(input)}: ${reason}`)
  }
}

const EXPECTED = "expected a sequence of decimal numbers each with a unit (ns, us, µs, ms, s, m, h), e.g. \"1.5s\" or \"2h45m\""

// Nanoseconds per unit, as Go's unitMap (src/time/format.go). "µs" is U+00B5 MICRO SIGN, "μs" U+03BC GREEK MU.
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["µs", 1_000n],
  ["μs", 1_000n],
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
])

const LIMIT = BigInt(HORIZON)
// Go's leadingInt/leadingFraction work in uint64 and stop at 1<<63.
const INT64_OVERFLOW = 1n << 63n

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * Parses a Go duration string to Nanos, following Go's `time.ParseDuration` (src/time/format.go): each
 * component is `digits[.digits]unit` (".5s" and "5.s" are valid), "0" alone needs no unit, a fractional part
 * is truncated to whole nanoseconds the way Go does it (`float64(f) * (float64(unit) / scale)`).
 * Throws DurationParseError for empty, signed, unit-less, unknown-unit, malformed or out-of-horizon input.
 */
export const parseDuration = (input: string): Nanos => {
  if (typeof input !== "string") throw new DurationParseError(String(input), `not a string; ${EXPECTED}`)
  if (input === "") throw new DurationParseError(input, `empty string; ${EXPECTED}`)
  if (input[0] === "-") throw new DurationParseError(input, "negative durations are not allowed")
  let s = input
  if (s[0] === "+") s = s.slice(1)
  if (s === "0") return 0
  if (s === "") throw new DurationParseError(input, `nothing after the sign; ${EXPECTED}`)
  let total = 0n
  let i = 0
  while (i < s.length) {
    const start = i
    // Integer part: Go's leadingInt.
    let whole = 0n
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48)
      if (whole >= INT64_OVERFLOW) throw new DurationParseError(input, "number too large (beyond the 2^53 ns simulation horizon)")
      i++
    }
    const hadWhole = i > start
    // Fractional part: Go's leadingFraction keeps digits while they fit in int64 and ignores the rest.
    let frac = 0n
    let scale = 1
    let hadFrac = false
    if (i < s.length && s[i] === ".") {
      i++
      const fracStart = i
      let overflow = false
      while (i < s.length && isDigit(s.charCodeAt(i))) {
        if (!overflow) {
          const next = frac * 10n + BigInt(s.charCodeAt(i) - 48)
          if (next > INT64_OVERFLOW) overflow = true
          else {
            frac = next
            scale *= 10
          }
        }
        i++
      }
      hadFrac = i > fracStart
    }
    if (!hadWhole && !hadFrac) {
      throw new DurationParseError(input, `expected a number at offset ${start}, found ${describe(s, start)}; ${EXPECTED}`)
    }
    const unitStart = i
    while (i < s.length && s[i] !== "." && !isDigit(s.charCodeAt(i))) i++
    if (i === unitStart) {
      throw new DurationParseError(input, `missing unit after "${s.slice(start, i)}"; ${EXPECTED}`)
    }
    const unitName = s.slice(unitStart, i)
    const unit = UNITS.get(unitName)
    if (unit === undefined) {
      throw new DurationParseError(input, `unknown unit "${unitName}" (expected one of ns, us, µs, ms, s, m, h)`)
    }
    let v = whole * unit
    if (frac > 0n) v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)))
    total += v
    if (total > LIMIT) throw new DurationParseError(input, "beyond the simulation horizon of 2^53-1 ns (about 104 days)")
  }
  return Number(total)
}

const describe = (s: string, at: number): string => (at < s.length ? `"${s[at]}"` : "the end")

/**
 * Formats Nanos as Go's `Duration.String()` (src/time/time.go, `Duration.format`): `0s`, `999ns`,
 * `1.5µs`, `250ms`, `1.5s`, `2h45m0s`. Hours are not folded into days. parseDuration(formatDuration(d)) === d.
 */
export const formatDuration = (d: Nanos): string => {
  if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`formatDuration: ${d} is not a whole, non-negative number of nanoseconds`)
  if (d === 0) return "0s"
  if (d < 1_000_000_000) {
    if (d < 1_000) return `${d}ns`
    if (d < 1_000_000) return `${fmtFrac(d, 3)}µs`
    return `${fmtFrac(d, 6)}ms`
  }
  // Whole seconds and the fraction, then minutes and hours: exactly the fields Go prints.
  const secs = fmtFrac(d % 60_000_000_000, 9)
  const totalMinutes = Math.floor(d / 60_000_000_000)
  if (totalMinutes === 0) return `${secs}s`
  const hours = Math.floor(totalMinutes / 60)
  if (hours === 0) return `${totalMinutes}m${secs}s`
  return `${hours}h${totalMinutes % 60}m${secs}s`
}

/** `v / 10^prec` with trailing zeros of the fraction (and a bare dot) omitted: Go's fmtFrac + fmtInt. */
const fmtFrac = (v: number, prec: number): string => {
  const div = 10 ** prec
  const whole = Math.floor(v / div)
  let frac = v - whole * div
  if (frac === 0) return String(whole)
  let digits = prec
  while (frac % 10 === 0) {
    frac /= 10
    digits--
  }
  return `${whole}.${String(frac).padStart(digits, "0")}`
}
