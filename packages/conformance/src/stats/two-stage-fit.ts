import { chiSquareTest, type ChiSquareResult } from "./chi-square"

/**
 * A two-stage goodness-of-fit verdict for a plane's counts that keeps CI false failures practically impossible
 * without weakening the test:
 * - p ≥ RETRY_BELOW (1e-3): the counts fit;
 * - p < FAIL_BELOW (1e-6): they do not — no retry;
 * - in between: one fresh sample, which must reach p ≥ RETRY_BELOW.
 * If the shares are right, a case fails with probability P(p < 1e-6) + P(1e-6 ≤ p < 1e-3)·P(p′ < 1e-3)
 * ≈ 1e-6 + 1e-3·1e-3 ≈ 2e-6 (vs 1e-3 at a single α = 0.001), so ~1e-5 for the suite's χ² cases per CI run.
 * A wrong share of the size that matters (e.g. 1/2 vs 1/3 of 300 requests, χ² ≈ 37, p ≈ 1e-8) still fails on
 * the first sample; a borderline one must show up twice.
 */
export const RETRY_BELOW = 1e-3
export const FAIL_BELOW = 1e-6

export interface FitStage {
  readonly counts: ReadonlyArray<number>
  readonly chi: ChiSquareResult
}

export interface TwoStageFit {
  readonly first: FitStage
  /** The fresh sample, taken only when the first p-value fell in [FAIL_BELOW, RETRY_BELOW). */
  readonly retry: FitStage | undefined
  readonly fits: boolean
}

/** Whether a first-stage p-value calls for a fresh sample. */
export const needsRetry = (p: number): boolean => p >= FAIL_BELOW && p < RETRY_BELOW

/**
 * Draws counts with `sample`, tests them against `shares`, and draws once more when the first p-value is
 * borderline (see above). `sample` must take new traffic each call (never re-count the first sample).
 */
export const twoStageFit = async (sample: () => Promise<ReadonlyArray<number>>, shares: ReadonlyArray<number>): Promise<TwoStageFit> => {
  const counts = await sample()
  const first = { counts, chi: chiSquareTest(counts, shares) }
  if (!needsRetry(first.chi.pValue)) return { first, retry: undefined, fits: first.chi.pValue >= RETRY_BELOW }
  const again = await sample()
  const retry = { counts: again, chi: chiSquareTest(again, shares) }
  return { first, retry, fits: retry.chi.pValue >= RETRY_BELOW }
}

/** The fit's p-values as the table shows them: "p", or "p → p′" after a retry. */
export const describeFit = (fit: TwoStageFit): string =>
  fit.retry === undefined ? formatP(fit.first.chi.pValue) : `${formatP(fit.first.chi.pValue)} → ${formatP(fit.retry.chi.pValue)}`

export const formatP = (p: number): string => (p < 1e-3 ? p.toExponential(2) : p.toFixed(4))

/** Why a fit failed, for the case's problems. */
export const fitProblem = (label: string, fit: TwoStageFit): string => {
  const last = fit.retry ?? fit.first
  return fit.retry === undefined
    ? `${label}: chi-square p = ${fit.first.chi.pValue} < ${FAIL_BELOW.toExponential()} (χ² = ${last.chi.statistic}, df ${last.chi.df})`
    : `${label}: chi-square p = ${fit.first.chi.pValue}, then p = ${fit.retry.chi.pValue} < ${RETRY_BELOW} on a fresh sample (χ² = ${last.chi.statistic}, df ${last.chi.df})`
}
