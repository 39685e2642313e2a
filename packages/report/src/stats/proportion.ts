import tQuantile from "@stdlib/stats-base-dists-t-quantile"

/** A proportion with its two-sided confidence interval; both bounds lie in [0, 1]. */
export interface ProportionInterval {
  readonly events: number
  readonly trials: number
  readonly share: number
  readonly low: number
  readonly high: number
  readonly method: "wilson"
}

/**
 * The standard normal quantile: Student's t with df → ∞ is the normal distribution, and at df = 1e12 the two
 * agree to far below double rounding of the interval bounds (so no second distribution package is needed).
 */
export const normalQuantile = (p: number): number => tQuantile(p, 1e12)

/**
 * Wilson's score interval for a binomial proportion (Wilson 1927; Brown, Cai & DasGupta, Statistical Science
 * 16(2), 2001, recommend it over the Wald interval, which leaves [0, 1] and collapses at 0 and n):
 * (x + z²/2)/(n + z²) ± z·√(n·p̂(1−p̂) + z²/4)/(n + z²). It always lies in [0, 1] and is non-degenerate at x = 0
 * (a run with no failure still has an upper bound). null when there are no trials.
 */
export const wilsonInterval = (events: number, trials: number, level = 0.95): ProportionInterval | null => {
  if (!(trials > 0)) return null
  if (events < 0 || events > trials) throw new Error(`wilsonInterval: ${events} events in ${trials} trials`)
  const z = normalQuantile((1 + level) / 2)
  const z2 = z * z
  const share = events / trials
  const denominator = trials + z2
  const centre = (events + z2 / 2) / denominator
  const half = (z * Math.sqrt(trials * share * (1 - share) + z2 / 4)) / denominator
  // Exact at the edges (rounding would otherwise leave 1e-17 below 0 or above 1).
  const low = events === 0 ? 0 : Math.max(0, centre - half)
  const high = events === trials ? 1 : Math.min(1, centre + half)
  return { events, trials, share, low, high, method: "wilson" }
}
