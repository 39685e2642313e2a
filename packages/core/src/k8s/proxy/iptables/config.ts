import { NANOS_PER_SECOND, type Nanos } from "../../../sim/index"
import { cidrContains, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from "../ip"

/**
 * The iptables proxier's configuration, named after kube-proxy's flags / KubeProxyConfiguration fields
 * (pkg/proxy/apis/config/v1alpha1/defaults.go for the defaults).
 */
export interface IptablesProxierConfig {
  /** --hostname-override: the node this kube-proxy runs on (endpoints with this nodeName are local). */
  readonly nodeName: string
  /** The node's IPv4 addresses; the first is the node IP (proxier.go nodeIP). */
  readonly nodeIPs: ReadonlyArray<string>
  /** --cluster-cidr: the pod CIDR for the ClusterCIDR local-traffic detector; undefined = no detector (NoOp). */
  readonly clusterCIDR?: string
  /** --masquerade-all (default false). */
  readonly masqueradeAll?: boolean
  /** --iptables-masquerade-bit (default 14 → mark 0x00004000). */
  readonly masqueradeBit?: number
  /**
   * The mark string itself, overriding masqueradeBit. Upstream's NewFakeProxier hard-codes "0x4000", which is
   * why the upstream golden fixtures show 0x4000 where a real kube-proxy writes 0x00004000.
   */
  readonly masqueradeMark?: string
  /** --nodeport-addresses (default: all local addresses). */
  readonly nodePortAddresses?: ReadonlyArray<string>
  /** --iptables-localhost-nodeports (default true). */
  readonly localhostNodePorts?: boolean
  /** --iptables-min-sync-period (default 1s). */
  readonly minSyncPeriod?: Nanos
  /** --iptables-sync-period (default 30s). */
  readonly syncPeriod?: Nanos
  /** Whether the kernel has nfacct (the nfacct counters exist); kubesim's kernel does not (default false). */
  readonly nfacct?: boolean
  /** Whether iptables supports MASQUERADE --random-fully (iptables ≥ 1.6.2: true; default true). */
  readonly randomFully?: boolean
  /** sysctl net.netfilter.nf_conntrack_tcp_be_liberal != 0 (default false). */
  readonly conntrackTCPLiberal?: boolean
  /** Addresses on the node's interfaces, for --nodeport-addresses matching (default: nodeIPs and 127.0.0.1). */
  readonly interfaceAddresses?: ReadonlyArray<string>
  /** The node's topology.kubernetes.io/zone label, for topology hints. */
  readonly zone?: string
}

/** The config with defaults applied and strings parsed; what the proxier reads. */
export interface ResolvedIptablesConfig {
  readonly nodeName: string
  readonly nodeIP: string
  readonly localDetectorCIDR: string | undefined
  readonly masqueradeAll: boolean
  readonly masqueradeMark: string
  readonly nodePortMatchAll: boolean
  /** When not match-all: the node addresses NodePorts answer on (proxyutil NodePortAddresses.GetNodeIPs). */
  readonly nodePortIPs: ReadonlyArray<string>
  readonly localhostNodePorts: boolean
  readonly minSyncPeriod: Nanos
  readonly syncPeriod: Nanos
  readonly nfacct: boolean
  readonly randomFully: boolean
  readonly conntrackTCPLiberal: boolean
  readonly zone: string
  /** Everything that shapes per-service rules besides the Service and its endpoints (render cache key). */
  readonly fingerprint: string
}

/** A configuration value that cannot be used, named by its flag. */
export class ProxyConfigError extends Error {
  override readonly name = "ProxyConfigError"
}

/** Applies the defaults and validates; throws ProxyConfigError naming the field. */
export const resolveIptablesConfig = (c: IptablesProxierConfig): ResolvedIptablesConfig => {
  if (c.nodeName === "") throw new ProxyConfigError("nodeName: must not be empty")
  const nodeIP = c.nodeIPs[0]
  if (nodeIP === undefined || parseIpv4(nodeIP) < 0) {
    throw new ProxyConfigError(`nodeIPs: expected at least one IPv4 address, got ${JSON.stringify(c.nodeIPs)}`)
  }
  let localDetectorCIDR: string | undefined
  if (c.clusterCIDR !== undefined) {
    const cidr = parseIpv4Cidr(c.clusterCIDR)
    if (cidr === undefined) throw new ProxyConfigError(`clusterCIDR: expected an IPv4 CIDR like 10.244.0.0/16, got "${c.clusterCIDR}"`)
    localDetectorCIDR = cidr.text
  }
  const bit = c.masqueradeBit ?? 14
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new ProxyConfigError(`masqueradeBit: expected an integer in [0, 31], got ${bit}`)
  // proxier.go NewProxier: fmt.Sprintf("%#08x", 1<<masqueradeBit). Go zero-pads the digits to the width and
  // then adds "0x" (golang/go#14616), so bit 14 is "0x00004000", as real nodes' iptables-save input shows.
  const masqueradeMark = c.masqueradeMark ?? "0x" + (2 ** bit).toString(16).padStart(8, "0")
  if (!/^0x[0-9a-f]+$/.test(masqueradeMark)) throw new ProxyConfigError(`masqueradeMark: expected a hex mark like 0x4000, got "${masqueradeMark}"`)
  const cidrs: Ipv4Cidr[] = []
  for (const s of c.nodePortAddresses ?? []) {
    const cidr = parseIpv4Cidr(s)
    // NewNodePortAddresses keeps only the proxier's family; IPv6 entries are silently dropped.
    if (cidr === undefined) {
      if (s.includes(":")) continue
      throw new ProxyConfigError(`nodePortAddresses: expected CIDRs like 192.168.0.0/24, got "${s}"`)
    }
    cidrs.push(cidr)
  }
  const nodePortMatchAll = cidrs.length === 0 || cidrs.some((x) => x.prefix === 0)
  // NewProxier: localhost NodePorts only if the nodePortAddresses include IPv4 loopback.
  const containsLoopback = nodePortMatchAll || cidrs.some((x) => cidrContains(x, "127.0.0.1"))
  const localhostNodePorts = (c.localhostNodePorts ?? true) && containsLoopback
  const interfaces = c.interfaceAddresses ?? [...c.nodeIPs, "127.0.0.1"]
  const nodePortIPs = nodePortMatchAll ? [] : interfaces.filter((ip) => cidrs.some((x) => cidrContains(x, ip)))
  const minSyncPeriod = c.minSyncPeriod ?? NANOS_PER_SECOND
  const syncPeriod = c.syncPeriod ?? 30 * NANOS_PER_SECOND
  if (!(syncPeriod > 0)) throw new ProxyConfigError(`syncPeriod: must be positive, got ${syncPeriod} ns`)
  if (minSyncPeriod < 0) throw new ProxyConfigError(`minSyncPeriod: must not be negative, got ${minSyncPeriod} ns`)
  const r = {
    nodeName: c.nodeName,
    nodeIP,
    localDetectorCIDR,
    masqueradeAll: c.masqueradeAll ?? false,
    masqueradeMark,
    nodePortMatchAll,
    nodePortIPs,
    localhostNodePorts,
    minSyncPeriod,
    syncPeriod,
    nfacct: c.nfacct ?? false,
    randomFully: c.randomFully ?? true,
    conntrackTCPLiberal: c.conntrackTCPLiberal ?? false,
    zone: c.zone ?? "",
  }
  const fingerprint = [r.localDetectorCIDR ?? "-", r.masqueradeAll, r.localhostNodePorts, r.nfacct, r.zone].join("|")
  return { ...r, fingerprint }
}
