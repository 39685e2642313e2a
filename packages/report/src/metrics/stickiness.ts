import { compareIps } from "./ip-order"
import type { RequestRecord } from "../records/schema"
import { latestAt } from "./run-index"
import type { RunIndex } from "./run-index"
import { switchCauses } from "./report-types"
import type { ClientStickiness, SwitchCause } from "./report-types"

// pkg/apis/core/types.go, DefaultClientIPServiceAffinitySeconds: 10800 (3 h) when ClientIP sets no timeout.
const defaultAffinitySeconds = 10800
const NANOS_PER_SECOND = 1_000_000_000

/**
 * Why a client's request went to a different pod than its previous request to the same service port, judged
 * at the switching request's time: affinity off (now, or when the previous request was made); the previous pod gone from the endpoints, or not ready; a
 * different node's kube-proxy (each node's `recent` table is its own); the affinity timeout passed since the
 * previous request; otherwise a violation (affinity should have held).
 */
const switchCause = (index: RunIndex, service: string, prev: RequestRecord, cur: RequestRecord): SwitchCause => {
  const config = latestAt(index.services.get(service), cur.t)
  if (config === undefined || config.sessionAffinity !== "ClientIP") return "no-affinity"
  // Affinity binds from the first request routed under it: a request made before ClientIP was set wrote no
  // `recent` entry (pkg/proxy/iptables/proxier.go, syncProxyRules: `-m recent --set` only in affinity services' SEP chains).
  const before = latestAt(index.services.get(service), prev.t)
  if (before === undefined || before.sessionAffinity !== "ClientIP") return "no-affinity"
  const endpoints = latestAt(index.endpoints.get(service), cur.t)
  if (endpoints !== undefined) {
    const entry = endpoints.endpoints.find((e) => e.endpoint === prev.endpoint)
    if (entry === undefined) return "pod-gone"
    if (!entry.ready) return "not-ready"
  }
  if (cur.node !== prev.node) return "other-node"
  const timeout = (config.affinityTimeoutSeconds ?? defaultAffinitySeconds) * NANOS_PER_SECOND
  if (cur.t - prev.t > timeout) return "affinity-timeout"
  return "violation"
}

/** Per client IP (numeric order), stickiness and switches over its time-ordered routed requests to one service port. */
export const stickinessOf = (index: RunIndex, service: string, requests: ReadonlyArray<RequestRecord>): ClientStickiness[] => {
  const byClient = new Map<string, RequestRecord[]>()
  for (const r of requests) {
    if (r.pod === null) continue
    const list = byClient.get(r.clientIp)
    if (list === undefined) byClient.set(r.clientIp, [r])
    else list.push(r)
  }
  const out: ClientStickiness[] = []
  for (const clientIp of [...byClient.keys()].sort(compareIps)) {
    const list = byClient.get(clientIp)!
    const counts = new Map<string, number>()
    const causes = Object.fromEntries(switchCauses.map((c) => [c, 0])) as Record<SwitchCause, number>
    let switches = 0
    let prev: RequestRecord | undefined
    for (const r of list) {
      counts.set(r.pod!, (counts.get(r.pod!) ?? 0) + 1)
      if (prev !== undefined && prev.pod !== r.pod) {
        switches++
        causes[switchCause(index, service, prev, r)]++
      }
      prev = r
    }
    // Ties go to the pod hit first (Map order), which survives renaming pods and reordering records.
    let topPod = ""
    let top = 0
    for (const [pod, n] of counts) {
      if (n > top) {
        top = n
        topPod = pod
      }
    }
    out.push({
      clientIp,
      requests: list.length,
      stickiness: top / list.length,
      topPod,
      pods: counts.size,
      switches,
      switchCauses: causes,
      violations: causes.violation,
    })
  }
  return out
}
