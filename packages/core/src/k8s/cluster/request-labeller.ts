import { formatIpv4, parseIpv4, PROTO_TCP, type Host } from "../../net/index"
import type { ConnectionTuple, RequestLabeller, RequestTarget } from "../../apps/index"
import type { Service } from "../api/index"
import { type ApiStore, INDEX_POD_IP, INDEX_SERVICE_IP, INDEX_SERVICE_NODE_PORT } from "../store/index"
import { servicePortText } from "../node-proxy/index"

/** Where the labeller looks things up. */
export interface LabellerContext {
  readonly store: ApiStore
  /** Node name by node IP. */
  readonly nodeByIp: ReadonlyMap<string, string>
  readonly nodeHost: (name: string) => Host
}

const portName = (svc: Service, port: number, byNodePort: boolean): string | undefined => {
  for (const p of svc.spec.ports) if (byNodePort ? p.nodePort === port : p.port === port) return p.name ?? ""
  return undefined
}

/**
 * Labels a client's request records with what the cluster knows (apps stay free of Kubernetes types):
 * - `service`: the service port the destination belongs to — a ClusterIP, a LoadBalancer ingress IP, or a node
 *   IP with a NodePort;
 * - `node`: the node whose netfilter chose the backend: the addressed node for NodePort traffic, else the
 *   client's own node (pod clients; null for hosts outside the cluster);
 * - `chosenEndpoint`: for a request that got no answer, the DNAT destination in that node's conntrack entry;
 * - `podOf`: the pod holding an endpoint's IP.
 */
export const requestLabeller = (ctx: LabellerContext, clientNode: string | null): RequestLabeller => {
  const nodeFor = (t: RequestTarget): string | null => ctx.nodeByIp.get(t.ip) ?? clientNode
  return {
    service: (t) => {
      const viaNode = ctx.nodeByIp.has(t.ip)
      // The Services that own the address (or node port), through the store's indexes, in namespace/name order.
      const candidates = viaNode ? ctx.store.byIndex("Service", INDEX_SERVICE_NODE_PORT, String(t.port)) : ctx.store.byIndex("Service", INDEX_SERVICE_IP, t.ip)
      for (const svc of candidates) {
        const ns = svc.metadata.namespace ?? "default"
        let hit: string | undefined
        if (viaNode) hit = portName(svc, t.port, true)
        else if (svc.spec.clusterIP === t.ip || (svc.spec.externalIPs ?? []).includes(t.ip) || (svc.status.loadBalancer.ingress ?? []).some((i) => i.ip === t.ip)) {
          hit = portName(svc, t.port, false)
        }
        if (hit !== undefined) return servicePortText(ns, svc.metadata.name, hit)
      }
      return null
    },
    node: nodeFor,
    chosenEndpoint: (c: ConnectionTuple) => {
      const node = ctx.nodeByIp.get(c.dstIp) ?? clientNode
      if (node === null) return null
      const host = ctx.nodeHost(node)
      const hit = host.conntrack?.find(parseIpv4(c.srcIp), parseIpv4(c.dstIp), c.srcPort, c.dstPort, PROTO_TCP, host.net.sim.now)
      if (hit === null || hit === undefined) return null
      const e = hit.entry
      if (e.replySrc === e.origDst && e.replySport === e.origDport) return null
      return `${formatIpv4(e.replySrc)}:${e.replySport}`
    },
    podOf: (endpoint: string) => {
      const ip = endpoint.slice(0, endpoint.lastIndexOf(":"))
      return ctx.store.byIndex("Pod", INDEX_POD_IP, ip)[0]?.metadata.name ?? null
    },
  }
}
