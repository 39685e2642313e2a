import type { Nanos, Rng } from "../../sim/index"
import type { Ipv4, Packet } from "../packet/packet"
import { isIcmpError, PROTO_ICMP } from "../packet/packet"
import { IPS_DST_NAT, IPS_DST_NAT_DONE, IPS_SRC_NAT, IPS_SRC_NAT_DONE } from "./ct-state"
import type { ConntrackEntry } from "./entry"
import type { ConntrackTable } from "./table"

/** Which half of the tuple a NAT hook rewrites (HOOK2MANIP: PREROUTING/OUTPUT → DST, INPUT/POSTROUTING → SRC). */
export const MANIP_SRC = 0
export const MANIP_DST = 1

/** nf_nat_core.c: at most 128 candidate ports are tried per round (NF_NAT_MAX_ATTEMPTS). */
const MAX_ATTEMPTS = 128

/** Whether the entry already has its binding for this manip type (nf_nat_initialized). */
export const natInitialized = (e: ConntrackEntry, manip: number): boolean =>
  (e.status & (manip === MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE)) !== 0

/**
 * Sets up the binding of a new connection for one manip type (nf_nat_core.c nf_nat_setup_info and
 * get_unique_tuple): the translated original-direction tuple must be unique, i.e. its inverse must not be a
 * tuple of another connection. For SRC: keep the source port if the result is unique (unless
 * `randomFully`), else search a port from a random offset (nf_nat_l4proto_unique_tuple). For DST: the port
 * may only change within an explicit range.
 *
 * `toIp` is the new address (for a null binding: the current one); `portMin`/`portMax` 0 mean "no range".
 * Returns false if no unique tuple was found (the connection will then clash at confirm and be dropped).
 */
export const setupNat = (
  table: ConntrackTable,
  e: ConntrackEntry,
  manip: number,
  toIp: Ipv4,
  portMin: number,
  portMax: number,
  randomFully: boolean,
  rng: Rng,
  now: Nanos,
): boolean => {
  // The translated original tuple, as the packet will look after this manip (and any earlier one):
  // its inverse is the reply tuple.
  let src = e.replyDst, dst = e.replySrc, sport = e.replyDport, dport = e.replySport
  const proto = e.proto
  const rangeSpecified = portMin !== 0
  if (manip === MANIP_SRC) src = toIp >>> 0
  else dst = toIp >>> 0
  const inRange = (p: number): boolean => !rangeSpecified || (p >= portMin && p <= portMax)
  const used = (s: number, d: number, sp: number, dp: number): boolean => table.taken(d, s, dp, sp, proto, e, now)
  let ok = true
  if (proto === PROTO_ICMP && manip === MANIP_SRC) {
    // An echo's id is its "port" (nf_nat_l4proto_unique_tuple, case IPPROTO_ICMP: keyptr = &src.u.icmp.id,
    // the whole 16-bit space when no range is given): kept if the result is unique, else searched.
    if (randomFully || !inRange(sport) || used(src, dst, sport, dport)) {
      const p = rangeSpecified ? findPort(portMin, portMax - portMin + 1, rng, (cand) => !used(src, dst, cand, dport)) : findPort(1, 65535, rng, (cand) => !used(src, dst, cand, dport))
      ok = p !== 0
      if (ok) sport = p
    }
  } else if (proto === PROTO_ICMP) {
    // DNAT of an echo keeps its id (the kernel may also change it here; see README).
    ok = !used(src, dst, sport, dport)
  } else if (manip === MANIP_DST) {
    if (rangeSpecified) {
      if (!inRange(dport) || used(src, dst, sport, dport)) {
        const p = findPort(portMin, portMax - portMin + 1, rng, (cand) => !used(src, dst, sport, cand))
        ok = p !== 0
        if (ok) dport = p
        else dport = portMin
      }
    } else {
      // "If it's dst rewrite, can't change port" (nf_nat_l4proto_unique_tuple).
      ok = !used(src, dst, sport, dport)
    }
  } else if (randomFully || !inRange(sport) || used(src, dst, sport, dport)) {
    let min = portMin
    let size = portMax - portMin + 1
    if (!rangeSpecified) {
      // nf_nat_l4proto_unique_tuple: without a range, stay in the port's class: <512, 600-1023, ≥1024.
      if (sport < 1024) {
        if (sport < 512) { min = 1; size = 511 }
        else { min = 600; size = 1023 - 600 + 1 }
      } else {
        min = 1024
        size = 65535 - 1024 + 1
      }
    }
    const p = findPort(min, size, rng, (cand) => !used(src, dst, cand, dport))
    ok = p !== 0
    if (ok) sport = p
  }
  // Commit the binding: the reply tuple is the inverse of the translated original tuple.
  if (manip === MANIP_SRC) {
    if (src !== e.origSrc || sport !== e.origSport) e.status |= IPS_SRC_NAT
    e.replyDst = src
    e.replyDport = sport
    e.status |= IPS_SRC_NAT_DONE
  } else {
    if (dst !== e.origDst || dport !== e.origDport) e.status |= IPS_DST_NAT
    e.replySrc = dst
    e.replySport = dport
    e.status |= IPS_DST_NAT_DONE
  }
  return ok
}

/**
 * nf_nat_l4proto_unique_tuple's search: from a random 16-bit offset (get_random_u16), try up to 128
 * consecutive ports of the range; if none is free, halve the attempts and retry from a new offset while
 * attempts ≥ 16. Returns 0 if nothing was found.
 */
const findPort = (min: number, size: number, rng: Rng, free: (port: number) => boolean): number => {
  let off = rng.uint32() & 0xffff
  let attempts = size > MAX_ATTEMPTS ? MAX_ATTEMPTS : size
  for (;;) {
    for (let i = 0; i < attempts; i++, off++) {
      const p = min + (off % size)
      if (free(p)) return p
    }
    if (attempts >= size || attempts < 16) return 0
    attempts >>= 1
    off = rng.uint32() & 0xffff
  }
}

/**
 * Applies the connection's stored translation to a packet at a hook (nf_nat_core.c nf_nat_packet and
 * nf_nat_manip_pkt): in the original direction the manip's own translation, in the reply direction the
 * inverse one. The target is the inverse of the other direction's tuple. For an ICMP error (RELATED), the
 * quoted inner header gets the opposite manip (nf_nat_proto.c nf_nat_icmp_reply_translation), so the
 * sender sees the addresses it used. An ICMP echo is translated like TCP/UDP: its id is its "port"
 * (nf_nat_proto.c icmp_manip_pkt rewrites hdr->un.echo.id from the tuple).
 */
export const natPacket = (pkt: Packet, e: ConntrackEntry, manip: number): void => {
  const dir = pkt.ctDir
  let bit = manip === MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT
  if (dir === 1) bit = bit === IPS_SRC_NAT ? IPS_DST_NAT : IPS_SRC_NAT
  if ((e.status & bit) === 0) return
  // `other` = the tuple of the opposite direction.
  const oSrc = dir === 0 ? e.replySrc : e.origSrc
  const oDst = dir === 0 ? e.replyDst : e.origDst
  const oSport = dir === 0 ? e.replySport : e.origSport
  const oDport = dir === 0 ? e.replyDport : e.origDport
  if (pkt.proto === PROTO_ICMP && isIcmpError(pkt.icmpType)) {
    if (manip === MANIP_SRC) {
      pkt.src = oDst
      pkt.innerDst = oDst
      pkt.innerDport = oDport
    } else {
      pkt.dst = oSrc
      pkt.innerSrc = oSrc
      pkt.innerSport = oSport
    }
    return
  }
  if (manip === MANIP_SRC) {
    pkt.src = oDst
    pkt.sport = oDport
  } else {
    pkt.dst = oSrc
    pkt.dport = oSport
  }
}
