import type { Nanos } from "../../sim/index"
import type { Ipv4 } from "../addr/index"

export type { Ipv4 }

/** IP protocol numbers (include/uapi/linux/in.h), shared with netfilter. */
export { PROTO_ICMP, PROTO_TCP, PROTO_UDP } from "../netfilter/index"

/** TCP header flag bits, as in the header's flags byte (include/net/tcp.h TCPHDR_*). */
export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_PSH = 0x08
export const TCP_ACK = 0x10

/** ICMP types and destination-unreachable codes (include/uapi/linux/icmp.h). */
export const ICMP_DEST_UNREACH = 3
export const ICMP_TIME_EXCEEDED = 11
export const ICMP_NET_UNREACH = 0
export const ICMP_HOST_UNREACH = 1
export const ICMP_PROT_UNREACH = 2
export const ICMP_PORT_UNREACH = 3
export const ICMP_NET_ANO = 9
export const ICMP_HOST_ANO = 10
export const ICMP_PKT_FILTERED = 13

/** ICMP echo (include/uapi/linux/icmp.h ICMP_ECHO / ICMP_ECHOREPLY): what ping sends and gets back. */
export const ICMP_ECHO = 8
export const ICMP_ECHOREPLY = 0

/**
 * An echo's conntrack "ports". The kernel's ICMP tuple is (id, type, code) with the reply tuple's type inverted
 * (nf_conntrack_proto_icmp.c icmp_pkt_to_tuple / nf_conntrack_invert_icmp_tuple: ECHO ⇄ ECHOREPLY, same id).
 * Here an echo request carries `sport = id, dport = ICMP_ECHO_KEY` and its reply `sport = ICMP_ECHO_KEY,
 * dport = id`, so the request's inverted tuple is the reply's and a request the other way round (type 8 again)
 * is a different tuple, as in the kernel. The key is above every port so it can never look like one.
 */
export const ICMP_ECHO_KEY = 0x10008

/** Whether an ICMP type is an error (it quotes a header and is RELATED to its connection), not a query. */
export const isIcmpError = (type: number): boolean => type === ICMP_DEST_UNREACH || type === ICMP_TIME_EXCEEDED

/** Linux's default IP TTL (net.ipv4.ip_default_ttl = IPDEFTTL = 64, include/uapi/linux/ip.h). */
export const DEFAULT_TTL = 64

/** Header sizes in bytes: IPv4 20, TCP 20, UDP 8, ICMP 8 (an ICMP error quotes the IP header + 8 bytes). */
export const IP_HEADER = 20
export const TCP_HEADER = 20
export const UDP_HEADER = 8
export const ICMP_HEADER = 8

/**
 * One IP packet in flight. Mutable and reused by the stack (NAT rewrites addresses in place, as the kernel
 * rewrites the skb); one class with a fixed field set so every hot-path access is monomorphic.
 *
 * The fields `src … length` are netfilter's `PacketMeta`: a Packet is passed to the rule evaluator as is.
 */
export class Packet {
  // --- netfilter's PacketMeta ---
  src: Ipv4 = 0
  dst: Ipv4 = 0
  proto = 0
  sport = 0
  dport = 0
  /** Input interface name; "" for locally generated packets. */
  inIface = ""
  /** Output interface name; "" until routing chose one. */
  outIface = ""
  /** The skb mark (`-j MARK`, `-m mark`): per host, cleared when the packet leaves a host. */
  mark = 0
  /** Conntrack state bits for `-m conntrack --ctstate` (see conntrack/ct-state.ts). */
  ctState = 0
  /** Total IP length in bytes. */
  length = 0
  /** skb->ipvs_property: the IPVS connection (`-m ipvs` reads vaddr/vport); per host, like the mark. */
  ipvs: { readonly vaddr: Ipv4; readonly vport: number } | null = null
  /** With `ipvs`: a reply un-NATed by ip_vs_out. */
  ipvsReply = false

  // --- headers ---
  /** Unique per network, in creation order. */
  readonly id: number
  ttl = DEFAULT_TTL
  /** TCP flag bits (TCP_SYN …); 0 for UDP/ICMP. */
  flags = 0
  /**
   * TCP sequence / acknowledgement numbers, counted in segments (the simulated TCP numbers messages, not bytes).
   * An ICMP echo carries its sequence number in `seq` and its id in `sport`/`dport` (see ICMP_ECHO_KEY).
   */
  seq = 0
  ack = 0
  /** ICMP type and code (proto 1). */
  icmpType = 0
  icmpCode = 0
  /** For an ICMP error: the quoted header of the packet it is about (as that packet was when dropped). */
  innerSrc: Ipv4 = 0
  innerDst: Ipv4 = 0
  innerProto = 0
  innerSport = 0
  innerDport = 0
  /** Application data carried (a message object); its size is in `length`. */
  payload: unknown = null
  /** Application bytes carried (length minus headers). */
  bytes = 0
  /** When the originating host sent it. */
  readonly sentAt: Nanos

  // --- stack bookkeeping (per hop; not header fields) ---
  /** The host that created it (for counters). */
  originHost = ""
  /** Where the current hop ends: the receiving interface (set by the link). */
  nextIface: unknown = null
  /** The conntrack entry this packet belongs to at the current host, and its direction (0 original, 1 reply). */
  ct: unknown = null
  ctDir = 0

  constructor(id: number, sentAt: Nanos) {
    this.id = id
    this.sentAt = sentAt
  }
}

/** Renders TCP flags like tcpdump: `[S]`, `[S.]`, `[F.]`, `[R.]`, `[P.]`, `[.]`. */
export const formatTcpFlags = (flags: number): string => {
  let s = ""
  if (flags & TCP_SYN) s += "S"
  if (flags & TCP_FIN) s += "F"
  if (flags & TCP_RST) s += "R"
  if (flags & TCP_PSH) s += "P"
  if (flags & TCP_ACK) s += "."
  return `[${s}]`
}
