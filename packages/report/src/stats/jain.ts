/**
 * Jain's fairness index (Jain, Chiu & Hawe, DEC-TR-301, 1984): (Σx)² / (n·Σx²) over n allocations.
 * 1 exactly when all are equal, 1/n when one gets everything, invariant under scaling all x by c > 0.
 * Returns null for no allocations or when every allocation is 0 (the index is undefined there).
 */
export const jainIndex = (xs: ReadonlyArray<number>): number | null => {
  const n = xs.length
  if (n === 0) return null
  let max = 0
  for (let i = 0; i < n; i++) if (xs[i]! > max) max = xs[i]!
  if (max === 0) return null
  // All-equal input gives exactly 1 in floating point only if computed as a ratio of like terms, so check it.
  if (allEqual(xs)) return 1
  // Divide by the maximum first (the index is scale-invariant) so squares neither underflow nor overflow.
  let sum = 0
  let sumSq = 0
  for (let i = 0; i < n; i++) {
    const x = xs[i]! / max
    sum += x
    sumSq += x * x
  }
  const j = (sum * sum) / (n * sumSq)
  // Rounding can push a near-degenerate index a hair outside [1/n, 1]; the theorem holds, so clamp.
  return Math.min(1, Math.max(1 / n, j))
}

const allEqual = (xs: ReadonlyArray<number>): boolean => {
  const first = xs[0]
  for (let i = 1; i < xs.length; i++) if (xs[i] !== first) return false
  return true
}
