import { formatCounts } from "../report/verdict-table"
import { serviceShares } from "../rules/service-shares"
import { chiSquareTest } from "../stats/chi-square"
import { countOutcomes } from "../traffic/request-outcome"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, spnOf, type ConformanceRun } from "./conformance-run"

/** Below this p-value counts are taken to contradict kubesim's shares (few false alarms per run). */
export const ALPHA = 0.001

/**
 * ClusterIP spread: `requests` new connections from the in-cluster client to `service`, through the kernel and
 * through kubesim; each side's per-pod counts must fit, by Pearson's chi-square, the shares kubesim's rules
 * give each endpoint (the statistic probabilities as the kernel quantises them).
 */
export const spreadCase = async (run: ConformanceRun, service: string, requests: number): Promise<CaseResult> => {
  run.ready()
  const predicted = serviceShares(run.ruleset("node-1"), spnOf(service), run.state.topology)
  const target = { host: clusterIpOf(run.state, service), port: 80 }
  const problems: Array<string> = []
  const [kernel, kubesim] = await run.onBoth(async (plane) => {
    const out = await plane.requests("busybox", target, [null], requests)
    const { perPod, errors, other } = countOutcomes(out, predicted.pods)
    const chi = chiSquareTest(perPod, predicted.shares)
    for (const [code, n] of errors) problems.push(`${plane.label}: ${n} requests failed with ${code}`)
    if (other > 0) problems.push(`${plane.label}: ${other} requests served by pods that are not endpoints`)
    if (chi.pValue < ALPHA) problems.push(`${plane.label}: chi-square p = ${chi.pValue} < ${ALPHA} (χ² = ${chi.statistic}, df ${chi.df})`)
    return { perPod, chi }
  })
  const shares = predicted.shares.map((s) => s.toFixed(3)).join("/")
  return caseResult(
    {
      case: `ClusterIP ${predicted.pods.length} endpoints (${requests} req, shares ${shares})`,
      kernel: formatCounts(predicted.pods, kernel.perPod),
      kubesim: formatCounts(predicted.pods, kubesim.perPod),
      pValue: Math.min(kernel.chi.pValue, kubesim.chi.pValue),
    },
    problems,
  )
}
