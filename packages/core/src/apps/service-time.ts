import { type Nanos, type Rng, checkNanos, parseDuration } from "../sim/index"

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

/**
 * Parses the text form a user writes (the pod annotation `kubesim.dev/service-time`):
 * `constant(100us)` (or just `100us`), `exponential(mean=2ms)`, `lognormal(median=2ms, sigma=0.5)` or
 * `lognormal(mu=-6.2, sigma=0.5)` (mu: the mean of ln(service time in seconds), so median = e^mu s).
 * Durations are Go-style (`parseDuration`). Throws ServiceTimeError saying what was expected.
 */
export const parseServiceTime = (text: string, where = "service time"): ServiceTime => {
  const expected = 'expected constant(<duration>), exponential(mean=<duration>), lognormal(median=<duration>, sigma=<number>) or lognormal(mu=<number>, sigma=<number>)'
  const fail = (why: string): never => {
    throw new ServiceTimeError(`${where}: ${why} in ${JSON.stringify(text)}; ${expected}`)
  }
  const duration = (s: string | undefined, name: string): Nanos => {
    if (s === undefined) return fail(`missing ${name}`)
    try {
      return parseDuration(s)
    } catch (e) {
      return fail(`${name} ${JSON.stringify(s)} is not a duration (${e instanceof Error ? e.message : String(e)})`)
    }
  }
  const number = (s: string | undefined, name: string): number => {
    const n = s === undefined || s === "" ? NaN : Number(s)
    if (!Number.isFinite(n)) return fail(s === undefined ? `missing ${name}` : `${name} ${JSON.stringify(s)} is not a number`)
    return n
  }
  const m = /^\s*([a-z]+)\s*\((.*)\)\s*$/.exec(text)
  if (m === null && /[()]/.test(text)) return fail("unbalanced parentheses")
  if (m === null) return checkServiceTime({ kind: "constant", value: duration(text.trim(), "duration") }, where)
  const kind = m[1] as string
  const args = new Map<string, string>()
  const positional: string[] = []
  for (const part of (m[2] as string).split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = part.indexOf("=")
    if (eq < 0) positional.push(part)
    else args.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const allow = (names: ReadonlyArray<string>, positionals: number): void => {
    for (const k of args.keys()) if (!names.includes(k)) fail(`unknown parameter "${k}" for ${kind}`)
    if (positional.length > positionals) fail(`unnamed parameter "${positional[positionals]}" for ${kind}`)
  }
  const checkOf = (s: ServiceTime): ServiceTime => {
    try {
      return checkServiceTime(s, where)
    } catch (e) {
      return fail(e instanceof Error ? e.message.replace(`${where}.`, "") : String(e))
    }
  }
  switch (kind) {
    case "constant":
      allow(["value"], 1)
      return checkOf({ kind: "constant", value: duration(args.get("value") ?? positional[0], "value") })
    case "exponential":
      allow(["mean"], 1)
      return checkOf({ kind: "exponential", mean: duration(args.get("mean") ?? positional[0], "mean") })
    case "lognormal": {
      allow(["median", "mu", "sigma"], 0)
      if (args.has("median") === args.has("mu")) fail("give exactly one of median, mu")
      const sigma = number(args.get("sigma"), "sigma")
      const median = args.has("median") ? duration(args.get("median"), "median") : Math.round(Math.exp(number(args.get("mu"), "mu")) * 1e9)
      return checkOf({ kind: "lognormal", median, sigma })
    }
    default:
      return fail(`unknown distribution "${kind}"`)
  }
}

/** The distribution's mean in nanoseconds (lognormal: median · e^(σ²/2)). */
export const serviceTimeMean = (s: ServiceTime): number =>
  s.kind === "constant" ? s.value : s.kind === "exponential" ? s.mean : s.median * Math.exp((s.sigma * s.sigma) / 2)
