import { NANOS_PER_SECOND, type Nanos } from "../../sim/index"

/**
 * Conntrack timeouts (the `net.netfilter.nf_conntrack_*_timeout_*` sysctls), in nanoseconds.
 * Defaults are the kernel's: net/netfilter/nf_conntrack_proto_tcp.c `tcp_timeouts[]`,
 * net/netfilter/nf_conntrack_proto_udp.c `udp_timeouts[]`, nf_conntrack_proto_icmp.c `nf_ct_icmp_timeout`.
 */
export interface ConntrackTimeouts {
  readonly tcpSynSent: Nanos
  readonly tcpSynRecv: Nanos
  readonly tcpEstablished: Nanos
  readonly tcpFinWait: Nanos
  readonly tcpCloseWait: Nanos
  readonly tcpLastAck: Nanos
  readonly tcpTimeWait: Nanos
  readonly tcpClose: Nanos
  readonly tcpSynSent2: Nanos
  /** UDP before a reply is seen (nf_conntrack_udp_timeout). */
  readonly udpUnreplied: Nanos
  /** UDP once traffic flowed both ways for 2 s (nf_conntrack_udp_timeout_stream). */
  readonly udpStream: Nanos
  readonly icmp: Nanos
}

const S = NANOS_PER_SECOND
export const DEFAULT_CONNTRACK_TIMEOUTS: ConntrackTimeouts = {
  tcpSynSent: 120 * S,
  tcpSynRecv: 60 * S,
  tcpEstablished: 5 * 24 * 3600 * S,
  tcpFinWait: 120 * S,
  tcpCloseWait: 60 * S,
  tcpLastAck: 30 * S,
  tcpTimeWait: 120 * S,
  tcpClose: 10 * S,
  tcpSynSent2: 120 * S,
  udpUnreplied: 30 * S,
  udpStream: 120 * S,
  icmp: 30 * S,
}

/** Defaults with some values replaced; every value must be a whole number of nanoseconds > 0. */
export const conntrackTimeouts = (overrides: Partial<ConntrackTimeouts> = {}): ConntrackTimeouts => {
  const t = { ...DEFAULT_CONNTRACK_TIMEOUTS, ...overrides }
  for (const [k, v] of Object.entries(t)) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`conntrack timeout ${k}: expected a positive whole number of nanoseconds, got ${v}`)
    }
  }
  return t
}
