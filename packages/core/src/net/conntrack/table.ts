import type { Nanos } from "../../sim/index"
import type { Ipv4 } from "../packet/packet"
import { IPS_CONFIRMED } from "./ct-state"
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
 * The conntrack table of one host: confirmed entries hashed by both tuples (chained buckets, doubled when
 * the load passes 1), and an insertion-ordered list for listing and garbage collection.
 *
 * Expiry is lazy and deterministic: a lookup that finds an expired entry removes it (as the kernel's
 * nf_conntrack_find does via nf_ct_gc_expired), and each confirm also examines the next two entries of the
 * list from a rotating cursor (the kernel runs gc_worker periodically; an incremental sweep tied to inserts
 * needs no timer events and keeps the table bounded). `gc(now)` sweeps everything.
 */
export class ConntrackTable {
  private buckets: (TupleNode | null)[] = new Array<TupleNode | null>(256).fill(null)
  private mask = 255
  private count = 0
  private head: ConntrackEntry | null = null
  private tail: ConntrackEntry | null = null
  private cursor: ConntrackEntry | null = null
  private nextId = 1

  /** Confirmed entries, expired ones not yet collected included. */
  get size(): number {
    return this.count
  }

  /** A new, unconfirmed entry for a first packet (not in the table until `confirm`). */
  create(proto: number, src: Ipv4, dst: Ipv4, sport: number, dport: number, now: Nanos): ConntrackEntry {
    return new ConntrackEntry(this.nextId++, proto, src, dst, sport, dport, now)
  }

  /** The live entry node for a tuple (either direction), or null. Removes the entry if it has expired. */
  find(src: Ipv4, dst: Ipv4, sport: number, dport: number, proto: number, now: Nanos): TupleNode | null {
    let n = this.buckets[tupleHash(src, dst, sport, dport, proto) & this.mask] as TupleNode | null
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
    if (this.count * 2 > this.buckets.length) this.grow()
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
    node.next = this.buckets[b] as TupleNode | null
    this.buckets[b] = node
  }

  private unlink(node: TupleNode): void {
    const b = node.hash & this.mask
    let n = this.buckets[b] as TupleNode | null
    if (n === node) {
      this.buckets[b] = node.next
    } else {
      while (n !== null && n.next !== node) n = n.next
      if (n !== null) n.next = node.next
    }
    node.next = null
  }

  private grow(): void {
    const old = this.buckets
    this.buckets = new Array<TupleNode | null>(old.length * 2).fill(null)
    this.mask = this.buckets.length - 1
    for (let i = 0; i < old.length; i++) {
      let n = old[i] as TupleNode | null
      while (n !== null) {
        const next = n.next
        const b = n.hash & this.mask
        n.next = this.buckets[b] as TupleNode | null
        this.buckets[b] = n
        n = next
      }
    }
  }
}
