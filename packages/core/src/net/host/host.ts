import type { Nanos, Rng } from "../../sim/index"
import { CT_DNAT, CT_ESTABLISHED, CT_RELATED, CT_SNAT, CT_UNTRACKED } from "../conntrack/ct-state"
import type { ConntrackEntry } from "../conntrack/entry"
import { MANIP_DST, MANIP_SRC, natInitialized, natPacket, setupNat } from "../conntrack/nat"
import { ConntrackTable } from "../conntrack/table"
import { DEFAULT_CONNTRACK_TIMEOUTS, type ConntrackTimeouts } from "../conntrack/timeouts"
import { conntrackIn, natBits } from "../conntrack/tracker"
import { IPS_CONFIRMED } from "../conntrack/ct-state"
import { PacketCounters } from "../packet/counters"
import {
  ICMP_DEST_UNREACH, ICMP_HEADER, ICMP_HOST_ANO, ICMP_HOST_UNREACH, ICMP_NET_ANO, ICMP_NET_UNREACH, ICMP_PKT_FILTERED,
  ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, ICMP_TIME_EXCEEDED, IP_HEADER, isIcmpError, PROTO_ICMP, PROTO_TCP, PROTO_UDP,
  TCP_ACK, TCP_HEADER, TCP_RST, TCP_SYN, TCP_FIN,
  type Ipv4, type Packet,
} from "../packet/packet"
import { fibMultipathHash, selectMultipath, type MultipathHashPolicy } from "../route/multipath"
import type { Path, Route } from "../route/route-table"
import { RouteTable } from "../route/route-table"
import type { Network } from "../network"
import type { TcpConnection, TcpHandlers } from "../transport/tcp-connection"
import { TcpStack, type AcceptHandler, type TcpConnectOptions, type TcpListenOptions, type TcpListener } from "../transport/tcp-stack"
import { UdpStack, type UdpHandlers, type UdpSocket } from "../transport/udp-stack"
import { IcmpEchoStack, type IcmpEchoHandlers, type IcmpEchoSocket } from "../transport/icmp-echo"
import { Interface } from "./interface"
import type { HookName, NetfilterHooks } from "./netfilter-hooks"
import { IPVS_DROP, IPVS_PASS, IPVS_UNREACHABLE, type IpvsConn, type IpvsTable } from "../ipvs/index"

export interface HostOptions {
  /** net.ipv4.ip_forward: nodes and routers forward, pods and clients do not. Default false. */
  readonly forwarding?: boolean
  /** The host's netfilter rules; null (default) for a host without rules. Replaceable later (`setNetfilter`). */
  readonly netfilter?: NetfilterHooks | null
  /** Track connections. Default: true when the host has netfilter rules. */
  readonly conntrack?: boolean
  readonly conntrackTimeouts?: ConntrackTimeouts
  /** Fixed processing time per packet at this host, besides the per-rule cost. Default 0. */
  readonly processingDelay?: Nanos
}

/** reject-with → the ICMP code it sends (net/ipv4/netfilter/ipt_REJECT.c reject_tg). */
const REJECT_CODES: Readonly<Record<string, number>> = {
  "icmp-net-unreachable": ICMP_NET_UNREACH,
  "icmp-host-unreachable": ICMP_HOST_UNREACH,
  "icmp-port-unreachable": ICMP_PORT_UNREACH,
  "icmp-proto-unreachable": ICMP_PROT_UNREACH,
  "icmp-net-prohibited": ICMP_NET_ANO,
  "icmp-host-prohibited": ICMP_HOST_ANO,
  "icmp-admin-prohibited": ICMP_PKT_FILTERED,
}

/**
 * Picks the next hop of a multipath route for one packet in place of the kernel's hash-threshold choice (a load
 * balancer that keeps per-flow state). `hash` is the host's fib_multipath_hash of the packet.
 */
export interface MultipathSelector {
  select(route: Route<Interface>, pkt: Packet, hash: number, now: Nanos): Path<Interface>
}

/** Result of a hook helper: the rules it evaluated, or DROPPED (the helper already accounted for the packet). */
const DROPPED = -1

/**
 * A host: interfaces and addresses, a routing table, netfilter, conntrack and sockets — one network
 * namespace. Nodes, pods, external clients, load balancers and DNS servers are all hosts.
 *
 * The packet path follows Linux (net/ipv4/ip_input.c, ip_forward.c, ip_output.c; hook priorities from
 * include/uapi/linux/netfilter_ipv4.h):
 *   received:  PREROUTING (conntrack, nat DNAT for a new connection) → routing →
 *              local: INPUT (filter, nat SNAT) → confirm → socket
 *              else:  FORWARD (filter) → POSTROUTING (nat SNAT/MASQUERADE) → confirm → link
 *   sent:      routing → OUTPUT (conntrack, nat DNAT, filter) → re-route if the destination changed →
 *              POSTROUTING (nat) → confirm → link (or loopback)
 * Everything a packet does at a host happens at its arrival instant; the rules evaluated delay its departure
 * (or delivery) by `costPerRule` each.
 */
export class Host {
  readonly counters = new PacketCounters()
  readonly interfaces = new Map<string, Interface>()
  readonly routes = new RouteTable<Interface>()
  readonly lo: Interface
  readonly conntrack: ConntrackTable | null
  /** The nf_conntrack_*_timeout_* sysctls (kube-proxy raises some at start). */
  conntrackTimeouts: ConntrackTimeouts
  readonly tcp: TcpStack
  readonly udp: UdpStack
  /** Echo: answers pings to this host's addresses (`icmpEcho.ignoreAll` is net.ipv4.icmp_echo_ignore_all) and holds its ping sockets. */
  readonly icmpEcho: IcmpEchoStack
  /** The host's own random stream (`host/<name>`): NAT port choice, ephemeral ports. */
  readonly rng: Rng
  forwarding: boolean
  processingDelay: Nanos
  /** A down host drops everything it receives or would send (reason `host-down`). */
  up = true
  /** net.ipv4.fib_multipath_hash_policy (default 0: addresses only). */
  multipathHashPolicy: MultipathHashPolicy = 0
  /** Replaces the hash-threshold next-hop choice of multipath routes when set (null: the kernel's). */
  multipathSelector: MultipathSelector | null = null
  /** The flow-hash key, drawn on first use from stream `fib/<name>` (the kernel's boot-time random). */
  private multipathSeed = -1
  private nf: NetfilterHooks | null
  /** The IP Virtual Server table (kube-proxy's IPVS mode); null: the ip_vs module is not loaded. */
  ipvs: IpvsTable | null = null
  private readonly local = new Set<Ipv4>()
  private primary: Ipv4 = 0

  constructor(readonly net: Network, readonly name: string, options: HostOptions) {
    this.forwarding = options.forwarding ?? false
    this.nf = options.netfilter ?? null
    this.conntrack = (options.conntrack ?? this.nf !== null) ? new ConntrackTable() : null
    this.conntrackTimeouts = options.conntrackTimeouts ?? DEFAULT_CONNTRACK_TIMEOUTS
    this.processingDelay = options.processingDelay ?? 0
    this.rng = net.sim.rng(`host/${name}`)
    this.lo = new Interface(this, "lo")
    this.interfaces.set("lo", this.lo)
    this.addAddress("lo", 0x7f000001)
    this.tcp = new TcpStack(this)
    this.udp = new UdpStack(this)
    this.icmpEcho = new IcmpEchoStack(this)
  }

  get netfilter(): NetfilterHooks | null {
    return this.nf
  }

  /** Installs or replaces the rules (kube-proxy's iptables-restore). Needs conntrack if the rules use nat. */
  setNetfilter(nf: NetfilterHooks | null): void {
    if (nf !== null && nf.hasNat && this.conntrack === null) {
      throw new Error(`host ${this.name}: nat rules need conntrack; create the host with conntrack enabled`)
    }
    this.nf = nf
  }

  /** The first address given to a non-loopback interface (the node IP of a node, the pod IP of a pod). */
  get primaryAddress(): Ipv4 {
    return this.primary
  }

  /** addrtype LOCAL: addresses assigned to this host's interfaces. */
  isLocal(ip: Ipv4): boolean {
    return this.local.has(ip) || (ip >>> 24) === 127
  }

  addInterface(name: string): Interface {
    if (this.interfaces.has(name)) throw new Error(`host ${this.name}: interface ${name} already exists`)
    const i = new Interface(this, name)
    this.interfaces.set(name, i)
    return i
  }

  iface(name: string): Interface {
    const i = this.interfaces.get(name)
    if (i === undefined) throw new Error(`host ${this.name}: no interface named ${name}`)
    return i
  }

  /**
   * Assigns `ip` to an interface (`ip addr add ip/prefixLen dev name`); with prefixLen < 32 also adds the
   * connected route of its subnet, as the kernel does.
   */
  addAddress(ifaceName: string, ip: Ipv4, prefixLen = 32): void {
    const i = this.iface(ifaceName)
    i.addresses.push(ip >>> 0)
    this.local.add(ip >>> 0)
    if (ifaceName !== "lo" && this.primary === 0) this.primary = ip >>> 0
    if (i.link !== null) i.link.learn(i, ip >>> 0)
    if (prefixLen < 32 && ifaceName !== "lo") this.routes.add(ip, prefixLen, i)
  }

  /** Removes an interface, its addresses and its routes (a pod's veth being deleted). */
  removeInterface(name: string): void {
    const i = this.iface(name)
    if (i === this.lo) throw new Error(`host ${this.name}: cannot remove lo`)
    if (i.link !== null) i.link.detach(i)
    for (const a of i.addresses) this.local.delete(a)
    this.routes.deleteDev(i)
    this.interfaces.delete(name)
    if (i.addresses.includes(this.primary)) {
      this.primary = 0
      for (const j of this.interfaces.values()) if (j !== this.lo && j.addresses[0] !== undefined) { this.primary = j.addresses[0]; break }
    }
  }

  /** `ip route replace dst/prefixLen [via gw] dev name`. */
  addRoute(dst: Ipv4, prefixLen: number, dev: string, via: Ipv4 = 0): void {
    this.routes.add(dst, prefixLen, this.iface(dev), via)
  }

  // ------------------------------------------------------------------ sockets

  /** Opens a TCP connection (connect(2)); the handlers hear the outcome. */
  tcpConnect(dst: Ipv4, dport: number, handlers: TcpHandlers, options?: TcpConnectOptions): TcpConnection {
    return this.tcp.connect(dst, dport, handlers, options)
  }

  /** Listens on a TCP port of every address; `onAccept` gives each established connection its handlers. */
  tcpListen(port: number, onAccept: AcceptHandler, options?: TcpListenOptions): TcpListener {
    return this.tcp.listen(port, onAccept, options)
  }

  /** Binds a UDP socket (port 0: ephemeral). */
  udpBind(port: number, handlers: UdpHandlers): UdpSocket {
    return this.udp.bind(port, handlers)
  }

  /** Opens a ping socket (its echo id chosen by the host, as ping.c ping_get_port does). */
  icmpEchoOpen(handlers: IcmpEchoHandlers): IcmpEchoSocket {
    return this.icmpEcho.open(handlers)
  }

  // ------------------------------------------------------------------ receive path

  /** A packet arrives on `iface` (the event handler of a link hop). */
  receive(pkt: Packet, iface: Interface): void {
    const net = this.net
    if (!this.up) {
      net.drop(pkt, this, "host-down")
      return
    }
    const now = net.sim.now
    const loopback = iface === this.lo
    if (!loopback && iface.link === null) {
      net.drop(pkt, this, "interface-gone")
      return
    }
    pkt.inIface = iface.name
    pkt.outIface = ""
    const o = net.observer
    if (o !== null && o.onArrive !== undefined) o.onArrive(this, pkt)
    let rules = 0
    if (!loopback) {
      // A new skb on a new host: no mark, no conntrack yet. A looped-back packet keeps both
      // (nf_conntrack_in: "Previously seen (loopback or untracked)? Ignore.").
      pkt.mark = 0
      if (this.conntrack !== null) {
        if (!conntrackIn(this.conntrack, this.conntrackTimeouts, pkt, now)) {
          net.drop(pkt, this, "conntrack-full")
          return
        }
      } else {
        pkt.ct = null
        pkt.ctState = CT_UNTRACKED
      }
    }
    const nf = this.nf
    if (nf !== null && nf.evaluatePreNat !== undefined) {
      const r = this.filterHook(nf, "PREROUTING", pkt, now, true)
      if (r === DROPPED) return
      rules += r
    }
    if (nf !== null && nf.hasNat) {
      const r = this.natHook(nf, "PREROUTING", MANIP_DST, pkt, now)
      if (r === DROPPED) return
      rules += r
    }
    if (this.isLocal(pkt.dst)) {
      if (nf !== null) {
        const r = this.filterHook(nf, "INPUT", pkt, now)
        if (r === DROPPED) return
        rules += r
      }
      if (this.ipvs !== null && (pkt.proto === PROTO_TCP || pkt.proto === PROTO_UDP) && this.ipvsLocalIn(this.ipvs, pkt, now, rules)) return
      if (nf !== null) {
        if (nf.hasNat) {
          const r2 = this.natHook(nf, "INPUT", MANIP_SRC, pkt, now)
          if (r2 === DROPPED) return
          rules += r2
        }
      }
      if (!this.confirm(pkt, now)) return
      const delay = this.processingDelay + rules * net.costPerRule
      if (delay === 0) this.deliverLocal(pkt)
      else {
        pkt.nextIface = iface
        net.sim.after(delay, net.deliverKind, pkt, pkt.id)
      }
      return
    }
    // ip_forward.c ip_forward
    if (!this.forwarding) {
      net.drop(pkt, this, "not-forwarding")
      return
    }
    if (pkt.ttl <= 1) {
      net.drop(pkt, this, "ttl-exceeded")
      this.sendIcmpError(pkt, ICMP_TIME_EXCEEDED, 0)
      return
    }
    const route = this.routes.lookup(pkt.dst)
    if (route === null) {
      net.drop(pkt, this, "no-route")
      this.sendIcmpError(pkt, ICMP_DEST_UNREACH, ICMP_NET_UNREACH)
      return
    }
    const path = route.nexthops === null ? route : this.selectPath(route, pkt, now)
    pkt.outIface = path.dev.name
    if (nf !== null) {
      const r = this.filterHook(nf, "FORWARD", pkt, now)
      if (r === DROPPED) return
      rules += r
    }
    if (this.ipvs !== null) this.ipvsReply(this.ipvs, pkt, now)
    pkt.ttl--
    if (nf !== null && nf.hasNat) {
      const r = this.natHook(nf, "POSTROUTING", MANIP_SRC, pkt, now)
      if (r === DROPPED) return
      rules += r
    }
    if (!this.confirm(pkt, now)) return
    this.counters.forwarded++
    this.transmit(path, pkt, this.processingDelay + rules * net.costPerRule)
  }

  /** Hands a packet addressed to this host to its transport (after the processing delay, if any). */
  deliverLocal(pkt: Packet): void {
    if (!this.up) {
      this.net.drop(pkt, this, "host-down")
      return
    }
    let taken: boolean | "overflow"
    switch (pkt.proto) {
      case PROTO_TCP:
        taken = this.tcp.receive(pkt)
        break
      case PROTO_UDP:
        taken = this.udp.receive(pkt)
        break
      case PROTO_ICMP:
        taken = this.icmpReceive(pkt)
        break
      default:
        taken = false
    }
    if (taken === true) this.net.delivered(pkt, this)
    else this.net.drop(pkt, this, taken === "overflow" ? "listen-overflow" : "no-socket")
  }

  /**
   * ICMP errors go to the socket of the connection they quote (icmp.c icmp_unreach → tcp_v4_err / udp_err /
   * ping_err); echo requests are answered and echo replies go to their ping socket (icmp.c icmp_echo, ping_rcv).
   */
  private icmpReceive(pkt: Packet): boolean {
    if (!isIcmpError(pkt.icmpType)) return this.icmpEcho.receive(pkt)
    if (pkt.innerProto === PROTO_TCP) return this.tcp.icmpError(pkt)
    if (pkt.innerProto === PROTO_UDP) return this.udp.icmpError(pkt)
    if (pkt.innerProto === PROTO_ICMP) return this.icmpEcho.icmpError(pkt)
    return false
  }

  // ------------------------------------------------------------------ output path

  /**
   * Sends a locally generated packet (ip_output.c ip_queue_xmit / ip_local_out). `pkt.src` 0 means "pick the
   * source address of the outgoing route". Returns null if the packet left (or is looping back), else why it
   * was dropped here (a socket uses "no-route" to fail a connect at once, as ENETUNREACH does).
   */
  output(pkt: Packet): "no-route" | "dropped" | null {
    const net = this.net
    net.sent(pkt, this)
    if (!this.up) {
      net.drop(pkt, this, "host-down")
      return "dropped"
    }
    const now = net.sim.now
    let route: Path<Interface> | null = null
    let local = this.isLocal(pkt.dst)
    if (!local) {
      route = this.outputPath(pkt, now)
      if (route === null) {
        net.drop(pkt, this, "no-route")
        return "no-route"
      }
    }
    if (pkt.src === 0) pkt.src = local ? pkt.dst : (route as Path<Interface>).dev.sourceAddress()
    pkt.inIface = ""
    pkt.outIface = local ? "lo" : (route as Path<Interface>).dev.name
    const attached = pkt.ct !== null
    if (!attached) {
      if (this.conntrack === null) pkt.ctState = CT_UNTRACKED
      else if (!conntrackIn(this.conntrack, this.conntrackTimeouts, pkt, now)) {
        net.drop(pkt, this, "conntrack-full")
        return "dropped"
      }
    }
    const nf = this.nf
    let rules = 0
    const dst0 = pkt.dst
    if (nf !== null) {
      if (nf.evaluatePreNat !== undefined) {
        const r = this.filterHook(nf, "OUTPUT", pkt, now, true)
        if (r === DROPPED) return "dropped"
        rules += r
      }
      if (nf.hasNat) {
        const r = this.natHook(nf, "OUTPUT", MANIP_DST, pkt, now)
        if (r === DROPPED) return "dropped"
        rules += r
      }
      const r = this.filterHook(nf, "OUTPUT", pkt, now)
      if (r === DROPPED) return "dropped"
      rules += r
    }
    if (pkt.dst !== dst0) {
      // ip_route_me_harder: the destination changed in OUTPUT, so route again.
      local = this.isLocal(pkt.dst)
      route = local ? null : this.outputPath(pkt, now)
      if (!local && route === null) {
        net.drop(pkt, this, "no-route")
        return "no-route"
      }
      pkt.outIface = local ? "lo" : (route as Path<Interface>).dev.name
    }
    if (nf !== null && nf.hasNat) {
      const r = this.natHook(nf, "POSTROUTING", MANIP_SRC, pkt, now)
      if (r === DROPPED) return "dropped"
      rules += r
    }
    if (!attached && !this.confirm(pkt, now)) return "dropped"
    const delay = this.processingDelay + rules * net.costPerRule
    if (local) {
      pkt.nextIface = this.lo
      net.sim.after(delay, net.arriveKind, pkt, pkt.id)
      return null
    }
    this.transmit(route as Path<Interface>, pkt, delay)
    return null
  }

  /** The route for a locally generated packet, its next hop chosen if multipath (route.c fib_select_path). */
  private outputPath(pkt: Packet, now: Nanos): Path<Interface> | null {
    const route = this.routes.lookup(pkt.dst)
    if (route === null || route.nexthops === null) return route
    return this.selectPath(route, pkt, now)
  }

  /**
   * The next hop of a multipath route for this packet: fib_multipath_hash over its addresses (policy 0) or
   * 5-tuple (policy 1), then fib_select_multipath's hash threshold — or the host's `multipathSelector`.
   */
  private selectPath(route: Route<Interface>, pkt: Packet, now: Nanos): Path<Interface> {
    if (this.multipathSeed < 0) this.multipathSeed = this.net.sim.rng(`fib/${this.name}`).uint32() >>> 0
    const hash = fibMultipathHash(this.multipathHashPolicy, this.multipathSeed, pkt.src, pkt.dst, pkt.proto, pkt.sport, pkt.dport)
    const sel = this.multipathSelector
    return sel === null ? selectMultipath(route, hash) : sel.select(route, pkt, hash, now)
  }

  private transmit(route: Path<Interface>, pkt: Packet, delay: Nanos): void {
    const link = route.dev.link
    if (link === null) {
      this.net.drop(pkt, this, "no-neighbor")
      return
    }
    link.send(route.dev, pkt, route.via !== 0 ? route.via : pkt.dst, delay)
  }

  // ------------------------------------------------------------------ IPVS (net/netfilter/ipvs/ip_vs_core.c)

  /**
   * IPVS at LOCAL_IN, after the filter table and before nat INPUT: ip_vs_reply4 (NF_IP_PRI_NAT_SRC - 2) un-NATs
   * a real server's reply to a client on this host; ip_vs_remote_request4 (NF_IP_PRI_NAT_SRC - 1) takes a
   * packet for a virtual service and sends it on to the real server. True when the packet was taken.
   */
  private ipvsLocalIn(vs: IpvsTable, pkt: Packet, now: Nanos, rules: number): boolean {
    if (this.ipvsReply(vs, pkt, now)) return false
    const r = vs.inbound(pkt.proto, pkt.src, pkt.sport, pkt.dst, pkt.dport, pkt.flags, now)
    if (r === IPVS_PASS) return false
    if (r === IPVS_UNREACHABLE) {
      // ip_vs_leave: a virtual service without an available real server answers port-unreachable.
      this.net.drop(pkt, this, "rejected")
      this.sendIcmpError(pkt, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH)
      return true
    }
    if (r === IPVS_DROP) {
      this.net.drop(pkt, this, "filtered")
      return true
    }
    const o = this.net.observer
    if (o !== null && o.onIpvs !== undefined) o.onIpvs(this, pkt, r)
    this.ipvsNatXmit(r, pkt, now, rules)
    return true
  }

  /** ip_vs_out: a reply from a real server gets the virtual address and port back as its source. */
  private ipvsReply(vs: IpvsTable, pkt: Packet, now: Nanos): boolean {
    if (pkt.proto !== PROTO_TCP && pkt.proto !== PROTO_UDP) return false
    const cp = vs.outbound(pkt.proto, pkt.src, pkt.sport, pkt.dst, pkt.dport, pkt.flags, now)
    if (cp === null) return false
    pkt.src = cp.vaddr
    pkt.sport = cp.vport
    return true
  }

  /**
   * ip_vs_xmit.c ip_vs_nat_xmit with net/ipv4/vs/conntrack=1 (kube-proxy sets it): the destination becomes the
   * real server, the still unconfirmed conntrack entry's reply tuple is altered to expect it
   * (ip_vs_update_conntrack), and the packet goes out through LOCAL_OUT (filter OUTPUT) and POSTROUTING, where
   * kube-proxy's masquerade rule can bind SNAT.
   */
  private ipvsNatXmit(cp: IpvsConn, pkt: Packet, now: Nanos, rules: number): void {
    const net = this.net
    const e = pkt.ct as ConntrackEntry | null
    if (e !== null && pkt.ctDir === 0 && (e.status & IPS_CONFIRMED) === 0) {
      e.replySrc = cp.dest.address
      e.replySport = cp.dest.port
    }
    pkt.dst = cp.dest.address
    pkt.dport = cp.dest.port
    const local = this.isLocal(pkt.dst)
    const route = local ? null : this.outputPath(pkt, now)
    if (!local && route === null) {
      net.drop(pkt, this, "no-route")
      return
    }
    pkt.inIface = ""
    pkt.outIface = local ? "lo" : (route as Path<Interface>).dev.name
    const nf = this.nf
    if (nf !== null) {
      const r = this.filterHook(nf, "OUTPUT", pkt, now)
      if (r === DROPPED) return
      rules += r
      if (nf.hasNat) {
        const r2 = this.natHook(nf, "POSTROUTING", MANIP_SRC, pkt, now)
        if (r2 === DROPPED) return
        rules += r2
      }
    }
    if (!this.confirm(pkt, now)) return
    const delay = this.processingDelay + rules * net.costPerRule
    if (local) {
      pkt.nextIface = this.lo
      net.sim.after(delay, net.arriveKind, pkt, pkt.id)
      return
    }
    this.transmit(route as Path<Interface>, pkt, delay)
  }

  // ------------------------------------------------------------------ hooks

  /**
   * The nat table at one hook (nf_nat_core.c nf_nat_inet_fn): a new connection whose binding for this
   * manip type is not set up yet traverses the rules (no matching rule: a null binding, which still makes
   * the tuple unique); then the connection's translation is applied. Untracked and invalid packets skip NAT.
   */
  private natHook(nf: NetfilterHooks, hook: HookName, manip: number, pkt: Packet, now: Nanos): number {
    const e = pkt.ct as ConntrackEntry | null
    if (e === null) return 0
    let rules = 0
    if (pkt.ctDir === 0 && (e.status & IPS_CONFIRMED) === 0 && !natInitialized(e, manip) && (pkt.ctState & CT_RELATED) === 0) {
      const v = nf.evaluate("nat", hook, pkt, now)
      rules = v.rulesEvaluated
      const o = this.net.observer
      if (o !== null && o.onHook !== undefined) o.onHook(this, pkt, "nat", hook, v)
      if (v.verdict === "DROP") {
        this.net.drop(pkt, this, "filtered")
        return DROPPED
      }
      const table = this.conntrack as ConntrackTable
      const n = v.nat
      if (n !== null && (manip === MANIP_DST ? n.kind === "DNAT" : n.kind !== "DNAT")) {
        const toIp = n.kind === "MASQUERADE" ? this.iface(pkt.outIface).sourceAddress() : (n.toIp ?? (manip === MANIP_DST ? e.replySrc : e.replyDst))
        setupNat(table, e, manip, toIp, n.toPortMin ?? 0, n.toPortMax ?? n.toPortMin ?? 0, n.randomFully, this.rng, now)
      } else {
        setupNat(table, e, manip, manip === MANIP_DST ? e.replySrc : e.replyDst, 0, 0, false, this.rng, now)
      }
      // nf_nat_setup_info set IPS_DST_NAT/IPS_SRC_NAT on the still unconfirmed entry; xt_conntrack.c
      // conntrack_mt reads ct->status at each match, so later hooks of this same first packet (FORWARD,
      // POSTROUTING, filter OUTPUT) already see the DNAT (or SNAT) pseudo-state.
      pkt.ctState = (pkt.ctState & ~(CT_SNAT | CT_DNAT)) | natBits(e)
    }
    natPacket(pkt, e, manip)
    return rules
  }

  /**
   * The filter table at one hook (or, with `preNat`, the filter chains that run before DNAT there); DROP and
   * REJECT end the packet here (REJECT answers the sender).
   */
  private filterHook(nf: NetfilterHooks, hook: HookName, pkt: Packet, now: Nanos, preNat = false): number {
    const v = preNat ? (nf.evaluatePreNat as NonNullable<NetfilterHooks["evaluatePreNat"]>)(hook as "PREROUTING" | "OUTPUT", pkt, now) : nf.evaluate("filter", hook, pkt, now)
    if (v === null) return 0
    const o = this.net.observer
    if (o !== null && o.onHook !== undefined) o.onHook(this, pkt, "filter", hook, v)
    if (v.verdict === "ACCEPT") return v.rulesEvaluated
    if (v.verdict === "DROP") {
      this.net.drop(pkt, this, "filtered")
      return DROPPED
    }
    this.net.drop(pkt, this, "rejected")
    const w = v.rejectWith ?? "icmp-port-unreachable"
    if (w === "tcp-reset") {
      // ipt_REJECT.c: tcp-reset only for TCP; the kernel falls back to nothing for other protocols.
      if (pkt.proto === PROTO_TCP) this.sendReset(pkt, true)
    } else {
      this.sendIcmpError(pkt, ICMP_DEST_UNREACH, REJECT_CODES[w] ?? ICMP_PORT_UNREACH)
    }
    return DROPPED
  }

  /** Conntrack confirm at the end of POSTROUTING/INPUT; a clash drops the packet (nf_conntrack_confirm). */
  private confirm(pkt: Packet, now: Nanos): boolean {
    const e = pkt.ct as ConntrackEntry | null
    if (e === null || (e.status & IPS_CONFIRMED) !== 0) return true
    if ((this.conntrack as ConntrackTable).confirm(e, now)) return true
    this.net.drop(pkt, this, "nat-clash")
    return false
  }

  // ------------------------------------------------------------------ generated replies

  /**
   * Sends an ICMP error about `orig` back to its source (net/ipv4/icmp.c __icmp_send): never about an ICMP
   * error (icmp_pointers[type].error), but about an echo, yes; the source is the quoted destination if it is ours, else this host's address towards the sender;
   * the error quotes the header as it is now.
   */
  sendIcmpError(orig: Packet, type: number, code: number): void {
    if (orig.proto === PROTO_ICMP && isIcmpError(orig.icmpType)) return
    const p = this.net.newPacket()
    p.proto = PROTO_ICMP
    p.icmpType = type
    p.icmpCode = code
    p.dst = orig.src
    p.src = this.isLocal(orig.dst) ? orig.dst : 0
    p.innerSrc = orig.src
    p.innerDst = orig.dst
    p.innerProto = orig.proto
    p.innerSport = orig.sport
    p.innerDport = orig.dport
    p.length = IP_HEADER + ICMP_HEADER + IP_HEADER + 8
    this.output(p)
  }

  /**
   * Answers a TCP segment with a RST (net/ipv4/tcp_ipv4.c tcp_v4_send_reset): if the segment had ACK, the
   * RST carries seq = its ack; else RST|ACK acknowledging it. Never answers a RST. With `viaReject`, the
   * RST is attached to the rejected packet's connection so NAT is undone on the way out (nf_reject_ipv4.c
   * nf_send_reset → nf_ct_attach).
   */
  sendReset(orig: Packet, viaReject = false): void {
    if ((orig.flags & TCP_RST) !== 0) return
    const p = this.net.newPacket()
    p.proto = PROTO_TCP
    p.src = orig.dst
    p.dst = orig.src
    p.sport = orig.dport
    p.dport = orig.sport
    if ((orig.flags & TCP_ACK) !== 0) {
      p.flags = TCP_RST
      p.seq = orig.ack
    } else {
      p.flags = TCP_RST | TCP_ACK
      p.ack = orig.seq + ((orig.flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0) + (orig.bytes > 0 ? 1 : 0)
    }
    p.length = IP_HEADER + TCP_HEADER
    if (viaReject && orig.ct !== null) {
      p.ct = orig.ct
      p.ctDir = 1 - orig.ctDir
      p.ctState = CT_ESTABLISHED
    }
    this.output(p)
  }
}
