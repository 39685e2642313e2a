import tQuantile from "@stdlib/stats-base-dists-t-quantile"

/** A mean with its two-sided confidence interval (null bounds when n < 2: no spread to estimate). */
export interface MeanInterval {
  readonly n: number
  readonly mean: number
  readonly low: number | null
  readonly high: number | null
}

/**
 * Student-t interval for the mean of independent samples: mean ± t_{(1+level)/2, n−1} · s/√n, with s the
 * sample standard deviation (n − 1 denominator). Applied to per-seed values, or to paired per-seed differences.
 */
export const meanInterval = (xs: ReadonlyArray<number>, level = 0.95): MeanInterval => {
  const n = xs.length
  if (n === 0) throw new Error("meanInterval: no samples")
  let sum = 0
  for (const x of xs) sum += x
  const mean = sum / n
  if (n < 2) return { n, mean, low: null, high: null }
  let ss = 0
  for (const x of xs) ss += (x - mean) * (x - mean)
  const half = tQuantile((1 + level) / 2, n - 1) * Math.sqrt(ss / (n - 1) / n)
  return { n, mean, low: mean - half, high: mean + half }
}
