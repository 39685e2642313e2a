import { seconds, type Nanos } from "../../sim/index"
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "../packet/packet"

/** IPVS's own TCP states (net/netfilter/ipvs/ip_vs_proto_tcp.c, IP_VS_TCP_S_*), in the kernel's order. */
export const IPVS_TCP_STATES = [
  "NONE",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "SYNACK",
] as const
export type IpvsTcpState = (typeof IPVS_TCP_STATES)[number]

const [sNO, sES, sSS, sSR, sFW, sTW, sCL, sCW, sLA, sLI, sSA] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const
export const TCP_S_ESTABLISHED = sES

/**
 * ip_vs_proto_tcp.c tcp_state_active_table: the states a real server's ActiveConn counts (the rest count as
 * InActConn). The pre-established states are active since Linux 4.10 ("ipvs: count pre-established TCP states
 * as active"), so lc/wlc see a connection in its handshake as the load it is about to be.
 */
export const tcpStateActive = (state: number): boolean => state === sES || state === sSS || state === sSR || state === sSA

// ip_vs_proto_tcp.c tcp_states[]: rows syn, fin, ack, rst; the INPUT block for packets from the client, the
// OUTPUT block for replies from the real server (masquerading sees both directions).
// prettier-ignore
const INPUT: ReadonlyArray<ReadonlyArray<number>> = [
  /*syn*/ [sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR],
  /*fin*/ [sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW],
  /*ack*/ [sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES],
  /*rst*/ [sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR],
]
// prettier-ignore
const OUTPUT: ReadonlyArray<ReadonlyArray<number>> = [
  /*syn*/ [sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR],
  /*fin*/ [sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW],
  /*ack*/ [sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES],
  /*rst*/ [sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL],
]

/** ip_vs_proto_tcp.c tcp_state_idx: RST wins, then SYN, FIN, ACK; -1 leaves the state as it is. */
const stateIdx = (flags: number): number =>
  flags & TCP_RST ? 3 : flags & TCP_SYN ? 0 : flags & TCP_FIN ? 1 : flags & TCP_ACK ? 2 : -1

/** set_tcp_state: the next state for a segment seen in `dir` ("in": client → server). */
export const nextTcpState = (state: number, flags: number, dir: "in" | "out"): number => {
  const idx = stateIdx(flags)
  if (idx < 0) return state
  return (dir === "in" ? INPUT : OUTPUT)[idx]![state]!
}

/**
 * Connection timeouts, per state (ip_vs_proto_tcp.c tcp_timeouts; ip_vs_proto_udp.c udp_timeouts). `ipvsadm
 * --set tcp tcpfin udp` (kube-proxy's --ipvs-tcp-timeout, --ipvs-tcpfin-timeout, --ipvs-udp-timeout) sets the
 * ESTABLISHED, FIN_WAIT and UDP values.
 */
export interface IpvsTimeouts {
  readonly tcp: Nanos
  readonly tcpFin: Nanos
  readonly udp: Nanos
}
export const DEFAULT_IPVS_TIMEOUTS: IpvsTimeouts = { tcp: seconds(900), tcpFin: seconds(120), udp: seconds(300) }

// The fixed ones: NONE 2 s, SYN_SENT 2 min, SYN_RECV 1 min, TIME_WAIT 2 min, CLOSE 10 s, CLOSE_WAIT 60 s,
// LAST_ACK 30 s, LISTEN 2 min, SYNACK 2 min.
const FIXED: ReadonlyArray<Nanos> = [
  seconds(2), 0, seconds(120), seconds(60), 0, seconds(120), seconds(10), seconds(60), seconds(30), seconds(120), seconds(120),
]

export const tcpStateTimeout = (state: number, t: IpvsTimeouts): Nanos =>
  state === sES ? t.tcp : state === sFW ? t.tcpFin : FIXED[state]!
