import { formatCounts } from "../report/verdict-table"
import { serviceShares } from "../rules/service-shares"
import { chiSquareTest } from "../stats/chi-square"
import { countOutcomes } from "../traffic/request-outcome"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, spnOf, type ConformanceRun } from "./conformance-run"

/** Below this p-value the kernel's counts are taken to contradict kubesim's shares (few false alarms per run). */
export const ALPHA = 0.001

/**
 * ClusterIP spread: `requests` new connections from the in-cluster client to `service`; the kernel's per-pod
 * counts must fit, by Pearson's chi-square, the shares kubesim's rules give each endpoint.
 */
export const spreadCase = async (run: ConformanceRun, service: string, requests: number): Promise<CaseResult> => {
  const predicted = serviceShares(run.initialRules.get("node-1")!.payload, spnOf(service), run.state.topology)
  const target = { host: clusterIpOf(run.state, service), port: 80 }
  const out = await run.kernel.client("busybox").requests(target, [null], requests)
  const { perPod, errors, other } = countOutcomes(out, predicted.pods)
  const chi = chiSquareTest(perPod, predicted.shares)
  const problems: Array<string> = []
  for (const [code, n] of errors) problems.push(`${n} requests failed with ${code}`)
  if (other > 0) problems.push(`${other} requests served by pods that are not endpoints`)
  if (chi.pValue < ALPHA) problems.push(`chi-square p = ${chi.pValue} < ${ALPHA} (χ² = ${chi.statistic}, df ${chi.df})`)
  const expected = predicted.shares.map((s) => Math.round(s * requests * 10) / 10)
  return caseResult(
    {
      case: `ClusterIP ${predicted.pods.length} endpoints (${requests} req)`,
      kernel: formatCounts(predicted.pods, perPod),
      kubesim: `expect ${formatCounts(predicted.pods, expected)}`,
      pValue: chi.pValue,
    },
    problems,
  )
}
