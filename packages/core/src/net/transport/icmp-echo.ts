import {
  DEFAULT_TTL, ICMP_ECHO, ICMP_ECHO_KEY, ICMP_ECHOREPLY, ICMP_HEADER, IP_HEADER, PROTO_ICMP,
  type Ipv4, type Packet,
} from "../packet/packet"
import type { Host } from "../host/host"

/** Callbacks of an echo (ping) socket. */
export interface IcmpEchoHandlers {
  /** An echo reply carrying this socket's id: its sequence number, sender, IP TTL on arrival and data bytes. */
  onReply?(sock: IcmpEchoSocket, seq: number, fromIp: Ipv4, ttl: number, bytes: number): void
  /** An ICMP error quoting one of this socket's echoes (busybox ping ignores these unless -v). */
  onError?(sock: IcmpEchoSocket, type: number, code: number, fromIp: Ipv4): void
}

/**
 * A ping socket (net/ipv4/ping.c, `socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`): the kernel owns the echo id
 * (the socket's "port", ping_get_port) and hands the socket the replies that carry it.
 */
export class IcmpEchoSocket {
  open = true
  constructor(readonly host: Host, readonly id: number, public handlers: IcmpEchoHandlers) {}

  /**
   * Sends one echo request (icmp_seq `seq`, `bytes` data bytes: ping's default 56, so 84 bytes on the wire).
   * Returns false if it was dropped at once (no route, …).
   */
  send(dst: Ipv4, seq: number, bytes = 56): boolean {
    if (!this.open) throw new Error(`icmp ${this.host.name} id ${this.id}: socket is closed`)
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > 0xffff) throw new RangeError(`icmp ${this.host.name}: echo sequence ${seq} is not 0-65535`)
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`icmp ${this.host.name}: size ${bytes} is not a whole number of bytes ≥ 0`)
    const p = this.host.net.newPacket()
    p.proto = PROTO_ICMP
    p.icmpType = ICMP_ECHO
    p.dst = dst
    p.sport = this.id
    p.dport = ICMP_ECHO_KEY
    p.seq = seq
    p.bytes = bytes
    p.length = IP_HEADER + ICMP_HEADER + bytes
    return this.host.output(p) === null
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.host.icmpEcho.unbind(this)
  }
}

const NO_SOCKETS: ReadonlyMap<number, IcmpEchoSocket> = new Map()

/** A host's echo: answering requests to its addresses, and its ping sockets by id. */
export class IcmpEchoStack {
  /** net.ipv4.icmp_echo_ignore_all (default 0: every echo request to a local address is answered). */
  ignoreAll = false
  /** Made on the first open: most hosts never ping, and an empty Map costs ~200 bytes. */
  private open_: Map<number, IcmpEchoSocket> | null = null
  /** ping.c ping_get_port: ids are handed out from a rover that starts at 1 and skips those in use. */
  private rover = 0
  constructor(private readonly host: Host) {}

  private get sockets(): ReadonlyMap<number, IcmpEchoSocket> {
    return this.open_ ?? NO_SOCKETS
  }

  open(handlers: IcmpEchoHandlers): IcmpEchoSocket {
    for (let i = 0; i < 0x10000; i++) {
      this.rover = (this.rover + 1) & 0xffff
      if (this.rover === 0) this.rover = 1
      if (!this.sockets.has(this.rover)) {
        const s = new IcmpEchoSocket(this.host, this.rover, handlers)
        ;(this.open_ ??= new Map()).set(this.rover, s)
        return s
      }
    }
    throw new Error(`host ${this.host.name}: no free ICMP echo id (EADDRINUSE)`)
  }

  unbind(s: IcmpEchoSocket): void {
    if (this.sockets.get(s.id) === s) this.open_?.delete(s.id)
  }

  /**
   * An echo request or reply addressed to this host: a request is answered (icmp.c icmp_echo → icmp_reply: from
   * the address it was sent to, same id, sequence and data, a fresh TTL); a reply goes to the socket of its id.
   * Returns whether the packet was taken.
   */
  receive(p: Packet): boolean {
    if (p.icmpType === ICMP_ECHO) {
      if (this.ignoreAll) return false
      const r = this.host.net.newPacket()
      r.proto = PROTO_ICMP
      r.icmpType = ICMP_ECHOREPLY
      r.src = p.dst
      r.dst = p.src
      r.sport = ICMP_ECHO_KEY
      r.dport = p.sport
      r.seq = p.seq
      r.ttl = DEFAULT_TTL
      r.bytes = p.bytes
      r.payload = p.payload
      r.length = p.length
      this.host.output(r)
      return true
    }
    if (p.icmpType !== ICMP_ECHOREPLY) return false
    const s = this.sockets.get(p.dport)
    if (s === undefined) return false
    s.handlers.onReply?.(s, p.seq, p.src, p.ttl, p.bytes)
    return true
  }

  /** An ICMP error quoting one of our echoes (its quoted source port is the echo id). */
  icmpError(p: Packet): boolean {
    const s = this.sockets.get(p.innerSport)
    if (s === undefined || p.innerDport !== ICMP_ECHO_KEY) return false
    s.handlers.onError?.(s, p.icmpType, p.icmpCode, p.src)
    return true
  }
}
