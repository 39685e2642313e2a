export * from "./addr/index"
export * from "./netfilter/index"
export {
  Packet,
  TCP_FIN,
  TCP_SYN,
  TCP_RST,
  TCP_PSH,
  TCP_ACK,
  ICMP_DEST_UNREACH,
  ICMP_TIME_EXCEEDED,
  ICMP_NET_UNREACH,
  ICMP_HOST_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_PORT_UNREACH,
  ICMP_NET_ANO,
  ICMP_HOST_ANO,
  ICMP_PKT_FILTERED,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_ECHO_KEY,
  ICMP_HEADER,
  isIcmpError,
  DEFAULT_TTL,
  formatTcpFlags,
} from "./packet/packet"
export { DROP_REASONS, type DropReason } from "./packet/drop-reason"
export { PacketCounters, type CountersSnapshot } from "./packet/counters"
export { RouteTable, type Route, type Path, type Nexthop } from "./route/route-table"
export { SharedRoutes, type SharedRoute } from "./route/shared-routes"
export { fibMultipathHash, selectMultipath, type MultipathHashPolicy } from "./route/multipath"
export { Link, type LinkPairTable, type LinkParams } from "./link/link"
export { Network, type NetworkOptions } from "./network"
export type { PacketObserver } from "./observer"
export { Host, type HostOptions, type MultipathSelector } from "./host/host"
export { Interface } from "./host/interface"
export type { NetfilterHooks, HookName, HookNat, HookVerdict } from "./host/netfilter-hooks"
export { IptablesHooks } from "./host/iptables-hooks"
export { NetfilterStack } from "./host/netfilter-stack"
export * from "./nftables/index"
export * from "./ipvs/index"
export { ConntrackTable, KERNEL_CONNTRACK_MAX, KERNEL_CONNTRACK_BUCKETS } from "./conntrack/table"
export { ConntrackEntry } from "./conntrack/entry"
export { conntrackTimeouts, DEFAULT_CONNTRACK_TIMEOUTS, type ConntrackTimeouts } from "./conntrack/timeouts"
export { TCP_CT_NAMES } from "./conntrack/tcp-tracking"
export { IPS_SEEN_REPLY, IPS_ASSURED, IPS_CONFIRMED, IPS_SRC_NAT, IPS_DST_NAT } from "./conntrack/ct-state"
export { TcpConnection, type TcpHandlers, type TcpState } from "./transport/tcp-connection"
export { TcpStack, TcpListener, type AcceptHandler, type TcpConnectOptions, type TcpListenOptions } from "./transport/tcp-stack"
export { UdpStack, UdpSocket, type UdpHandlers } from "./transport/udp-stack"
export { AddressInUseError } from "./transport/address-in-use"
export { IcmpEchoStack, IcmpEchoSocket, type IcmpEchoHandlers } from "./transport/icmp-echo"
export {
  type TcpCloseReason,
  TCP_TIMEOUT_INIT,
  TCP_SYN_RETRIES,
  TCP_SYNACK_RETRIES,
  TCP_RETRIES2,
  TCP_RTO_MIN,
  TCP_RTO_MAX,
  TCP_TIMEWAIT_LEN,
  EPHEMERAL_PORT_MIN,
  EPHEMERAL_PORT_MAX,
} from "./transport/tcp-constants"
export { Fabric, vethName, type FabricOptions, type LanPairParams, type NodeSpec, type LanHostSpec } from "./fabric/fabric"
