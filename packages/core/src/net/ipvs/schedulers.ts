import type { Ipv4 } from "../addr/index"
import type { IpvsDest, IpvsService } from "./model"

// ip_vs_sh.c: IP_VS_SH_TAB_BITS 8; include/linux/hash.h GOLDEN_RATIO_32.
const SH_TAB_BITS = 8
const SH_TAB_SIZE = 1 << SH_TAB_BITS
const GOLDEN_RATIO_32 = 0x61c88647

/** ip_vs_sched.h / the schedulers' is_available checks: a weight of 0 takes no new connections. */
const usable = (d: IpvsDest): boolean => d.weight > 0

/** ip_vs_rr.c ip_vs_rr_schedule: continue after the last chosen destination, first usable one wins. */
const rr = (svc: IpvsService): IpvsDest | null => {
  const n = svc.dests.length
  for (let i = 1; i <= n; i++) {
    const idx = (svc.schedPos + i) % n
    const d = svc.dests[idx]!
    if (usable(d)) {
      svc.schedPos = idx
      return d
    }
  }
  return null
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * ip_vs_wrr.c ip_vs_wrr_schedule: walk the list from the last choice; a destination whose weight is at least
 * the current weight is chosen; each time the walk wraps, the current weight drops by the gcd of the weights,
 * restarting at the maximum (mw = max − (gcd − 1), ip_vs_wrr_dest_changed).
 */
const wrr = (svc: IpvsService): IpvsDest | null => {
  let max = 0
  let g = 0
  for (const d of svc.dests) {
    if (d.weight > max) max = d.weight
    if (d.weight > 0) g = gcd(d.weight, g)
  }
  if (max === 0) return null
  const mw = max - (g - 1)
  if (svc.schedCw <= 0 || svc.schedCw > mw) svc.schedCw = mw
  const n = svc.dests.length
  for (let steps = 0; steps <= n * (mw / g + 1); steps++) {
    let pos = svc.schedPos + 1
    if (pos >= n) {
      pos = 0
      svc.schedCw -= g
      if (svc.schedCw <= 0) svc.schedCw = mw
    }
    svc.schedPos = pos
    const d = svc.dests[pos]!
    if (d.weight > 0 && d.weight >= svc.schedCw) return d
  }
  return null
}

/** ip_vs_core.h ip_vs_dest_conn_overhead: active connections weigh 256 times an inactive one. */
const overhead = (d: IpvsDest): number => d.activeConns * 256 + d.inactConns

/** ip_vs_lc.c ip_vs_lc_schedule: least overhead; the first in list order wins a tie. */
const lc = (svc: IpvsService): IpvsDest | null => {
  let least: IpvsDest | null = null
  let loh = 0
  for (const d of svc.dests) {
    if (!usable(d)) continue
    const doh = overhead(d)
    if (least === null || doh < loh) {
      least = d
      loh = doh
    }
  }
  return least
}

/**
 * ip_vs_sh.c ip_vs_sh_reassign: 256 buckets dealt to destinations in list order, each taking `weight`
 * consecutive buckets (at least one), cycling until the table is full.
 */
export const shBuckets = (dests: ReadonlyArray<IpvsDest>): ReadonlyArray<IpvsDest | null> => {
  const out: Array<IpvsDest | null> = new Array(SH_TAB_SIZE).fill(null)
  if (dests.length === 0) return out
  let p = 0
  let count = 0
  for (let i = 0; i < SH_TAB_SIZE; i++) {
    const d = dests[p]!
    out[i] = d
    if (++count >= d.weight) {
      p = (p + 1) % dests.length
      count = 0
    }
  }
  return out
}

/** ip_vs_sh.c ip_vs_sh_hashkey with the port left out (no sh-port flag): hash_32(addr, 8). */
export const shHash = (addr: Ipv4): number => (Math.imul(addr >>> 0, GOLDEN_RATIO_32) >>> 0) >>> (32 - SH_TAB_BITS)

/** ip_vs_sh_schedule without sh-fallback: the bucket's destination, or none when it cannot take connections. */
const sh = (svc: IpvsService, caddr: Ipv4): IpvsDest | null => {
  if (svc.shBuckets === null) svc.shBuckets = shBuckets(svc.dests)
  const d = svc.shBuckets[shHash(caddr)] ?? null
  return d !== null && usable(d) ? d : null
}

/** Picks the real server for a new connection from `caddr` (null: none available). */
export const schedule = (svc: IpvsService, caddr: Ipv4): IpvsDest | null => {
  if (svc.dests.length === 0) return null
  switch (svc.spec.scheduler) {
    case "rr":
      return rr(svc)
    case "wrr":
      return wrr(svc)
    case "lc":
      return lc(svc)
    case "sh":
      return sh(svc, caddr)
  }
}

/** The scheduler's state after its destinations changed (each scheduler's add_dest/del_dest/upd_dest). */
export const resetScheduler = (svc: IpvsService): void => {
  svc.schedPos = -1
  svc.schedCw = 0
  svc.shBuckets = null
}
