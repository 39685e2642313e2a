/**
 * The statistic match's probability, as iptables stores and prints it.
 *
 * - libxt_statistic.c `statistic_parse`: `probability = lround(0x80000000 * p)` (a u32; p = 1 gives 2^31).
 * - xt_statistic.c `statistic_mt`: matches iff `(get_random_u32() & 0x7FFFFFFF) < probability`, so the
 *   effective probability is exactly `stored / 2^31`, not the p that was written.
 * - libxt_statistic.c `print_match`: iptables-save prints `1.0 * stored / 0x80000000` with `%.11f`.
 */
const TWO_31 = 0x80000000

/** The stored threshold for a written probability p in [0, 1]. */
export const probabilityThreshold = (p: number): number => {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`probability ${p} is outside [0, 1]`)
  // lround rounds half away from zero; p ≥ 0 so Math.round (half up) agrees.
  return Math.round(TWO_31 * p)
}

/** The exact probability a stored threshold matches with. */
export const thresholdProbability = (threshold: number): number => threshold / TWO_31

/**
 * `%.11f` of `threshold / 2^31`, computed exactly (glibc prints the exact binary value, rounding a tie to
 * even; Number.prototype.toFixed would round ties up).
 */
export const formatThreshold = (threshold: number): string => {
  const scaled = BigInt(threshold) * 10n ** 11n
  const den = BigInt(TWO_31)
  let q = scaled / den
  const r2 = (scaled % den) * 2n
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n
  const s = q.toString().padStart(12, "0")
  return `${s.slice(0, -11)}.${s.slice(-11)}`
}

/** kube-proxy's `computeProbability` text (`%0.10f` of 1/n), e.g. for tests and fixtures. */
export const kubeProxyProbability = (n: number): string => (1 / n).toFixed(10)
