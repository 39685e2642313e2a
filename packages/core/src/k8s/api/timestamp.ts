import { NANOS_PER_SECOND, type Nanos } from "../../sim/index"

/**
 * Simulated time as Kubernetes timestamps. Simulated time 0 is KUBESIM_EPOCH (2024-01-01T00:00:00Z), so an
 * object created 5 s into a run has `creationTimestamp: "2024-01-01T00:00:05Z"`. Like `metav1.Time`, the text
 * has whole seconds (RFC 3339, UTC); the fraction is truncated.
 */
export const KUBESIM_EPOCH = "2024-01-01T00:00:00Z"

/** Days from 1970-01-01 to the epoch. */
const EPOCH_DAYS = 19723

const pad = (n: number, w: number) => String(n).padStart(w, "0")

/** Civil date from days since 1970-01-01 (H. Hinnant's `civil_from_days`). */
const civilFromDays = (z0: number): [number, number, number] => {
  const z = z0 + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}

/** Days since 1970-01-01 of a civil date (`days_from_civil`). */
const daysFromCivil = (y0: number, m: number, d: number): number => {
  const y = m <= 2 ? y0 - 1 : y0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/**
 * The last second formatted and its text. Simulated time only moves forward, so consecutive calls mostly ask for
 * the same second; they then share one string, where each would otherwise keep its own (a concatenation tree of
 * ~300 bytes in V8: a Pod holds eight timestamps).
 */
let lastSecond = Number.NaN
let lastText = ""

/** The RFC 3339 timestamp (whole seconds, UTC) of simulated time `t`. */
export const timestampAt = (t: Nanos): string => {
  const secs = Math.floor(t / NANOS_PER_SECOND)
  if (secs === lastSecond) return lastText
  const days = EPOCH_DAYS + Math.floor(secs / 86400)
  // Seconds into the day, also before the epoch (where `%` would be negative).
  const rem = secs - Math.floor(secs / 86400) * 86400
  const [y, mo, d] = civilFromDays(days)
  // join builds a flat string (a template literal would keep the concatenation tree).
  lastText = [pad(y, 4), "-", pad(mo, 2), "-", pad(d, 2), "T", pad(Math.floor(rem / 3600), 2), ":", pad(Math.floor(rem / 60) % 60, 2), ":", pad(rem % 60, 2), "Z"].join("")
  lastSecond = secs
  return lastText
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/

/** Simulated time of a UTC RFC 3339 timestamp (seconds precision; may be negative before the epoch); undefined if malformed. */
export const nanosOfTimestamp = (ts: string): number | undefined => {
  const m = rfc3339.exec(ts)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const days = daysFromCivil(y, mo, d) - EPOCH_DAYS
  return ((days * 86400 + h * 3600 + mi * 60 + s) * NANOS_PER_SECOND)
}
