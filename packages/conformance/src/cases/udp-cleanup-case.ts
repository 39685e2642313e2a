import type { ConformanceCluster } from "../cluster/conformance-cluster"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, endpointPods, servedBy as served, type ConformanceRun } from "./conformance-run"

/** The client's UDP source port for the flow each plane pins (kubesim tries the next ones to land on the same pod). */
const SPORT = 40053

/**
 * A UDP flow outlives a rule change until kube-proxy's conntrack cleanup, in the kernel and in kubesim: datagrams
 * from one source port to `service` reach pod X (one conntrack entry); X leaves the endpoints and every node's
 * kube-proxy restores its rules — the flow still reaches X (conntrack keeps the DNAT; rules apply to new flows
 * only); then the sync's cleanup runs, as kube-proxy does right after RestoreAll (pkg/proxy/conntrack/cleanup.go
 * CleanStaleEntries: delete entries to the ClusterIP:port whose reply source is not a serving endpoint, with
 * the real `conntrack -D` in the kernel and kubesim's NodeRuleset.cleanConntrack in kubesim), and the next
 * datagram of the same flow goes to a remaining endpoint.
 */
export const udpCleanupCase = async (
  run: ConformanceRun,
  service: string,
  rebuild: (endpoints: ReadonlyArray<string>) => ConformanceCluster,
): Promise<CaseResult> => {
  run.ready()
  const before = run.state
  const [kernelPlane, kubesimPlane] = run.planes
  const target = { host: clusterIpOf(before, service), port: 80 }
  const kernelFirst = await kernelPlane.udp("busybox", target, SPORT)
  const problems: Array<string> = []
  let kubesimPort = SPORT
  let kubesimFirst = await kubesimPlane.udp("busybox", target, kubesimPort)
  for (let i = 0; i < 30 && "pod" in kernelFirst && served(kubesimFirst) !== kernelFirst.pod; i++) {
    kubesimPort++
    kubesimFirst = await kubesimPlane.udp("busybox", target, kubesimPort)
  }
  const ports = [SPORT, kubesimPort] as const
  const pinned = [served(kernelFirst), served(kubesimFirst)] as const
  for (const [i, o] of [kernelFirst, kubesimFirst].entries()) if (!("pod" in o)) problems.push(`${run.planes[i]!.label}: first datagram got ${o.error}`)
  if (problems.length > 0) return caseResult({ case: "UDP conntrack cleanup", kernel: pinned[0], kubesim: pinned[1], pValue: null }, problems)

  const remaining = endpointPods(before, service).filter((p) => p !== pinned[0])
  const written = run.updateRules(rebuild(remaining))
  if (![...written.values()].some((r) => r.conntrack !== undefined)) problems.push(`kubesim's sync asked for no UDP conntrack cleanup when ${pinned[0]} left`)
  const afterRules = await run.onBoth(async (plane) => {
    const i = plane.label === "kernel" ? 0 : 1
    const o = served(await plane.udp("busybox", target, ports[i]))
    if (o !== pinned[i]) problems.push(`${plane.label}: before the cleanup the flow went from ${pinned[i]} to ${o}`)
    return o
  })
  run.cleanConntrack(written)
  const afterCleanup = await run.onBoth(async (plane) => {
    const i = plane.label === "kernel" ? 0 : 1
    const o = served(await plane.udp("busybox", target, ports[i]))
    if (!remaining.includes(o)) problems.push(`${plane.label}: after the cleanup the flow went to ${o}, not to ${remaining.join(" or ")}`)
    return o
  })
  run.update(before)
  const row = (i: 0 | 1) => `${pinned[i]} → rules: ${afterRules[i]} → cleanup: ${afterCleanup[i]}`
  return caseResult({ case: "UDP conntrack cleanup", kernel: row(0), kubesim: row(1), pValue: null }, problems)
}
