import { formatCounts } from "../report/verdict-table"
import { describeFit, fitProblem, RETRY_BELOW, type TwoStageFit, twoStageFit } from "../stats/two-stage-fit"
import { countOutcomes } from "../traffic/request-outcome"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, type ConformanceRun } from "./conformance-run"

/** Below this first-stage p-value a fresh sample is drawn; see stats/two-stage-fit.ts for the full rule. */
export const ALPHA = RETRY_BELOW

/**
 * ClusterIP spread: `requests` new connections from the in-cluster client to `service`, through the kernel and
 * through kubesim; each side's per-pod counts must fit, by Pearson's chi-square, the shares kubesim's rules
 * give each endpoint (the statistic probabilities as the kernel quantises them), by the two-stage rule of
 * stats/two-stage-fit.ts (a borderline p in [1e-6, 1e-3) is redrawn once on fresh traffic).
 */
export const spreadCase = async (run: ConformanceRun, service: string, requests: number): Promise<CaseResult> => {
  run.ready()
  const predicted = run.serviceShares("node-1", service)
  const target = { host: clusterIpOf(run.state, service), port: 80 }
  const problems: Array<string> = []
  const [kernel, kubesim] = await run.onBoth(async (plane) => {
    const fit = await twoStageFit(async () => {
      const out = await plane.requests("busybox", target, [null], requests)
      const { perPod, errors, other } = countOutcomes(out, predicted.pods)
      for (const [code, n] of errors) problems.push(`${plane.label}: ${n} requests failed with ${code}`)
      if (other > 0) problems.push(`${plane.label}: ${other} requests served by pods that are not endpoints`)
      return perPod
    }, predicted.shares)
    if (!fit.fits) problems.push(fitProblem(plane.label, fit))
    return fit
  })
  const shares = predicted.shares.map((s) => s.toFixed(3)).join("/")
  return caseResult(
    {
      case: `ClusterIP ${predicted.pods.length} endpoints (${requests} req, shares ${shares})`,
      kernel: formatCounts(predicted.pods, (kernel.retry ?? kernel.first).counts),
      kubesim: formatCounts(predicted.pods, (kubesim.retry ?? kubesim.first).counts),
      pValue: Math.min((kernel.retry ?? kernel.first).chi.pValue, (kubesim.retry ?? kubesim.first).chi.pValue),
      ...retriedNote([["kernel", kernel], ["kubesim", kubesim]]),
    },
    problems,
  )
}

/** The row's retry note: which planes redrew and their two p-values (nothing when none did). */
export const retriedNote = (fits: ReadonlyArray<readonly [string, TwoStageFit]>): { retried?: string } => {
  const notes = fits.filter(([, f]) => f.retry !== undefined).map(([label, f]) => `${label} ${describeFit(f)}`)
  return notes.length === 0 ? {} : { retried: notes.join("; ") }
}
