import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf"

/**
 * Fisher's method for combining k independent p-values (Fisher, Statistical Methods for Research Workers, 1925,
 * §21.1): X = −2 Σ ln pᵢ follows χ² with 2k degrees of freedom under the joint null, combined p = 1 − F(X; 2k).
 * A p-value of 0 (below double precision) makes X infinite and the combined p 0. null for no p-values.
 */
export const fisherCombined = (ps: ReadonlyArray<number>): number | null => {
  if (ps.length === 0) return null
  let x = 0
  for (const p of ps) {
    if (!(p >= 0 && p <= 1)) throw new Error(`fisherCombined: p-value ${p} is not in [0, 1]`)
    x += -2 * Math.log(p)
  }
  if (x === Infinity) return 0
  return Math.min(1, Math.max(0, 1 - chisquareCdf(x, 2 * ps.length)))
}
