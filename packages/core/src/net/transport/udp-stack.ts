import { AddressInUseError } from "./address-in-use"
import {
  ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PORT_UNREACH, IP_HEADER, PROTO_UDP, UDP_HEADER,
  type Ipv4, type Packet,
} from "../packet/packet"
import type { Host } from "../host/host"
import { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN } from "./tcp-constants"
import { checkPort, isPort, portError } from "./tcp-stack"

/** Callbacks of a UDP socket. */
export interface UdpHandlers {
  onMessage?(sock: UdpSocket, message: unknown, bytes: number, fromIp: Ipv4, fromPort: number): void
  /**
   * An ICMP error about a datagram this socket sent. Only connected sockets hear them, as in Linux
   * (udp.c __udp4_lib_err without IP_RECVERR): "rejected" for port unreachable or prohibited, "unreachable"
   * for net/host unreachable or TTL exceeded.
   */
  onError?(sock: UdpSocket, reason: "rejected" | "unreachable", toIp: Ipv4, toPort: number): void
}

/** A bound UDP socket. */
export class UdpSocket {
  open = true
  /** Set by `connect`: the default peer, the only source accepted, and errors are reported. */
  remoteIp: Ipv4 = 0
  remotePort = 0
  constructor(readonly host: Host, readonly localPort: number, public handlers: UdpHandlers) {}

  /** Sends one datagram carrying `message` of `bytes` bytes (0 allowed). Returns false if dropped at once. */
  sendTo(ip: Ipv4, port: number, message: unknown, bytes: number): boolean {
    if (!this.open) throw new Error(`udp ${this.host.name}:${this.localPort}: socket is closed`)
    if (!isPort(port)) throw portError(`udp ${this.host.name}:${this.localPort} sendto`, port)
    if (!(bytes >= 0) || !Number.isSafeInteger(bytes)) throw new RangeError(`udp ${this.host.name}:${this.localPort}: size ${bytes} is not a whole number of bytes ≥ 0`)
    const p = this.host.net.newPacket()
    p.proto = PROTO_UDP
    p.dst = ip
    p.sport = this.localPort
    p.dport = port
    p.payload = message
    p.bytes = bytes
    p.length = IP_HEADER + UDP_HEADER + bytes
    return this.host.output(p) === null
  }

  /** Fixes the peer (connect(2) on a UDP socket). */
  connect(ip: Ipv4, port: number): void {
    checkPort(port, `udp ${this.host.name}:${this.localPort} connect`)
    this.remoteIp = ip
    this.remotePort = port
  }

  /** Sends to the connected peer. */
  send(message: unknown, bytes: number): boolean {
    if (this.remotePort === 0) throw new Error(`udp ${this.host.name}:${this.localPort}: send on an unconnected socket`)
    return this.sendTo(this.remoteIp, this.remotePort, message, bytes)
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.host.udp.unbind(this)
  }
}

const NO_SOCKETS: ReadonlyMap<number, UdpSocket> = new Map()

/** A host's UDP: sockets by local port (bound to every address). */
export class UdpStack {
  /** Made on the first bind: most pods never open a UDP socket, and an empty Map costs ~200 bytes. */
  private bound: Map<number, UdpSocket> | null = null
  constructor(private readonly host: Host) {}

  private get sockets(): ReadonlyMap<number, UdpSocket> {
    return this.bound ?? NO_SOCKETS
  }

  /** Binds `port` (0: an ephemeral port from ip_local_port_range, from a random offset). */
  bind(port: number, handlers: UdpHandlers): UdpSocket {
    if (port === 0) {
      const size = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1
      const off = this.host.rng.uint32() % size
      for (let i = 0; i < size && port === 0; i++) {
        const p = EPHEMERAL_PORT_MIN + ((off + i) % size)
        if (!this.sockets.has(p)) port = p
      }
      if (port === 0) throw new Error(`host ${this.host.name}: no free ephemeral udp port (EADDRINUSE)`)
    }
    checkPort(port, `host ${this.host.name}: udp bind`)
    if (this.sockets.has(port)) throw new AddressInUseError(`host ${this.host.name}: udp port ${port} is already bound (EADDRINUSE)`)
    const s = new UdpSocket(this.host, port, handlers)
    ;(this.bound ??= new Map()).set(port, s)
    return s
  }

  unbind(s: UdpSocket): void {
    if (this.sockets.get(s.localPort) === s) this.bound?.delete(s.localPort)
  }

  /** An arriving datagram (udp.c __udp4_lib_rcv): to its socket, else ICMP port unreachable. */
  receive(p: Packet): boolean {
    const s = this.sockets.get(p.dport)
    // A connected socket only takes datagrams from its peer (udp.c compute_score).
    if (s === undefined || (s.remotePort !== 0 && (s.remoteIp !== p.src || s.remotePort !== p.sport))) {
      this.host.sendIcmpError(p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH)
      return false
    }
    s.handlers.onMessage?.(s, p.payload, p.bytes, p.src, p.sport)
    return true
  }

  /** An ICMP error quoting a datagram we sent; returns whether a socket took it. */
  icmpError(p: Packet): boolean {
    const s = this.sockets.get(p.innerSport)
    if (s === undefined) return false
    if (s.remotePort !== 0 && s.remoteIp === p.innerDst && s.remotePort === p.innerDport) {
      const hard = p.icmpType !== ICMP_DEST_UNREACH || p.icmpCode === ICMP_NET_UNREACH || p.icmpCode === ICMP_HOST_UNREACH
      s.handlers.onError?.(s, hard ? "unreachable" : "rejected", p.innerDst, p.innerDport)
    }
    return true
  }
}
