import { type Nanos, type Rng, checkNanos } from "../sim/index"

/**
 * How long a server takes to produce one answer, drawn per request from a named random stream:
 * - `constant`: always `value`;
 * - `exponential`: mean `mean` (memoryless: an M/M/c-style server);
 * - `lognormal`: median `median` and shape `sigma` (the heavy right tail real request latencies show).
 * Draws are rounded to whole nanoseconds.
 */
export type ServiceTime =
  | { readonly kind: "constant"; readonly value: Nanos }
  | { readonly kind: "exponential"; readonly mean: Nanos }
  | { readonly kind: "lognormal"; readonly median: Nanos; readonly sigma: number }

/** A service-time description that cannot be used; the message names the field and what was expected. */
export class ServiceTimeError extends Error {
  override readonly name = "ServiceTimeError"
}

const wholeNanos = (v: unknown, what: string): Nanos => {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new ServiceTimeError(`${what}: expected a whole number of nanoseconds ≥ 0, got ${JSON.stringify(v)}`)
  }
  return v
}

/** Checks a ServiceTime (e.g. decoded from a scenario) and returns it; throws ServiceTimeError naming `where`. */
export const checkServiceTime = (s: ServiceTime, where = "serviceTime"): ServiceTime => {
  switch (s?.kind) {
    case "constant":
      wholeNanos(s.value, `${where}.value`)
      return s
    case "exponential":
      if (wholeNanos(s.mean, `${where}.mean`) === 0) throw new ServiceTimeError(`${where}.mean: an exponential needs a mean > 0`)
      return s
    case "lognormal":
      if (wholeNanos(s.median, `${where}.median`) === 0) throw new ServiceTimeError(`${where}.median: a lognormal needs a median > 0`)
      if (typeof s.sigma !== "number" || !(s.sigma >= 0) || !Number.isFinite(s.sigma)) {
        throw new ServiceTimeError(`${where}.sigma: expected a finite number ≥ 0, got ${JSON.stringify(s.sigma)}`)
      }
      return s
    default:
      throw new ServiceTimeError(`${where}.kind: expected "constant", "exponential" or "lognormal", got ${JSON.stringify((s as { kind?: unknown } | undefined)?.kind)}`)
  }
}

/** One draw, in whole nanoseconds (never beyond the simulation horizon). */
export const drawServiceTime = (s: ServiceTime, rng: Rng): Nanos => {
  switch (s.kind) {
    case "constant":
      return s.value
    case "exponential":
      return checkNanos(Math.round(rng.exponential(1 / s.mean)), "service time")
    case "lognormal":
      // median of exp(N(mu, sigma)) is exp(mu).
      return checkNanos(Math.round(rng.lognormal(Math.log(s.median), s.sigma)), "service time")
  }
}

export const constantTime = (value: Nanos): ServiceTime => ({ kind: "constant", value })
