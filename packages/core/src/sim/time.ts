/**
 * Simulated time: an integer number of nanoseconds held in a JS number.
 *
 * Integers are exact up to 2^53, so the horizon is 2^53 − 1 ns ≈ 104 days; every arithmetic that can
 * leave it goes through `checkNanos`. Durations in files are Go-style strings (`250ms`, `1.5m`, `2h45m`),
 * the format Kubernetes components use for their flags (Go's `time.ParseDuration`).
 */
export type Nanos = number

export const NANOS_PER_MICRO = 1_000
export const NANOS_PER_MILLI = 1_000_000
export const NANOS_PER_SECOND = 1_000_000_000
export const NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND
export const NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE

/** The last representable instant: 2^53 − 1 ns. */
export const HORIZON: Nanos = Number.MAX_SAFE_INTEGER

/** A time or duration that is not a whole number of nanoseconds inside [0, HORIZON]. */
export class TimeRangeError extends Error {
  override readonly name = "TimeRangeError"
}

/** Returns `t` if it is a whole, non-negative number of nanoseconds within the horizon; throws otherwise. */
export const checkNanos = (t: number, what = "time"): Nanos => {
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new TimeRangeError(
      `${what} ${t} ns is outside the simulation horizon: expected a whole number of nanoseconds in [0, 2^53-1]`,
    )
  }
  return t
}

export const nanos = (n: number): Nanos => checkNanos(Math.round(n))
export const micros = (n: number): Nanos => checkNanos(Math.round(n * NANOS_PER_MICRO))
export const millis = (n: number): Nanos => checkNanos(Math.round(n * NANOS_PER_MILLI))
export const seconds = (n: number): Nanos => checkNanos(Math.round(n * NANOS_PER_SECOND))
export const minutes = (n: number): Nanos => checkNanos(Math.round(n * NANOS_PER_MINUTE))
export const hours = (n: number): Nanos => checkNanos(Math.round(n * NANOS_PER_HOUR))

/** Nanoseconds as fractional seconds, for reports and rates. */
export const toSeconds = (t: Nanos): number => t / NANOS_PER_SECOND
