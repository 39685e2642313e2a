import { formatFixed } from "./format-fixed"

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
 * `%.11f` of `threshold / 2^31` (exact: a 31-bit threshold over 2^31 is a double), as glibc prints it — ties
 * to even, where toFixed would round up.
 */
export const formatThreshold = (threshold: number): string => formatFixed(threshold / TWO_31, 11)

/**
 * kube-proxy's probability text for rule i of n (pkg/proxy/iptables/proxier.go computeProbability:
 * `fmt.Sprintf("%0.10f", 1.0/float64(n))`), Go-exact: 1/2048 is 0.0004882812, not toFixed's …813.
 */
export const kubeProxyProbability = (n: number): string => formatFixed(1 / n, 10)
