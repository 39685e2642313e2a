import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "../packet/packet"
import type { ConntrackTimeouts } from "./timeouts"

/** TCP conntrack states, numbered as the kernel's enum tcp_conntrack (include/uapi/linux/netfilter/nf_conntrack_tcp.h). */
export const TCP_CT_NONE = 0
export const TCP_CT_SYN_SENT = 1
export const TCP_CT_SYN_RECV = 2
export const TCP_CT_ESTABLISHED = 3
export const TCP_CT_FIN_WAIT = 4
export const TCP_CT_CLOSE_WAIT = 5
export const TCP_CT_LAST_ACK = 6
export const TCP_CT_TIME_WAIT = 7
export const TCP_CT_CLOSE = 8
export const TCP_CT_SYN_SENT2 = 9
/** Table outcomes that are not states: the packet is invalid (sIV) or ignored (sIG). */
export const TCP_CT_INVALID = 10
export const TCP_CT_IGNORE = 11

/** Names as `conntrack -L` prints them (nf_conntrack_proto_tcp.c tcp_conntrack_names). */
export const TCP_CT_NAMES = [
  "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
] as const

/** Which row of the table a segment selects (nf_conntrack_proto_tcp.c get_conntrack_index). */
export const tcpFlagIndex = (flags: number): number => {
  if (flags & TCP_RST) return 4
  if (flags & TCP_SYN) return flags & TCP_ACK ? 1 : 0
  if (flags & TCP_FIN) return 2
  if (flags & TCP_ACK) return 3
  return 5
}

const sNO = TCP_CT_NONE, sSS = TCP_CT_SYN_SENT, sSR = TCP_CT_SYN_RECV, sES = TCP_CT_ESTABLISHED
const sFW = TCP_CT_FIN_WAIT, sCW = TCP_CT_CLOSE_WAIT, sLA = TCP_CT_LAST_ACK, sTW = TCP_CT_TIME_WAIT
const sCL = TCP_CT_CLOSE, sS2 = TCP_CT_SYN_SENT2, sIV = TCP_CT_INVALID, sIG = TCP_CT_IGNORE

/**
 * The state transition table, [direction][flag index][old state] → new state, transcribed from
 * net/netfilter/nf_conntrack_proto_tcp.c `tcp_conntracks` (columns sNO sSS sSR sES sFW sCW sLA sTW sCL sS2).
 * Window tracking (tcp_in_window) is not modelled: the simulated TCP never sends out-of-window segments.
 */
const TABLE: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>> = [
  [
    /* syn    */ [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    /* synack */ [sIV, sIV, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
  [
    /* syn    */ [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sS2],
    /* synack */ [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
]

/** Flattened for a single indexed load: [dir * 60 + index * 10 + state]. */
const FLAT = new Uint8Array(120)
for (let d = 0; d < 2; d++)
  for (let i = 0; i < 6; i++)
    for (let s = 0; s < 10; s++) FLAT[d * 60 + i * 10 + s] = (TABLE[d] as number[][])[i]![s] as number

/** The new state for a segment with `flags` in direction `dir` (0 original, 1 reply) from `state`. */
export const tcpTransition = (dir: number, flags: number, state: number): number =>
  FLAT[dir * 60 + tcpFlagIndex(flags) * 10 + state] as number

/** The timeout a connection gets on entering `state` (nf_conntrack_proto_tcp.c tcp_timeouts). */
export const tcpStateTimeout = (t: ConntrackTimeouts, state: number): number => {
  switch (state) {
    case TCP_CT_SYN_SENT: return t.tcpSynSent
    case TCP_CT_SYN_RECV: return t.tcpSynRecv
    case TCP_CT_ESTABLISHED: return t.tcpEstablished
    case TCP_CT_FIN_WAIT: return t.tcpFinWait
    case TCP_CT_CLOSE_WAIT: return t.tcpCloseWait
    case TCP_CT_LAST_ACK: return t.tcpLastAck
    case TCP_CT_TIME_WAIT: return t.tcpTimeWait
    case TCP_CT_CLOSE: return t.tcpClose
    case TCP_CT_SYN_SENT2: return t.tcpSynSent2
    default: return t.tcpClose
  }
}

