import { parseIpv4, shBuckets, formatIpv4, type IpvsTable } from "../../net/index"
import type { ServicePortMap } from "../proxy/index"
import { servicePortText } from "./endpoint-shares"

/**
 * Each endpoint's share of new ClusterIP connections from a node's IPVS table: the ClusterIP virtual server's
 * real servers that take new connections (weight > 0). rr and wrr give each its weight over the total
 * (ip_vs_rr.c / ip_vs_wrr.c cycle through them exactly); sh gives each its buckets of the 256 (ip_vs_sh.c, over
 * uniformly spread client addresses); lc balances by connection counts, so each real server's long-run share is
 * its weight over the total (all weights are 1 from kube-proxy). Persistence does not change a fresh client's pick.
 */
export const ipvsEndpointShares = (table: IpvsTable, services: ServicePortMap): Record<string, Record<string, number>> => {
  const out: Record<string, Record<string, number>> = {}
  for (const key of [...services.keys()].sort()) {
    const svc = services.get(key)
    if (svc === undefined || svc.clusterIP === "" || (svc.protocol !== "TCP" && svc.protocol !== "UDP")) continue
    const vs = table.getService(svc.protocol, parseIpv4(svc.clusterIP), svc.port)
    if (vs === null) continue
    const usable = vs.dests.filter((d) => d.weight > 0)
    if (usable.length === 0) continue
    const shares = new Map<string, number>()
    if (vs.spec.scheduler === "sh") {
      for (const d of shBuckets(vs.dests)) if (d !== null && d.weight > 0) shares.set(`${formatIpv4(d.address)}:${d.port}`, (shares.get(`${formatIpv4(d.address)}:${d.port}`) ?? 0) + 1 / 256)
    } else {
      let total = 0
      for (const d of usable) total += d.weight
      for (const d of usable) shares.set(`${formatIpv4(d.address)}:${d.port}`, d.weight / total)
    }
    const entry: Record<string, number> = {}
    for (const ep of [...shares.keys()].sort()) entry[ep] = shares.get(ep) as number
    out[servicePortText(svc.name.namespace, svc.name.name, svc.name.port)] = entry
  }
  return out
}
