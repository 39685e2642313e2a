import type { Nanos, Rng } from "@kubesim/core"

/**
 * Open-loop arrival processes as pure schedules: given a random stream and a window, the request times. The
 * executor turns each into timer events; tests check them alone (counts, gaps, rates).
 */

const NS = 1e9

/** Poisson arrivals at `rate` per second in [start, stop): exponential gaps (rounded to whole ns). */
export const poissonArrivals = (rng: Rng, rate: number, start: Nanos, stop: Nanos): Nanos[] => {
  const out: Nanos[] = []
  if (!(rate > 0)) return out
  let t = start
  for (;;) {
    t += Math.max(1, Math.round(rng.exponential(rate) * NS))
    if (t >= stop) return out
    out.push(t)
  }
}

/**
 * A non-homogeneous Poisson process whose rate goes linearly from `from` to `to` per second over `over`
 * nanoseconds after `start`, then stays at `to`; sampled by thinning (Lewis & Shedler): candidates at the peak
 * rate, each kept with probability rate(t) / peak.
 */
export const rampArrivals = (rng: Rng, from: number, to: number, over: Nanos, start: Nanos, stop: Nanos): Nanos[] => {
  const peak = Math.max(from, to)
  const out: Nanos[] = []
  if (!(peak > 0)) return out
  const rateAt = (t: Nanos): number => (over === 0 || t - start >= over ? to : from + ((to - from) * (t - start)) / over)
  let t = start
  for (;;) {
    t += Math.max(1, Math.round(rng.exponential(peak) * NS))
    if (t >= stop) return out
    if (rng.next() * peak < rateAt(t)) out.push(t)
  }
}

/**
 * Bursts: `size` requests at each multiple of `every` from `start` (the first burst at `start`), spread evenly over
 * `spread` (0: all at the same instant, issued in order).
 */
export const burstArrivals = (size: number, every: Nanos, spread: Nanos, start: Nanos, stop: Nanos): Nanos[] => {
  const out: Nanos[] = []
  if (every <= 0) throw new RangeError(`burst every must be > 0, got ${every} ns`)
  for (let b = start; b < stop; b += every) {
    for (let k = 0; k < size; k++) {
      const t = b + Math.floor((spread * k) / size)
      if (t < stop) out.push(t)
    }
  }
  return out
}

/** Merges sorted time lists into one sorted list (stable: equal times keep list order). */
export const mergeArrivals = (a: ReadonlyArray<Nanos>, b: ReadonlyArray<Nanos>): Nanos[] => {
  const out: Nanos[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number))) out.push(a[i++] as number)
    else out.push(b[j++] as number)
  }
  return out
}

/** A think time: constant, or exponential with that mean. */
export const thinkTime = (rng: Rng, mean: Nanos, distribution: "constant" | "exponential"): Nanos =>
  distribution === "constant" || mean === 0 ? mean : Math.max(0, Math.round(rng.exponential(NS / mean) * NS))
