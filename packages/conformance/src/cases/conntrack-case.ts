import type { ConformanceCluster } from "../cluster/conformance-cluster"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, endpointPods, servedBy as served, type ConformanceRun } from "./conformance-run"

/**
 * An open connection keeps its endpoint after the rules change, in the kernel and in kubesim: a held
 * connection to `service` lands on pod X; X is removed from the Service's endpoints (X keeps running, as a
 * pod that is no longer ready does) and every node's kube-proxy syncs into both planes; a new request on the
 * held connection is still served by X (its conntrack entry carries the DNAT; kube-proxy clears conntrack only
 * for UDP — pkg/proxy/conntrack/cleanup.go), while new connections go only to the remaining endpoints.
 */
export const conntrackCase = async (
  run: ConformanceRun,
  service: string,
  rebuild: (endpoints: ReadonlyArray<string>) => ConformanceCluster,
  requests: number,
): Promise<CaseResult> => {
  run.ready()
  const before = run.state
  const target = { host: clusterIpOf(before, service), port: 80 }
  const problems: Array<string> = []
  const [kernelPlane, kubesimPlane] = run.planes
  const kernelFirst = await kernelPlane.open("held", "busybox", target, null)
  // kubesim's held connection must sit on the pod that will leave too: reopen (new draws) until it does.
  let kubesimFirst = await kubesimPlane.open("held", "busybox", target, null)
  for (let i = 0; i < 30 && "pod" in kernelFirst && served(kubesimFirst) !== kernelFirst.pod; i++) {
    await kubesimPlane.close("held")
    kubesimFirst = await kubesimPlane.open("held", "busybox", target, null)
  }
  const firsts = [kernelFirst, kubesimFirst] as const
  const pinned = firsts.map(served)
  for (const [i, o] of firsts.entries()) if (!("pod" in o)) problems.push(`${run.planes[i]!.label}: opening failed with ${o.error}`)
  if (problems.length > 0) {
    await kernelPlane.close("held")
    await kubesimPlane.close("held")
    return caseResult({ case: "conntrack across rule change", kernel: pinned[0]!, kubesim: pinned[1]!, pValue: null }, problems)
  }
  // The pinned pod leaves the endpoints in both.
  const remaining = endpointPods(before, service).filter((p) => p !== pinned[0])
  const written = run.update(rebuild(remaining))
  if (![...written.values()].some((r) => r.payload.includes("-X "))) {
    problems.push(`kubesim's sync deleted no chain when ${pinned[0]} left the endpoints`)
  }
  const [kernel, kubesim] = await run.onBoth(async (plane) => {
    const i = plane.label === "kernel" ? 0 : 1
    const again = served(await plane.again("held"))
    await plane.close("held")
    if (again !== pinned[i]) problems.push(`${plane.label}: held connection went from ${pinned[i]} to ${again}`)
    const fresh = new Map<string, number>()
    for (const o of await plane.requests("busybox", target, [null], requests)) {
      fresh.set(served(o), (fresh.get(served(o)) ?? 0) + 1)
    }
    for (const [k, n] of fresh) if (!remaining.includes(k)) problems.push(`${plane.label}: ${n} new connections went to ${k}`)
    return `held ${pinned[i]}→${again}; new ${[...fresh].map(([k, n]) => `${k}×${n}`).join(" ")}`
  })
  run.update(before)
  return caseResult({ case: "conntrack across rule change", kernel, kubesim, pValue: null }, problems)
}
