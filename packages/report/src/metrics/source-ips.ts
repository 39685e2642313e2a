import type { RequestRecord } from "../records/schema"
import { wilsonInterval } from "../stats/proportion"
import { compareIps } from "./ip-order"
import type { SourceIps } from "./report-types"

/**
 * The source IPs the backends saw (the `sourceIp` of requests that reached a pod): whether the client's own IP
 * survived (`externalTrafficPolicy: Local`, pod-to-Service traffic) or was rewritten by SNAT to a node's IP
 * (`Cluster` external traffic, KUBE-MARK-MASQ), with counts per source IP in numeric order.
 */
export const sourceIpsOf = (requests: ReadonlyArray<RequestRecord>): SourceIps => {
  const bySource = new Map<string, number>()
  let seen = 0
  let preserved = 0
  for (const r of requests) {
    if (r.sourceIp === null || r.pod === null) continue
    seen++
    if (r.sourceIp === r.clientIp) preserved++
    bySource.set(r.sourceIp, (bySource.get(r.sourceIp) ?? 0) + 1)
  }
  return {
    requests: seen,
    preserved,
    preservedShare: wilsonInterval(preserved, seen),
    distinct: bySource.size,
    bySource: Object.fromEntries([...bySource.keys()].sort(compareIps).map((ip) => [ip, bySource.get(ip)!])),
  }
}
