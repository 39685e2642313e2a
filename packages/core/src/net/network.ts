import { checkNanos, type EventKind, type Nanos, type Simulation } from "../sim/index"
import { PacketCounters } from "./packet/counters"
import { dropReasonIndex, type DropReason } from "./packet/drop-reason"
import { Packet } from "./packet/packet"
import { Host, type HostOptions } from "./host/host"
import type { Interface } from "./host/interface"
import { Link, type LinkParams } from "./link/link"
import type { PacketObserver } from "./observer"
import type { TcpConnection } from "./transport/tcp-connection"

export interface NetworkOptions {
  /**
   * Processing time added to a packet per netfilter rule evaluated at a host. Default 20 ns: iptables
   * walks rules linearly and a rule with a few matches costs some tens of ns on current CPUs (the cost that
   * made kube-proxy's iptables mode scale linearly with Services, the motivation for its nftables and IPVS
   * modes); configurable because it depends on the machine.
   */
  readonly costPerRule?: Nanos
}

/**
 * The data plane of one simulation: hosts, links, packet ids, counters and the event kinds packets and
 * TCP timers use (defined once here, so no closure is allocated per packet). One Network per Simulation.
 */
export class Network {
  readonly counters = new PacketCounters()
  readonly hosts = new Map<string, Host>()
  readonly links = new Map<string, Link>()
  observer: PacketObserver | null = null
  readonly costPerRule: Nanos
  private nextPacketId = 1
  /** A packet reaching the far end of a link (payload: the packet; `pkt.nextIface` is where). */
  readonly arriveKind: EventKind<Packet>
  /** A packet handed to a local socket after its processing delay. */
  readonly deliverKind: EventKind<Packet>
  readonly tcpTimerKind: EventKind<TcpConnection>
  readonly tcpDeadlineKind: EventKind<TcpConnection>
  /** A deferred notification (rare: errors a socket learns synchronously, delivered as their own event). */
  readonly callKind: EventKind<() => void>

  constructor(readonly sim: Simulation, options: NetworkOptions = {}) {
    this.costPerRule = checkNanos(options.costPerRule ?? 20, "costPerRule")
    this.arriveKind = sim.defineKind<Packet>("net/arrive", (pkt) => {
      const iface = pkt.nextIface as Interface
      pkt.nextIface = null
      iface.host.receive(pkt, iface)
    })
    this.deliverKind = sim.defineKind<Packet>("net/deliver", (pkt) => {
      const iface = pkt.nextIface as Interface
      pkt.nextIface = null
      iface.host.deliverLocal(pkt)
    })
    this.tcpTimerKind = sim.defineKind<TcpConnection>("net/tcp-timer", (c) => c.onTimer())
    this.tcpDeadlineKind = sim.defineKind<TcpConnection>("net/tcp-deadline", (c) => c.onDeadline())
    this.callKind = sim.defineKind<() => void>("net/call", (f) => f())
  }

  addHost(name: string, options: HostOptions = {}): Host {
    if (this.hosts.has(name)) throw new Error(`network: a host named "${name}" already exists`)
    const h = new Host(this, name, options)
    this.hosts.set(name, h)
    return h
  }

  /** Removes a host (a deleted pod): it goes down; packets still addressed to its interfaces are dropped there. */
  removeHost(name: string): void {
    const h = this.hosts.get(name)
    if (h === undefined) throw new Error(`network: no host named "${name}"`)
    h.up = false
    this.hosts.delete(name)
  }

  host(name: string): Host {
    const h = this.hosts.get(name)
    if (h === undefined) throw new Error(`network: no host named "${name}"`)
    return h
  }

  /** A link; `pointToPoint` for a veth pair (two members, no neighbour lookup). */
  addLink(name: string, params: LinkParams, pointToPoint = false): Link {
    if (this.links.has(name)) throw new Error(`network: a link named "${name}" already exists`)
    const l = new Link(this, name, params, pointToPoint)
    this.links.set(name, l)
    return l
  }

  /** Removes a link that no interface uses any more. */
  removeLink(link: Link): void {
    if (link.members.length > 0) throw new Error(`network: link ${link.name} still joins ${link.members.length} interface(s)`)
    this.links.delete(link.name)
  }

  /** A fresh packet originated by `host` (counted as sent when it enters the output path). */
  newPacket(): Packet {
    return new Packet(this.nextPacketId++, this.sim.now)
  }

  sent(pkt: Packet, host: Host): void {
    this.counters.sent++
    host.counters.sent++
    pkt.originHost = host.name
    const o = this.observer
    if (o !== null && o.onSend !== undefined) o.onSend(host, pkt)
  }

  delivered(pkt: Packet, host: Host): void {
    this.counters.delivered++
    host.counters.delivered++
    const o = this.observer
    if (o !== null && o.onDeliver !== undefined) o.onDeliver(host, pkt)
  }

  drop(pkt: Packet, host: Host, reason: DropReason): void {
    const i = dropReasonIndex[reason]
    this.counters.dropped[i] = (this.counters.dropped[i] as number) + 1
    host.counters.dropped[i] = (host.counters.dropped[i] as number) + 1
    const o = this.observer
    if (o !== null && o.onDrop !== undefined) o.onDrop(host, pkt, reason)
  }

  /** Schedules `pkt` to arrive at `pkt.nextIface` after `delay`. */
  scheduleArrival(pkt: Packet, from: Host, link: Link, delay: Nanos): void {
    const o = this.observer
    if (o !== null && o.onTransmit !== undefined) o.onTransmit(from, pkt, link)
    this.sim.after(delay, this.arriveKind, pkt, pkt.id)
  }
}
