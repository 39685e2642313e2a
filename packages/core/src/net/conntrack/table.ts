import type { Nanos } from "../../sim/index"
import type { Ipv4, Packet } from "../packet/packet"
import { IPS_ASSURED, IPS_CONFIRMED } from "./ct-state"
import { ConntrackEntry, type TupleNode } from "./entry"

/** Hash of a 5-tuple (a murmur3-style mix; any good 32-bit mix works, the order it yields is never observed). */
export const tupleHash = (src: Ipv4, dst: Ipv4, sport: number, dport: number, proto: number): number => {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b)
  h ^= dst
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35)
  h ^= (sport << 16) | dport
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f)
  h ^= proto
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * nf_conntrack_max and nf_conntrack_buckets as the kernel sizes them on a 64-bit machine with more than 4 GiB:
 * 262144 buckets and a max factor of 1 (nf_conntrack_core.c nf_conntrack_init_start).
 */
export const KERNEL_CONNTRACK_MAX = 262144
export const KERNEL_CONNTRACK_BUCKETS = 262144

/** nf_conntrack_core.c NF_CT_EVICTION_RANGE: how many hash buckets early_drop looks at. */
const EVICTION_RANGE = 8

/**
 * The conntrack table of one host: confirmed entries hashed by both tuples (chained buckets, doubled when
 * the load passes 1), and an insertion-ordered list for listing and garbage collection.
 *
 * Expiry is lazy and deterministic: a lookup that finds an expired entry removes it (as the kernel's
 * nf_conntrack_find does via nf_ct_gc_expired), and each confirm also examines the next two entries of the
 * list from a rotating cursor (the kernel runs gc_worker periodically; an incremental sweep tied to inserts
 * needs no timer events and keeps the table bounded). `gc(now)` sweeps everything.
 */
export class ConntrackTable {
  private heads: (TupleNode | null)[] = new Array<TupleNode | null>(256).fill(null)
  private mask = 255
  private count = 0
  private head: ConntrackEntry | null = null
  private tail: ConntrackEntry | null = null
  private cursor: ConntrackEntry | null = null
  private nextId = 1
  /** net.netfilter.nf_conntrack_max: new connections beyond it need an early drop or are dropped; 0 = no limit. */
  max = KERNEL_CONNTRACK_MAX
  private hashsize = KERNEL_CONNTRACK_BUCKETS
  /** Entries evicted by early_drop (the kernel's `early_drop` statistic). */
  earlyDrops = 0
  /** New connections refused because the table was full (the kernel's `drop` statistic). */
  fullDrops = 0
  /** Told of each packet refused for a full table (the kernel logs "nf_conntrack: table full, dropping packet"). */
  onTableFull: ((pkt: Packet, now: Nanos) => void) | null = null

  /** Confirmed entries, expired ones not yet collected included. */
  get size(): number {
    return this.count
  }

  /**
   * net.netfilter.nf_conntrack_buckets (the `hashsize` module parameter): the kernel's hash size, which decides
   * what early_drop looks at. Rounded up to a power of two here (so a kernel bucket maps onto this table's own
   * buckets); the kernel takes any size.
   */
  get buckets(): number {
    return this.hashsize
  }
  set buckets(n: number) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 30) throw new RangeError(`nf_conntrack_buckets: expected a whole number in 1..2^30, got ${n}`)
    let p = 1
    while (p < n) p *= 2
    this.hashsize = p
  }

  /** At nf_conntrack_max (nf_conntrack_core.c __nf_conntrack_alloc: `ct_count >= nf_conntrack_max`). */
  get full(): boolean {
    return this.max !== 0 && this.count >= this.max
  }

  /**
   * With the table full, room for a new connection whose original tuple hashes to `hash` once early_drop evicted
   * something (__nf_conntrack_alloc); false means the kernel drops the packet.
   */
  admitWhenFull(hash: number, now: Nanos): boolean {
    if (this.earlyDrop(hash, now)) return true
    this.fullDrops++
    return false
  }

  /**
   * nf_conntrack_core.c early_drop / early_drop_list: from the new tuple's bucket, up to NF_CT_EVICTION_RANGE
   * buckets of the kernel's hash table; in the first bucket that has any, every confirmed entry that is not
   * ASSURED is deleted (expired ones met on the way are collected but do not count). ASSURED entries (a TCP
   * handshake completed, UDP seen both ways over 2 s) are never evicted.
   *
   * The kernel hashes with a boot-time random jhash seed; this table's own mix stands in for it, so which
   * connections share a bucket differs from a given kernel, while how many candidates are looked at matches.
   */
  private earlyDrop(hash: number, now: Nanos): boolean {
    const hsize = this.hashsize
    const own = this.heads.length
    for (let i = 0; i < EVICTION_RANGE; i++) {
      const kernelBucket = (hash + i) & (hsize - 1)
      const victims: ConntrackEntry[] = []
      const expired: ConntrackEntry[] = []
      // This table's buckets holding that kernel bucket's nodes: every hsize-th one when it is larger, else one
      // bucket whose nodes are filtered.
      const step = own >= hsize ? hsize : own
      for (let b = own >= hsize ? kernelBucket : kernelBucket & this.mask; b < own; b += step) {
        for (let n = this.heads[b] as TupleNode | null; n !== null; n = n.next) {
          if ((n.hash & (hsize - 1)) !== kernelBucket) continue
          const e = n.entry
          if (e.expires <= now) {
            if (!expired.includes(e)) expired.push(e)
          } else if ((e.status & IPS_ASSURED) === 0 && !victims.includes(e)) victims.push(e)
        }
        if (own < hsize) break
      }
      for (const e of expired) this.delete(e)
      for (const e of victims) this.delete(e)
      if (victims.length > 0) {
        this.earlyDrops += victims.length
        return true
      }
    }
    return false
  }

  /** A new, unconfirmed entry for a first packet (not in the table until `confirm`). */
  create(proto: number, src: Ipv4, dst: Ipv4, sport: number, dport: number, now: Nanos): ConntrackEntry {
    return new ConntrackEntry(this.nextId++, proto, src, dst, sport, dport, now)
  }

  /** The live entry node for a tuple (either direction), or null. Removes the entry if it has expired. */
  find(src: Ipv4, dst: Ipv4, sport: number, dport: number, proto: number, now: Nanos): TupleNode | null {
    let n = this.heads[tupleHash(src, dst, sport, dport, proto) & this.mask] as TupleNode | null
    while (n !== null) {
      const e = n.entry
      if (e.proto === proto) {
        if (n.dir === 0) {
          if (e.origSrc === src && e.origDst === dst && e.origSport === sport && e.origDport === dport) {
            if (e.expires <= now) {
              this.delete(e)
              return null
            }
            return n
          }
        } else if (e.replySrc === src && e.replyDst === dst && e.replySport === sport && e.replyDport === dport) {
          if (e.expires <= now) {
            this.delete(e)
            return null
          }
          return n
        }
      }
      n = n.next
    }
    return null
  }

  /**
   * Whether a live entry other than `ignore` has this tuple in either direction
   * (nf_conntrack_core.c nf_conntrack_tuple_taken).
   */
  taken(src: Ipv4, dst: Ipv4, sport: number, dport: number, proto: number, ignore: ConntrackEntry | null, now: Nanos): boolean {
    const n = this.find(src, dst, sport, dport, proto, now)
    return n !== null && n.entry !== ignore
  }

  /**
   * Inserts an unconfirmed entry (nf_conntrack_core.c __nf_conntrack_confirm). Returns false, inserting
   * nothing, if either tuple is already taken (the kernel then drops the packet).
   */
  confirm(e: ConntrackEntry, now: Nanos): boolean {
    if (
      this.taken(e.origSrc, e.origDst, e.origSport, e.origDport, e.proto, e, now) ||
      this.taken(e.replySrc, e.replyDst, e.replySport, e.replyDport, e.proto, e, now)
    ) {
      return false
    }
    this.sweep(now, 2)
    e.status |= IPS_CONFIRMED
    this.link(e.origNode, tupleHash(e.origSrc, e.origDst, e.origSport, e.origDport, e.proto))
    this.link(e.replyNode, tupleHash(e.replySrc, e.replyDst, e.replySport, e.replyDport, e.proto))
    e.prev = this.tail
    e.nextInList = null
    if (this.tail === null) this.head = e
    else this.tail.nextInList = e
    this.tail = e
    this.count++
    if (this.count * 2 > this.heads.length) this.grow()
    return true
  }

  /** Removes a confirmed entry (conntrack -D, expiry, or a SYN reopening a closed tuple). */
  delete(e: ConntrackEntry): void {
    if ((e.status & IPS_CONFIRMED) === 0) return
    e.status &= ~IPS_CONFIRMED
    this.unlink(e.origNode)
    this.unlink(e.replyNode)
    if (this.cursor === e) this.cursor = e.nextInList
    if (e.prev === null) this.head = e.nextInList
    else e.prev.nextInList = e.nextInList
    if (e.nextInList === null) this.tail = e.prev
    else e.nextInList.prev = e.prev
    e.prev = null
    e.nextInList = null
    this.count--
  }

  /** Deletes every live entry for which `pred` holds (`conntrack -D` with filters); returns how many. */
  deleteWhere(pred: (e: ConntrackEntry) => boolean, now: Nanos): number {
    let n = 0
    for (let e = this.head; e !== null; ) {
      const next = e.nextInList
      if (e.expires <= now) this.delete(e)
      else if (pred(e)) {
        this.delete(e)
        n++
      }
      e = next
    }
    return n
  }

  /** Live entries in insertion order (`conntrack -L`); collects expired ones on the way. */
  list(now: Nanos): ConntrackEntry[] {
    const out: ConntrackEntry[] = []
    for (let e = this.head; e !== null; ) {
      const next = e.nextInList
      if (e.expires <= now) this.delete(e)
      else out.push(e)
      e = next
    }
    return out
  }

  /** Removes every expired entry; returns how many. */
  gc(now: Nanos): number {
    const before = this.count
    this.list(now)
    return before - this.count
  }

  /** Examines up to `n` entries from the rotating cursor and removes the expired ones. */
  private sweep(now: Nanos, n: number): void {
    for (let i = 0; i < n; i++) {
      const e = this.cursor ?? this.head
      if (e === null) return
      this.cursor = e.nextInList
      if (e.expires <= now) this.delete(e)
    }
  }

  private link(node: TupleNode, hash: number): void {
    node.hash = hash
    const b = hash & this.mask
    node.next = this.heads[b] as TupleNode | null
    this.heads[b] = node
  }

  private unlink(node: TupleNode): void {
    const b = node.hash & this.mask
    let n = this.heads[b] as TupleNode | null
    if (n === node) {
      this.heads[b] = node.next
    } else {
      while (n !== null && n.next !== node) n = n.next
      if (n !== null) n.next = node.next
    }
    node.next = null
  }

  private grow(): void {
    const old = this.heads
    this.heads = new Array<TupleNode | null>(old.length * 2).fill(null)
    this.mask = this.heads.length - 1
    for (let i = 0; i < old.length; i++) {
      let n = old[i] as TupleNode | null
      while (n !== null) {
        const next = n.next
        const b = n.hash & this.mask
        n.next = this.heads[b] as TupleNode | null
        this.heads[b] = n
        n = next
      }
    }
  }
}
