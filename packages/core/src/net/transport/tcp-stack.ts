import type { Nanos } from "../../sim/index"
import { AddressInUseError } from "./address-in-use"
import { TCP_ACK, TCP_RST, TCP_SYN, type Ipv4, type Packet } from "../packet/packet"
import type { Host } from "../host/host"
import { TcpConnection, type TcpHandlers } from "./tcp-connection"
import { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN } from "./tcp-constants"

/** Called when a connection to a listening port completes its handshake; returns that connection's handlers. */
export type AcceptHandler = (conn: TcpConnection) => TcpHandlers | void

export interface TcpConnectOptions {
  /** Source port; default an ephemeral port from net.ipv4.ip_local_port_range. */
  readonly srcPort?: number
  /** Source address; default the address of the outgoing route. */
  readonly srcIp?: Ipv4
  /** The application's connect timeout (shorter than the kernel's ≈127 s of SYN retries). */
  readonly connectTimeout?: Nanos
}

export interface TcpListenOptions {
  /**
   * Whether the accept queue is full (include/net/sock.h sk_acceptq_is_full: more than min(backlog, somaxconn)
   * connections waiting for accept()). While it is, new SYNs are dropped (`listen-overflow`), as tcp_conn_request
   * does (LINUX_MIB_LISTENOVERFLOWS), and the client's SYN retransmits try again. Default: never full.
   */
  readonly acceptQueueFull?: () => boolean
}

/** A listening socket (`listen()` on every address of the host). */
export class TcpListener {
  open = true
  constructor(
    readonly host: Host,
    readonly port: number,
    readonly onAccept: AcceptHandler,
    readonly options: TcpListenOptions = {},
  ) {}
  /** Stops accepting; established connections continue. */
  close(): void {
    if (!this.open) return
    this.open = false
    this.host.tcp.unlisten(this)
  }
}

const localKey = (ip: Ipv4, port: number): number => ip * 65536 + port

/**
 * A host's TCP: listening sockets by port, connections by 4-tuple (local address·port, then remote
 * address·port, each packed into one exact integer), and demultiplexing of arriving segments
 * (tcp_ipv4.c tcp_v4_rcv): a connection, else a listener for a SYN, else RST.
 */
export class TcpStack {
  private readonly listeners = new Map<number, TcpListener>()
  private readonly conns = new Map<number, Map<number, TcpConnection>>()
  private count = 0

  constructor(private readonly host: Host) {}

  /** Open connections (TIME_WAIT included until looked at after it ends). */
  get connectionCount(): number {
    return this.count
  }

  listen(port: number, onAccept: AcceptHandler, options: TcpListenOptions = {}): TcpListener {
    checkPort(port, `host ${this.host.name}: listen`)
    if (this.listeners.has(port)) throw new AddressInUseError(`host ${this.host.name}: tcp port ${port} is already listening (EADDRINUSE)`)
    const l = new TcpListener(this.host, port, onAccept, options)
    this.listeners.set(port, l)
    return l
  }

  unlisten(l: TcpListener): void {
    if (this.listeners.get(l.port) === l) this.listeners.delete(l.port)
  }

  connect(dst: Ipv4, dport: number, handlers: TcpHandlers, options: TcpConnectOptions = {}): TcpConnection {
    if (!isPort(dport)) throw portError(`host ${this.host.name}: connect`, dport)
    const host = this.host
    let src = options.srcIp ?? 0
    if (src === 0) {
      if (host.isLocal(dst)) src = dst
      else {
        const r = host.routes.lookup(dst)
        src = r !== null ? r.dev.sourceAddress() : host.primaryAddress
      }
    }
    const now = host.net.sim.now
    let sport = options.srcPort ?? 0
    if (sport === 0) sport = this.ephemeralPort(src, dst, dport, now)
    else if (this.find(src, sport, dst, dport, now) !== null) {
      throw new Error(`host ${host.name}: tcp ${sport} -> ${dport} is already in use (EADDRNOTAVAIL)`)
    }
    const c = new TcpConnection(host, src, sport, dst, dport, "SYN_SENT", handlers)
    this.add(c)
    if (options.connectTimeout !== undefined) c.setConnectTimeout(options.connectTimeout)
    c.start()
    return c
  }

  /**
   * An arriving segment; returns whether a socket took it (else the caller counts `no-socket`), or "overflow"
   * for a SYN a full accept queue dropped (the caller counts `listen-overflow`).
   */
  receive(p: Packet): boolean | "overflow" {
    const now = this.host.net.sim.now
    const c = this.find(p.dst, p.dport, p.src, p.sport, now)
    if (c !== null) {
      c.segment(p)
      return true
    }
    if ((p.flags & (TCP_SYN | TCP_ACK | TCP_RST)) === TCP_SYN) {
      const l = this.listeners.get(p.dport)
      if (l !== undefined) {
        // tcp_input.c tcp_conn_request: a full accept queue drops the SYN (no RST; tcp_abort_on_overflow = 0).
        if (l.options.acceptQueueFull?.() === true) return "overflow"
        const conn = new TcpConnection(this.host, p.dst, p.dport, p.src, p.sport, "SYN_RECV", {})
        this.add(conn)
        conn.acceptSyn()
        return true
      }
    }
    // tcp_ipv4.c tcp_v4_rcv → no_tcp_socket: answer with RST (never a RST to a RST).
    this.host.sendReset(p)
    return false
  }

  /** An ICMP error quoting a segment we sent; returns whether a connection took it. */
  icmpError(p: Packet): boolean {
    const c = this.find(p.innerSrc, p.innerSport, p.innerDst, p.innerDport, this.host.net.sim.now)
    if (c === null) return false
    c.icmpError(p.icmpType, p.icmpCode)
    return true
  }

  /** The handshake of a passively opened connection completed: hand it to its listener. */
  accepted(c: TcpConnection): void {
    const l = this.listeners.get(c.localPort)
    if (l === undefined) {
      c.abort()
      return
    }
    const h = l.onAccept(c)
    if (h) c.handlers = h
  }

  remove(c: TcpConnection): void {
    const m = this.conns.get(localKey(c.localIp, c.localPort))
    if (m === undefined) return
    const k = localKey(c.remoteIp, c.remotePort)
    if (m.get(k) === c) {
      m.delete(k)
      this.count--
      if (m.size === 0) this.conns.delete(localKey(c.localIp, c.localPort))
    }
  }

  /** Every open connection, in creation order per local port (for inspection). */
  connections(): TcpConnection[] {
    const out: TcpConnection[] = []
    for (const m of this.conns.values()) for (const c of m.values()) out.push(c)
    return out
  }

  private add(c: TcpConnection): void {
    const lk = localKey(c.localIp, c.localPort)
    let m = this.conns.get(lk)
    if (m === undefined) {
      m = new Map()
      this.conns.set(lk, m)
    }
    m.set(localKey(c.remoteIp, c.remotePort), c)
    this.count++
  }

  private find(lip: Ipv4, lport: number, rip: Ipv4, rport: number, now: Nanos): TcpConnection | null {
    const m = this.conns.get(localKey(lip, lport))
    if (m === undefined) return null
    const c = m.get(localKey(rip, rport))
    if (c === undefined) return null
    if (c.state === "TIME_WAIT" && c.timeWaitUntil <= now) {
      this.remove(c)
      return null
    }
    return c
  }

  /**
   * An ephemeral source port for a new connection (inet_hashtables.c __inet_hash_connect): from a random
   * offset in ip_local_port_range, the first port whose 4-tuple is free and that is not listening.
   */
  private ephemeralPort(src: Ipv4, dst: Ipv4, dport: number, now: Nanos): number {
    const size = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1
    const off = this.host.rng.uint32() % size
    for (let i = 0; i < size; i++) {
      const p = EPHEMERAL_PORT_MIN + ((off + i) % size)
      if (!this.listeners.has(p) && this.find(src, p, dst, dport, now) === null) return p
    }
    throw new Error(`host ${this.host.name}: no free ephemeral port towards ${dst}:${dport} (EADDRNOTAVAIL)`)
  }
}

/** Whether `port` is a port number a socket can address (1..65535). */
export const isPort = (port: number): boolean => Number.isInteger(port) && port >= 1 && port <= 65535

/** The error for a bad port; built only on failure, so per-packet callers build no message string. */
export const portError = (what: string, port: number): RangeError => new RangeError(`${what}: port ${port} is not in [1, 65535]`)

export const checkPort = (port: number, what: string): void => {
  if (!isPort(port)) throw portError(what, port)
}

