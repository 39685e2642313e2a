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
    if (!Number.isSafeInteger(p.latency) || p.latency < 0) throw new RangeError(`link ${this.name}: latency ${p.latency} is not a whole number of nanoseconds ≥ 0`)
    const jitter = p.jitter ?? 0
    if (!Number.isSafeInteger(jitter) || jitter < 0) throw new RangeError(`link ${this.name}: jitter ${jitter} is not a whole number of nanoseconds ≥ 0`)
    const loss = p.loss ?? 0
    if (!(loss >= 0 && loss <= 1)) throw new RangeError(`link ${this.name}: loss ${loss} is not a probability in [0, 1]`)
    this.latency = p.latency
    this.jitter = jitter
    this.loss = loss
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
    if (this.loss > 0 && this.rng.next() < this.loss) {
      net.drop(pkt, from.host, "link-loss")
      return false
    }
    let d = this.latency
    if (this.jitter > 0) {
      d += Math.round((this.rng.next() * 2 - 1) * this.jitter)
      if (d < 0) d = 0
    }
    pkt.nextIface = to
    net.scheduleArrival(pkt, from.host, this, delay + d)
    return true
  }
}
