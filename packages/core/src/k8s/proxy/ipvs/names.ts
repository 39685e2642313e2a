import type { IpSetType } from "../../../net/index"
import type { JumpRule } from "../iptables/jump-chains"

/** pkg/proxy/ipvs/proxier.go: the chains of IPVS mode. */
export const KUBE_SERVICES = "KUBE-SERVICES"
export const KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL"
export const KUBE_SOURCE_RANGES_FIREWALL = "KUBE-SOURCE-RANGES-FIREWALL"
export const KUBE_POSTROUTING = "KUBE-POSTROUTING"
export const KUBE_MARK_MASQ = "KUBE-MARK-MASQ"
export const KUBE_NODE_PORT = "KUBE-NODE-PORT"
export const KUBE_FORWARD = "KUBE-FORWARD"
export const KUBE_LOAD_BALANCER = "KUBE-LOAD-BALANCER"
export const KUBE_IPVS_FILTER = "KUBE-IPVS-FILTER"
export const KUBE_IPVS_OUT_FILTER = "KUBE-IPVS-OUT-FILTER"

/** proxier.go defaultDummyDevice: the dummy interface every Service address is bound to. */
export const KUBE_IPVS0 = "kube-ipvs0"

/** pkg/proxy/ipvs/ipset.go: the sets' names. */
export const KUBE_LOOP_BACK = "KUBE-LOOP-BACK"
export const KUBE_CLUSTER_IP = "KUBE-CLUSTER-IP"
export const KUBE_EXTERNAL_IP = "KUBE-EXTERNAL-IP"
export const KUBE_EXTERNAL_IP_LOCAL = "KUBE-EXTERNAL-IP-LOCAL"
export const KUBE_LOAD_BALANCER_SET = "KUBE-LOAD-BALANCER"
export const KUBE_LOAD_BALANCER_FW = "KUBE-LOAD-BALANCER-FW"
export const KUBE_LOAD_BALANCER_LOCAL = "KUBE-LOAD-BALANCER-LOCAL"
export const KUBE_LOAD_BALANCER_SOURCE_IP = "KUBE-LOAD-BALANCER-SOURCE-IP"
export const KUBE_LOAD_BALANCER_SOURCE_CIDR = "KUBE-LOAD-BALANCER-SOURCE-CIDR"
export const KUBE_NODE_PORT_TCP = "KUBE-NODE-PORT-TCP"
export const KUBE_NODE_PORT_LOCAL_TCP = "KUBE-NODE-PORT-LOCAL-TCP"
export const KUBE_NODE_PORT_UDP = "KUBE-NODE-PORT-UDP"
export const KUBE_NODE_PORT_LOCAL_UDP = "KUBE-NODE-PORT-LOCAL-UDP"
export const KUBE_NODE_PORT_SCTP = "KUBE-NODE-PORT-SCTP-HASH"
export const KUBE_NODE_PORT_LOCAL_SCTP = "KUBE-NODE-PORT-LOCAL-SCTP-HASH"
export const KUBE_HEALTH_CHECK_NODE_PORT = "KUBE-HEALTH-CHECK-NODE-PORT"
export const KUBE_IPVS_IPS = "KUBE-IPVS-IPS"

export interface IpsetInfo {
  readonly name: string
  readonly type: IpSetType
  readonly comment: string
}

/** proxier.go ipsetInfo with ipset.go's comments, in upstream's order (the order the sets are created in). */
export const IPSET_INFO: ReadonlyArray<IpsetInfo> = [
  { name: KUBE_LOOP_BACK, type: "hash:ip,port,ip", comment: "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" },
  { name: KUBE_CLUSTER_IP, type: "hash:ip,port", comment: "Kubernetes service cluster ip + port for masquerade purpose" },
  { name: KUBE_EXTERNAL_IP, type: "hash:ip,port", comment: "Kubernetes service external ip + port for masquerade and filter purpose" },
  { name: KUBE_EXTERNAL_IP_LOCAL, type: "hash:ip,port", comment: "Kubernetes service external ip + port with externalTrafficPolicy=local" },
  { name: KUBE_LOAD_BALANCER_SET, type: "hash:ip,port", comment: "Kubernetes service lb portal" },
  { name: KUBE_LOAD_BALANCER_FW, type: "hash:ip,port", comment: "Kubernetes service load balancer ip + port for load balancer with sourceRange" },
  { name: KUBE_LOAD_BALANCER_LOCAL, type: "hash:ip,port", comment: "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" },
  { name: KUBE_LOAD_BALANCER_SOURCE_IP, type: "hash:ip,port,ip", comment: "Kubernetes service load balancer ip + port + source IP for packet filter purpose" },
  { name: KUBE_LOAD_BALANCER_SOURCE_CIDR, type: "hash:ip,port,net", comment: "Kubernetes service load balancer ip + port + source cidr for packet filter purpose" },
  { name: KUBE_NODE_PORT_TCP, type: "bitmap:port", comment: "Kubernetes nodeport TCP port for masquerade purpose" },
  { name: KUBE_NODE_PORT_LOCAL_TCP, type: "bitmap:port", comment: "Kubernetes nodeport TCP port with externalTrafficPolicy=local" },
  { name: KUBE_NODE_PORT_UDP, type: "bitmap:port", comment: "Kubernetes nodeport UDP port for masquerade purpose" },
  { name: KUBE_NODE_PORT_LOCAL_UDP, type: "bitmap:port", comment: "Kubernetes nodeport UDP port with externalTrafficPolicy=local" },
  { name: KUBE_NODE_PORT_SCTP, type: "hash:ip,port", comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" },
  { name: KUBE_NODE_PORT_LOCAL_SCTP, type: "hash:ip,port", comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" },
  { name: KUBE_HEALTH_CHECK_NODE_PORT, type: "bitmap:port", comment: "Kubernetes health check node port" },
  { name: KUBE_IPVS_IPS, type: "hash:ip", comment: "Addresses on the ipvs interface" },
]

export const IPSET_COMMENTS: ReadonlyMap<string, string> = new Map(IPSET_INFO.map((i) => [i.name, i.comment]))

/** proxier.go ipsetWithIptablesChain: `-A <from> [-p proto] -m comment --comment … -m set --match-set <set> <match> -j <to>`. */
export const IPSET_WITH_IPTABLES_CHAIN: ReadonlyArray<{
  readonly set: string
  readonly table: "nat" | "filter"
  readonly from: string
  readonly to: string
  readonly matchType: string
  readonly protocol: string
}> = [
  { set: KUBE_LOOP_BACK, table: "nat", from: KUBE_POSTROUTING, to: "MASQUERADE", matchType: "dst,dst,src", protocol: "" },
  { set: KUBE_LOAD_BALANCER_SET, table: "nat", from: KUBE_SERVICES, to: KUBE_LOAD_BALANCER, matchType: "dst,dst", protocol: "" },
  { set: KUBE_LOAD_BALANCER_LOCAL, table: "nat", from: KUBE_LOAD_BALANCER, to: "RETURN", matchType: "dst,dst", protocol: "" },
  { set: KUBE_NODE_PORT_LOCAL_TCP, table: "nat", from: KUBE_NODE_PORT, to: "RETURN", matchType: "dst", protocol: "tcp" },
  { set: KUBE_NODE_PORT_TCP, table: "nat", from: KUBE_NODE_PORT, to: KUBE_MARK_MASQ, matchType: "dst", protocol: "tcp" },
  { set: KUBE_NODE_PORT_LOCAL_UDP, table: "nat", from: KUBE_NODE_PORT, to: "RETURN", matchType: "dst", protocol: "udp" },
  { set: KUBE_NODE_PORT_UDP, table: "nat", from: KUBE_NODE_PORT, to: KUBE_MARK_MASQ, matchType: "dst", protocol: "udp" },
  { set: KUBE_NODE_PORT_LOCAL_SCTP, table: "nat", from: KUBE_NODE_PORT, to: "RETURN", matchType: "dst,dst", protocol: "sctp" },
  { set: KUBE_NODE_PORT_SCTP, table: "nat", from: KUBE_NODE_PORT, to: KUBE_MARK_MASQ, matchType: "dst,dst", protocol: "sctp" },
  { set: KUBE_LOAD_BALANCER_FW, table: "filter", from: KUBE_PROXY_FIREWALL, to: KUBE_SOURCE_RANGES_FIREWALL, matchType: "dst,dst", protocol: "" },
  { set: KUBE_LOAD_BALANCER_SOURCE_CIDR, table: "filter", from: KUBE_SOURCE_RANGES_FIREWALL, to: "RETURN", matchType: "dst,dst,src", protocol: "" },
  { set: KUBE_LOAD_BALANCER_SOURCE_IP, table: "filter", from: KUBE_SOURCE_RANGES_FIREWALL, to: "RETURN", matchType: "dst,dst,src", protocol: "" },
]

/** proxier.go iptablesChains: the chains each sync declares (`:CHAIN - [0:0]`, so a --noflush restore rewrites them). */
export const IPVS_NAT_CHAINS: ReadonlyArray<string> = [KUBE_SERVICES, KUBE_POSTROUTING, KUBE_NODE_PORT, KUBE_LOAD_BALANCER, KUBE_MARK_MASQ]
export const IPVS_FILTER_CHAINS: ReadonlyArray<string> = [KUBE_FORWARD, KUBE_NODE_PORT, KUBE_PROXY_FIREWALL, KUBE_SOURCE_RANGES_FIREWALL, KUBE_IPVS_FILTER, KUBE_IPVS_OUT_FILTER]

const jump = (table: "filter" | "nat", srcChain: string, dstChain: string, comment: string): JumpRule => ({
  table,
  srcChain,
  dstChain,
  args: `-m comment --comment "${comment}" -j ${dstChain}`,
})

/** proxier.go iptablesJumpChain, ensured (EnsureRule Prepend) on every sync by createAndLinkKubeChain. */
export const IPVS_JUMP_RULES: ReadonlyArray<JumpRule> = [
  jump("nat", "OUTPUT", KUBE_SERVICES, "kubernetes service portals"),
  jump("nat", "PREROUTING", KUBE_SERVICES, "kubernetes service portals"),
  jump("nat", "POSTROUTING", KUBE_POSTROUTING, "kubernetes postrouting rules"),
  jump("filter", "FORWARD", KUBE_FORWARD, "kubernetes forwarding rules"),
  jump("filter", "INPUT", KUBE_NODE_PORT, "kubernetes health check rules"),
  jump("filter", "INPUT", KUBE_PROXY_FIREWALL, "kube-proxy firewall rules"),
  jump("filter", "FORWARD", KUBE_PROXY_FIREWALL, "kube-proxy firewall rules"),
  jump("filter", "INPUT", KUBE_IPVS_FILTER, "kubernetes ipvs access filter"),
  jump("filter", "OUTPUT", KUBE_IPVS_OUT_FILTER, "kubernetes ipvs access filter"),
]
