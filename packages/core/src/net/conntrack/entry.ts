import type { Nanos } from "../../sim/index"
import type { Ipv4 } from "../packet/packet"

/** One direction's hash node of an entry (the kernel's nf_conntrack_tuple_hash): two per entry, made once. */
export class TupleNode {
  next: TupleNode | null = null
  hash = 0
  constructor(readonly entry: ConntrackEntry, readonly dir: 0 | 1) {}
}

/**
 * A tracked connection (the kernel's struct nf_conn): its original tuple (the first packet as it arrived,
 * before NAT) and its reply tuple (what a reply looks like on arrival, after NAT). NAT edits the reply tuple;
 * later packets in either direction are translated from the two tuples without traversing the nat table.
 */
export class ConntrackEntry {
  origSrc: Ipv4
  origDst: Ipv4
  origSport: number
  origDport: number
  replySrc: Ipv4
  replyDst: Ipv4
  replySport: number
  replyDport: number
  /** IPS_* bits (ct-state.ts). */
  status = 0
  /** TCP_CT_* state for TCP; 0 otherwise. */
  tcpState = 0
  /** Absolute expiry time. */
  expires: Nanos = 0
  /** Creation time (UDP's stream timeout starts 2 s after it). */
  readonly createdAt: Nanos
  /** The connmark (`-j CONNMARK`). */
  mark = 0
  readonly origNode: TupleNode
  readonly replyNode: TupleNode
  /** Insertion-order list links of the table (for listing and incremental garbage collection). */
  prev: ConntrackEntry | null = null
  nextInList: ConntrackEntry | null = null

  constructor(
    readonly id: number,
    readonly proto: number,
    src: Ipv4,
    dst: Ipv4,
    sport: number,
    dport: number,
    now: Nanos,
  ) {
    this.origSrc = src
    this.origDst = dst
    this.origSport = sport
    this.origDport = dport
    // nf_ct_invert_tuple: the reply of an untranslated connection swaps addresses and ports.
    this.replySrc = dst
    this.replyDst = src
    this.replySport = dport
    this.replyDport = sport
    this.createdAt = now
    this.origNode = new TupleNode(this, 0)
    this.replyNode = new TupleNode(this, 1)
  }
}
