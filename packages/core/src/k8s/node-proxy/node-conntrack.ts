import { PROTO_UDP, conntrackTimeouts, formatIpv4, type Host } from "../../net/index"
import type { RecordLog } from "../../records/index"
import { applyKubeProxyConntrack, DEFAULT_KUBE_PROXY_CONNTRACK, type KubeProxyConntrackConfig, type NodeConntrackSysctls } from "../proxy/index"

/** A node's CPU count when none is given: a common developer machine, which kind's nodes see whole. */
export const DEFAULT_NODE_CPUS = 8

export interface NodeConntrackOptions {
  readonly nodeName: string
  /** runtime.NumCPU() on the node; default DEFAULT_NODE_CPUS. */
  readonly cpus?: number | undefined
  /** kube-proxy's `conntrack` settings; default upstream's. */
  readonly conntrack?: KubeProxyConntrackConfig | undefined
  /** Where `drop` records of packets refused for a full table go; none without. */
  readonly records?: RecordLog | undefined
}

/**
 * kube-proxy's start on a node (cmd/kube-proxy/app/server_linux.go setupConntrack): raise the node's conntrack
 * limit, hash size and TCP timeouts (applyKubeProxyConntrack: never lowered). Every packet the full table then
 * refuses is a `drop` record with reason `conntrack-full` ("nf_conntrack: table full, dropping packet").
 * Returns the sysctls as they now are.
 */
export const setupNodeConntrack = (host: Host, options: NodeConntrackOptions): NodeConntrackSysctls | undefined => {
  const ct = host.conntrack
  if (ct === null) return undefined
  const t = host.conntrackTimeouts
  const next = applyKubeProxyConntrack(
    { max: ct.max, hashsize: ct.buckets, tcpEstablished: t.tcpEstablished, tcpCloseWait: t.tcpCloseWait },
    options.conntrack ?? DEFAULT_KUBE_PROXY_CONNTRACK,
    options.cpus ?? DEFAULT_NODE_CPUS,
  )
  ct.max = next.max
  ct.buckets = next.hashsize
  host.conntrackTimeouts = conntrackTimeouts({ ...t, tcpEstablished: next.tcpEstablished, tcpCloseWait: next.tcpCloseWait })
  const records = options.records
  if (records !== undefined) {
    const node = options.nodeName
    ct.onTableFull = (pkt, now) =>
      records.append({
        kind: "drop",
        t: now,
        host: node,
        reason: "conntrack-full",
        protocol: pkt.proto === PROTO_UDP ? "udp" : "tcp",
        src: `${formatIpv4(pkt.src)}:${pkt.sport}`,
        dst: `${formatIpv4(pkt.dst)}:${pkt.dport}`,
      })
  }
  return { max: ct.max, hashsize: ct.buckets, tcpEstablished: next.tcpEstablished, tcpCloseWait: next.tcpCloseWait }
}
