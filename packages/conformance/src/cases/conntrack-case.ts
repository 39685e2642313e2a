import type { ConformanceCluster } from "../cluster/conformance-cluster"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, type ConformanceRun } from "./conformance-run"

/**
 * An open connection keeps its endpoint after the rules change: a held connection to `service` lands on pod
 * X; X is removed from the Service's endpoints (X keeps running, as a pod that is no longer ready does) and
 * every node's kube-proxy syncs into its kernel; a new request on the held connection is still served by X
 * (its conntrack entry carries the DNAT; kube-proxy clears conntrack only for UDP — proxier.go /
 * conntrack/cleanup.go), while new connections go only to the remaining endpoints.
 */
export const conntrackCase = async (
  run: ConformanceRun,
  service: string,
  rebuild: (endpoints: ReadonlyArray<string>) => ConformanceCluster,
  requests: number,
): Promise<CaseResult> => {
  const before = run.state
  const target = { host: clusterIpOf(before, service), port: 80 }
  const client = run.kernel.client("busybox")
  const problems: Array<string> = []
  const first = await client.open("held", target, null)
  if (!("pod" in first)) {
    await client.close("held")
    return caseResult({ case: "conntrack across rule change", kernel: first.error, kubesim: "-", pValue: null }, [
      `opening the held connection failed: ${first.error}`,
    ])
  }
  const pinned = first.pod
  const slice = before.endpointSlices.find((s) => s.metadata.labels["kubernetes.io/service-name"] === service)!
  const remaining = slice.endpoints
    .map((e) => before.topology.pods.find((p) => p.ip === e.addresses[0])!.name)
    .filter((p) => p !== pinned)
  const written = run.update(rebuild(remaining))
  const changed = [...written.values()].some((r) => r.payload.includes(`-X `))
  if (!changed) problems.push(`kubesim's sync deleted no chain when ${pinned} left the endpoints`)
  const again = await client.again("held")
  await client.close("held")
  const fresh = await client.requests(target, [null], requests)
  const freshPods = new Map<string, number>()
  for (const o of fresh) {
    const k = "pod" in o ? o.pod : o.error
    freshPods.set(k, (freshPods.get(k) ?? 0) + 1)
  }
  if (!("pod" in again) || again.pod !== pinned) {
    problems.push(`held connection: expected ${pinned}, got ${"pod" in again ? again.pod : again.error}`)
  }
  for (const [k, n] of freshPods) if (!remaining.includes(k)) problems.push(`${n} new connections went to ${k}`)
  run.update(before)
  const freshText = [...freshPods].map(([k, n]) => `${k}×${n}`).join(" ")
  return caseResult(
    {
      case: "conntrack across rule change",
      kernel: `held ${pinned}→${"pod" in again ? again.pod : again.error}; new ${freshText}`,
      kubesim: `held ${pinned}→${pinned}; new ${remaining.join("|")} only`,
      pValue: null,
    },
    problems,
  )
}

