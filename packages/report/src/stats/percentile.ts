/**
 * Nearest-rank percentile of an ascending-sorted array: the value at rank ⌈p·n⌉ (1-based), so p50 of
 * [1,2,3,4] is 2 and p100 is the maximum. Every reported value is one that was observed.
 */
export const nearestRank = (sorted: ArrayLike<number>, p: number): number | null => {
  const n = sorted.length
  if (n === 0) return null
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n)))
  return sorted[rank - 1]!
}
