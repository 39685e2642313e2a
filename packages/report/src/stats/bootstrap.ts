/** A mean with a percentile-bootstrap interval (null bounds when n < 2: no spread to resample). */
export interface BootstrapInterval {
  readonly n: number
  readonly mean: number
  readonly low: number | null
  readonly high: number | null
}

/** Resamples per interval: enough that the 2.5 % / 97.5 % order statistics move by far less than a reported digit. */
export const bootstrapResamples = 4000

// FNV-1a of the key: the resampling stream is a function of what is being estimated, never of call order.
const hash = (key: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

// mulberry32: a small, well-mixed 32-bit generator; deterministic from its seed.
const generator = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Percentile bootstrap interval for the mean of independent samples (Efron & Tibshirani, An Introduction to the
 * Bootstrap, 1993, ch. 13): `bootstrapResamples` resamples of n with replacement, the interval the
 * (1−level)/2 and (1+level)/2 quantiles of their means. Every resampled mean is a mean of observed values, so the
 * interval lies within [min x, max x] and therefore within any bounds the quantity has (an index in [1/n, 1], a
 * non-negative latency). Seeded by `key`: equal inputs and key give equal bounds. With few samples (a handful of
 * seeds) it is narrower than nominal; the report says so.
 */
export const bootstrapInterval = (xs: ReadonlyArray<number>, key: string, level = 0.95): BootstrapInterval => {
  const n = xs.length
  if (n === 0) throw new Error("bootstrapInterval: no samples")
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (const x of xs) {
    sum += x
    if (x < min) min = x
    if (x > max) max = x
  }
  const mean = sum / n
  if (n < 2) return { n, mean, low: null, high: null }
  if (min === max) return { n, mean: min, low: min, high: max }
  const next = generator(hash(key))
  const means = new Float64Array(bootstrapResamples)
  for (let b = 0; b < bootstrapResamples; b++) {
    let s = 0
    for (let i = 0; i < n; i++) s += xs[Math.floor(next() * n)]!
    means[b] = s / n
  }
  means.sort()
  const at = (q: number): number => means[Math.min(bootstrapResamples - 1, Math.max(0, Math.round(q * (bootstrapResamples - 1))))]!
  // A mean of values in [min, max] lies there too; clamp only float rounding of the sum.
  const clamp = (x: number): number => Math.min(max, Math.max(min, x))
  return { n, mean: clamp(mean), low: clamp(at((1 - level) / 2)), high: clamp(at((1 + level) / 2)) }
}
