import type { Nanos } from "../../sim/index"
import { ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, PROTO_ICMP, PROTO_TCP, PROTO_UDP, TCP_SYN, TCP_ACK, type Packet } from "../packet/packet"
import {
  CT_DNAT, CT_ESTABLISHED, CT_INVALID, CT_NEW, CT_RELATED, CT_SNAT, CT_UNTRACKED,
  IPS_ASSURED, IPS_DST_NAT, IPS_SEEN_REPLY, IPS_SRC_NAT,
} from "./ct-state"
import type { ConntrackEntry } from "./entry"
import { tupleHash, type ConntrackTable } from "./table"
import {
  TCP_CT_CLOSE, TCP_CT_ESTABLISHED, TCP_CT_IGNORE, TCP_CT_INVALID, TCP_CT_NONE, TCP_CT_SYN_RECV, TCP_CT_TIME_WAIT,
  tcpStateTimeout, tcpTransition,
} from "./tcp-tracking"
import type { ConntrackTimeouts } from "./timeouts"

/** UDP's stream timeout applies once the connection is 2 s old (nf_conntrack_proto_udp.c: stream_ts = jiffies + 2*HZ). */
const UDP_STREAM_AFTER = 2_000_000_000

/**
 * The SNAT/DNAT pseudo-states of a connection, read from its status bits as xt_conntrack.c `conntrack_mt` does
 * at every match (`test_bit(IPS_SRC_NAT_BIT / IPS_DST_NAT_BIT, &ct->status)`).
 */
export const natBits = (e: ConntrackEntry): number =>
  ((e.status & IPS_DST_NAT) !== 0 ? CT_DNAT : 0) | ((e.status & IPS_SRC_NAT) !== 0 ? CT_SNAT : 0)

/**
 * Conntrack's entry point for a packet at PREROUTING or OUTPUT (nf_conntrack_core.c nf_conntrack_in):
 * finds the connection (or makes an unconfirmed one for a first packet), advances its protocol state and
 * timeout, and sets `pkt.ct`, `pkt.ctDir` and `pkt.ctState`.
 *
 * A packet that is already tracked (looped back locally) is left as it is.
 *
 * Returns false when conntrack drops the packet itself: a new connection with the table at nf_conntrack_max
 * and nothing early_drop could evict (nf_conntrack_in returns NF_DROP: "nf_conntrack: table full, dropping packet").
 */
export const conntrackIn = (table: ConntrackTable, t: ConntrackTimeouts, pkt: Packet, now: Nanos): boolean => {
  const proto = pkt.proto
  if (proto === PROTO_ICMP) {
    icmpIn(table, pkt, now)
    return true
  }
  if (proto !== PROTO_TCP && proto !== PROTO_UDP) {
    pkt.ct = null
    pkt.ctState = CT_UNTRACKED
    return true
  }
  let node = table.find(pkt.src, pkt.dst, pkt.sport, pkt.dport, proto, now)
  if (node !== null && proto === PROTO_TCP) {
    const e = node.entry
    // nf_conntrack_proto_tcp.c nf_conntrack_tcp_packet: a SYN in the original direction on a closed or
    // TIME_WAIT connection reopens it: the old entry is killed and the packet is looked up again (NEW).
    if (node.dir === 0 && (pkt.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && (e.tcpState === TCP_CT_CLOSE || e.tcpState === TCP_CT_TIME_WAIT)) {
      table.delete(e)
      node = null
    }
  }
  if (node === null) return newConnection(table, t, pkt, now)
  const e = node.entry
  const dir = node.dir
  if (proto === PROTO_TCP) {
    const next = tcpTransition(dir, pkt.flags, e.tcpState)
    if (next === TCP_CT_INVALID) {
      // The kernel detaches the entry and the packet is INVALID (nf_conntrack_in: ret <= 0).
      pkt.ct = null
      pkt.ctState = CT_INVALID
      return true
    }
    if (next !== TCP_CT_IGNORE) {
      const old = e.tcpState
      e.tcpState = next
      if (dir === 1) e.status |= IPS_SEEN_REPLY
      // nf_conntrack_tcp_packet: ESTABLISHED reached from SYN_RECV (the 3rd packet of the handshake) assures.
      if (old === TCP_CT_SYN_RECV && next === TCP_CT_ESTABLISHED) e.status |= IPS_ASSURED
      e.expires = now + tcpStateTimeout(t, next)
    }
  } else {
    // nf_conntrack_proto_udp.c nf_conntrack_udp_packet
    if (dir === 1) e.status |= IPS_SEEN_REPLY
    if ((e.status & IPS_SEEN_REPLY) !== 0) {
      if (now > e.createdAt + UDP_STREAM_AFTER) {
        e.expires = now + t.udpStream
        e.status |= IPS_ASSURED
      } else {
        e.expires = now + t.udpUnreplied
      }
    } else {
      e.expires = now + t.udpUnreplied
    }
  }
  pkt.ct = e
  pkt.ctDir = dir
  pkt.ctState = (dir === 1 || (e.status & IPS_SEEN_REPLY) !== 0 ? CT_ESTABLISHED : CT_NEW) | natBits(e)
  return true
}

const newConnection = (table: ConntrackTable, t: ConntrackTimeouts, pkt: Packet, now: Nanos): boolean => {
  let timeout = t.udpUnreplied
  let state = TCP_CT_NONE
  if (pkt.proto === PROTO_TCP) {
    // nf_conntrack_proto_tcp.c tcp_new: a SYN starts SYN_SENT; a bare ACK is picked up mid-stream as
    // ESTABLISHED (nf_conntrack_tcp_loose = 1); anything else cannot start a connection.
    state = tcpTransition(0, pkt.flags, TCP_CT_NONE)
    if (state === TCP_CT_INVALID || state === TCP_CT_IGNORE) {
      pkt.ct = null
      pkt.ctState = CT_INVALID
      return true
    }
    timeout = tcpStateTimeout(t, state)
  }
  // init_conntrack → __nf_conntrack_alloc, keyed by the original tuple's hash (resolve_normal_ct).
  if (table.full && !table.admitWhenFull(tupleHash(pkt.src, pkt.dst, pkt.sport, pkt.dport, pkt.proto), now)) {
    pkt.ct = null
    pkt.ctState = CT_INVALID
    table.onTableFull?.(pkt, now)
    return false
  }
  const e = table.create(pkt.proto, pkt.src, pkt.dst, pkt.sport, pkt.dport, now)
  e.tcpState = state
  e.expires = now + timeout
  pkt.ct = e
  pkt.ctDir = 0
  pkt.ctState = CT_NEW
  return true
}

/**
 * ICMP errors are RELATED to the connection of the packet they quote (nf_conntrack_proto_icmp.c
 * icmp_error_message); an error quoting no known connection is INVALID. Other ICMP is not tracked here.
 */
const icmpIn = (table: ConntrackTable, pkt: Packet, now: Nanos): void => {
  if (pkt.icmpType !== ICMP_DEST_UNREACH && pkt.icmpType !== ICMP_TIME_EXCEEDED) {
    pkt.ct = null
    pkt.ctState = CT_UNTRACKED
    return
  }
  const node = table.find(pkt.innerSrc, pkt.innerDst, pkt.innerSport, pkt.innerDport, pkt.innerProto, now)
  if (node === null) {
    pkt.ct = null
    pkt.ctState = CT_INVALID
    return
  }
  pkt.ct = node.entry
  // The error travels opposite to the packet it quotes.
  pkt.ctDir = 1 - node.dir
  pkt.ctState = CT_RELATED | natBits(node.entry)
}

/** Timeout bookkeeping helper for tests and `conntrack -L`: seconds left, rounded down as the kernel prints. */
export const secondsLeft = (e: ConntrackEntry, now: Nanos): number => Math.max(0, Math.floor((e.expires - now) / 1e9))

