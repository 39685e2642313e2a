import type { Nanos, Rng } from "../../sim/index"
import type { Ipv4, Packet } from "../packet/packet"
import type { Interface } from "../host/interface"
import type { Network } from "../network"

/** How a link delays and loses packets. */
export interface LinkParams {
  /** One-way latency. */
  readonly latency: Nanos
  /** Each packet's latency is drawn uniformly from [latency − jitter, latency + jitter] (never below 0). */
  readonly jitter?: Nanos
  /** Probability that a packet is lost, in [0, 1]. */
  readonly loss?: number
}

/**
 * Per-pair settings of a shared segment: each member interface is in a group (`groupOf`, default group 0) and a
 * packet from group `a` to group `b` takes `between[a * groups + b]` instead of the link's own params (e.g. nodes
 * in different zones farther apart than nodes in one zone). Checked like `setParams`.
 */
export interface LinkPairTable {
  readonly groups: number
  readonly between: ReadonlyArray<LinkParams>
}

/**
 * A link: an L2 segment joining interfaces. A point-to-point link (a veth pair) delivers to the other end;
 * a shared segment (the nodes' LAN) delivers to the member that owns the next-hop address, like ARP would.
 * Loss and jitter are drawn from the stream `link/<name>`, so they are reproducible and independent of all
 * other randomness. Each packet crossing it is one event.
 */
export class Link {
  readonly members: Interface[] = []
  private readonly neighbors = new Map<Ipv4, Interface>()
  private readonly rng: Rng
  latency: Nanos
  jitter: Nanos
  loss: number
  /** Per-pair params (null: every packet takes the link's own); see setPairTable. */
  private pairs: { readonly groups: number; readonly between: ReadonlyArray<Required<LinkParams>> } | null = null
  private readonly groupOf = new Map<Interface, number>()

  constructor(
    private readonly net: Network,
    readonly name: string,
    params: LinkParams,
    readonly pointToPoint: boolean,
  ) {
    this.rng = net.sim.rng(`link/${name}`)
    this.latency = 0
    this.jitter = 0
    this.loss = 0
    this.setParams(params)
  }

  setParams(p: LinkParams): void {
    const c = this.checked(p, "")
    this.latency = c.latency
    this.jitter = c.jitter
    this.loss = c.loss
  }

  /** Installs per-pair params (null removes them). Interfaces not given a group by `setGroup` are in group 0. */
  setPairTable(t: LinkPairTable | null): void {
    if (t === null) {
      this.pairs = null
      return
    }
    if (!Number.isSafeInteger(t.groups) || t.groups < 1 || t.between.length !== t.groups * t.groups) {
      throw new RangeError(`link ${this.name}: a pair table of ${t.groups} groups needs ${t.groups}² entries, got ${t.between.length}`)
    }
    this.pairs = { groups: t.groups, between: t.between.map((p, i) => this.checked(p, ` (group ${Math.floor(i / t.groups)} → ${i % t.groups})`)) }
  }

  /** Puts a member interface in a group of the pair table. */
  setGroup(iface: Interface, group: number): void {
    this.groupOf.set(iface, group)
  }

  private checked(p: LinkParams, where: string): Required<LinkParams> {
    if (!Number.isSafeInteger(p.latency) || p.latency < 0) throw new RangeError(`link ${this.name}${where}: latency ${p.latency} is not a whole number of nanoseconds ≥ 0`)
    const jitter = p.jitter ?? 0
    if (!Number.isSafeInteger(jitter) || jitter < 0) throw new RangeError(`link ${this.name}${where}: jitter ${jitter} is not a whole number of nanoseconds ≥ 0`)
    const loss = p.loss ?? 0
    if (!(loss >= 0 && loss <= 1)) throw new RangeError(`link ${this.name}${where}: loss ${loss} is not a probability in [0, 1]`)
    return { latency: p.latency, jitter, loss }
  }

  /** Plugs an interface in. A point-to-point link takes two. */
  attach(iface: Interface): void {
    if (iface.link !== null) throw new Error(`interface ${iface.host.name}/${iface.name} is already on link ${iface.link.name}`)
    if (this.pointToPoint && this.members.length === 2) throw new Error(`link ${this.name} is point-to-point and already joins two interfaces`)
    this.members.push(iface)
    iface.link = this
    for (const a of iface.addresses) this.neighbors.set(a, iface)
  }

  /** Unplugs an interface (a pod's veth going away). */
  detach(iface: Interface): void {
    const i = this.members.indexOf(iface)
    if (i < 0) return
    this.members.splice(i, 1)
    this.groupOf.delete(iface)
    iface.link = null
    for (const a of iface.addresses) if (this.neighbors.get(a) === iface) this.neighbors.delete(a)
  }

  /** Records that `iface` (a member) now owns `ip` (neighbour table). */
  learn(iface: Interface, ip: Ipv4): void {
    this.neighbors.set(ip, iface)
  }

  forget(ip: Ipv4): void {
    this.neighbors.delete(ip)
  }

  /** The interface a packet from `from` towards `nextHop` reaches, or null (no neighbour). */
  peerOf(from: Interface, nextHop: Ipv4): Interface | null {
    if (this.pointToPoint) {
      const a = this.members[0]
      const b = this.members[1]
      if (b === undefined) return null
      return a === from ? b : (a as Interface)
    }
    const to = this.neighbors.get(nextHop)
    return to === undefined || to === from ? null : to
  }

  /**
   * Sends `pkt` from `from` towards `nextHop`, after `delay` of processing at the sender. Returns false if
   * it was dropped here (no neighbour or lost); the caller has nothing more to do either way.
   */
  send(from: Interface, pkt: Packet, nextHop: Ipv4, delay: Nanos): boolean {
    const net = this.net
    const to = this.peerOf(from, nextHop)
    if (to === null) {
      net.drop(pkt, from.host, "no-neighbor")
      return false
    }
    let latency = this.latency
    let jitter = this.jitter
    let loss = this.loss
    const pairs = this.pairs
    if (pairs !== null) {
      const p = pairs.between[(this.groupOf.get(from) ?? 0) * pairs.groups + (this.groupOf.get(to) ?? 0)] as Required<LinkParams>
      latency = p.latency
      jitter = p.jitter
      loss = p.loss
    }
    if (loss > 0 && this.rng.next() < loss) {
      net.drop(pkt, from.host, "link-loss")
      return false
    }
    let d = latency
    if (jitter > 0) {
      d += Math.round((this.rng.next() * 2 - 1) * jitter)
      if (d < 0) d = 0
    }
    pkt.nextIface = to
    net.scheduleArrival(pkt, from.host, this, delay + d)
    return true
  }
}
