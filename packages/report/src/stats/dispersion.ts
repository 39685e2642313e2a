/** Population coefficient of variation σ/μ; null when empty or the mean is 0. */
export const coefficientOfVariation = (xs: ReadonlyArray<number>): number | null => {
  const n = xs.length
  if (n === 0) return null
  let sum = 0
  for (const x of xs) sum += x
  const mean = sum / n
  if (mean === 0) return null
  let ss = 0
  for (const x of xs) ss += (x - mean) * (x - mean)
  return Math.sqrt(ss / n) / mean
}

/** max/min; null when empty or the minimum is 0 (some endpoint got nothing: reported separately). */
export const maxMinRatio = (xs: ReadonlyArray<number>): number | null => {
  if (xs.length === 0) return null
  let min = Infinity
  let max = -Infinity
  for (const x of xs) {
    if (x < min) min = x
    if (x > max) max = x
  }
  return min > 0 ? max / min : null
}

/**
 * Shannon entropy of the shares x/Σx divided by ln n: 1 for an even split, 0 when one gets everything.
 * null when empty or all zero; 1 for a single allocation (nothing to be uneven about).
 */
export const normalisedEntropy = (xs: ReadonlyArray<number>): number | null => {
  const n = xs.length
  let sum = 0
  for (const x of xs) sum += x
  if (n === 0 || sum === 0) return null
  if (n === 1) return 1
  let h = 0
  for (const x of xs) {
    if (x > 0) {
      const p = x / sum
      h -= p * Math.log(p)
    }
  }
  return Math.min(1, h / Math.log(n))
}
