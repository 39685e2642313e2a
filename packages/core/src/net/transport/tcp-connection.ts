import type { EventId, Nanos } from "../../sim/index"
import {
  ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, IP_HEADER, PROTO_TCP, TCP_ACK, TCP_FIN, TCP_HEADER, TCP_PSH, TCP_RST, TCP_SYN,
  type Ipv4, type Packet,
} from "../packet/packet"
import { formatIpv4 } from "../addr/index"
import type { Host } from "../host/host"
import {
  TCP_RETRIES2, TCP_RTO_MAX, TCP_RTO_MIN, TCP_SYNACK_RETRIES, TCP_SYN_RETRIES, TCP_TIMEOUT_INIT, TCP_TIMEWAIT_LEN,
  type TcpCloseReason,
} from "./tcp-constants"

/** Callbacks of a connection's application. All optional. */
export interface TcpHandlers {
  onConnected?(conn: TcpConnection): void
  /** One application message arrived, in order (`bytes` is its size on the wire, headers excluded). */
  onData?(conn: TcpConnection, message: unknown, bytes: number): void
  /** The connection ended; called once, never after the application's own `close`/`abort` ended it first. */
  onClosed?(conn: TcpConnection, reason: TcpCloseReason): void
}

export type TcpState =
  | "SYN_SENT" | "SYN_RECV" | "ESTABLISHED" | "FIN_WAIT_1" | "FIN_WAIT_2" | "CLOSE_WAIT" | "LAST_ACK" | "TIME_WAIT" | "CLOSED"

/** A segment kept for retransmission until acknowledged. */
interface Segment {
  readonly seq: number
  readonly flags: number
  readonly message: unknown
  readonly bytes: number
  sentAt: Nanos
  retransmitted: boolean
}

const NO_TIMER = -1

/**
 * One TCP connection, simplified but honest: a three-way handshake, application messages as segments
 * numbered one sequence number each, cumulative ACKs, retransmission on timeout (go-back-N, RFC 6298 RTO
 * with Karn's rule, exponential backoff), FIN in both directions, RST. Not modelled: windows and congestion
 * control (every message is sent at once), delayed ACKs, byte-level segmentation.
 *
 * A connection whose peer closes first replies with its own FIN at once, as an application that closes on
 * EOF does.
 */
export class TcpConnection {
  state: TcpState
  handlers: TcpHandlers
  /** Application data for the user (e.g. the HTTP exchange this connection carries). */
  userData: unknown = null
  /** Time the connection was opened (connect called / SYN received). */
  readonly openedAt: Nanos
  /** Time the handshake completed, or -1. */
  establishedAt: Nanos = -1
  /** Until when a TIME_WAIT connection holds its tuple. */
  timeWaitUntil: Nanos = 0
  private sndNext = 0
  private rcvNext = 0
  private readonly unacked: Segment[] = []
  private rto: Nanos = TCP_TIMEOUT_INIT
  private srtt = 0
  private rttvar = 0
  private retries = 0
  private timer: EventId = NO_TIMER
  private deadline: EventId = NO_TIMER
  private finQueued = false
  private reported = false

  constructor(
    readonly host: Host,
    readonly localIp: Ipv4,
    readonly localPort: number,
    readonly remoteIp: Ipv4,
    readonly remotePort: number,
    state: "SYN_SENT" | "SYN_RECV",
    handlers: TcpHandlers,
  ) {
    this.state = state
    this.handlers = handlers
    this.openedAt = host.net.sim.now
  }

  /** Sends one application message of `bytes` bytes (> 0). Only while established (or half-closed by the peer). */
  send(message: unknown, bytes: number): void {
    if (this.state !== "ESTABLISHED" && this.state !== "CLOSE_WAIT") {
      throw new Error(`tcp ${this.describe()}: cannot send in state ${this.state}`)
    }
    if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw new RangeError(`tcp ${this.describe()}: message size ${bytes} is not a positive whole number of bytes`)
    this.queue(TCP_PSH | TCP_ACK, message, bytes)
  }

  /** Orderly close: a FIN after any data still unacknowledged. Closing while connecting abandons the attempt. */
  close(): void {
    this.reported = true
    switch (this.state) {
      case "SYN_SENT":
      case "SYN_RECV":
        this.finish()
        return
      case "ESTABLISHED":
        this.state = "FIN_WAIT_1"
        this.queueFin()
        return
      case "CLOSE_WAIT":
        this.state = "LAST_ACK"
        this.queueFin()
        return
      default:
        return
    }
  }

  /** Abortive close: a RST now (SO_LINGER 0). */
  abort(): void {
    this.reported = true
    if (this.state !== "SYN_SENT" && this.state !== "CLOSED" && this.state !== "TIME_WAIT") this.emit(TCP_RST | TCP_ACK, null, 0)
    this.finish()
  }

  /** Arms the application's connect timeout (ETIMEDOUT before the kernel's SYN retries end). */
  setConnectTimeout(after: Nanos): void {
    if (this.deadline !== NO_TIMER) this.host.net.sim.cancel(this.deadline)
    this.deadline = this.host.net.sim.after(after, this.host.net.tcpDeadlineKind, this)
  }

  describe(): string {
    return `${this.host.name} ${formatIpv4(this.localIp)}:${this.localPort} -> ${formatIpv4(this.remoteIp)}:${this.remotePort}`
  }

  // ------------------------------------------------------------------ stack side

  /** Client side: sends the first SYN. */
  start(): void {
    this.sndNext = 1
    this.unacked.push({ seq: 0, flags: TCP_SYN, message: null, bytes: 0, sentAt: this.host.net.sim.now, retransmitted: false })
    const r = this.emit(TCP_SYN, null, 0, 0)
    if (r === "no-route") {
      // ip_route_connect fails: connect() returns ENETUNREACH at once; report it as its own event.
      this.host.net.sim.after(0, this.host.net.callKind, () => this.fail("unreachable"))
      return
    }
    this.armTimer()
  }

  /** Server side: answers the SYN that created this connection. */
  acceptSyn(): void {
    this.rcvNext = 1
    this.sndNext = 1
    this.unacked.push({ seq: 0, flags: TCP_SYN | TCP_ACK, message: null, bytes: 0, sentAt: this.host.net.sim.now, retransmitted: false })
    this.emit(TCP_SYN | TCP_ACK, null, 0, 0)
    this.armTimer()
  }

  /** A segment of this connection arrived. */
  segment(p: Packet): void {
    const f = p.flags
    const st = this.state
    if (st === "TIME_WAIT") {
      // A retransmitted FIN: the final ACK was lost; ACK again.
      if ((f & TCP_FIN) !== 0) this.emit(TCP_ACK, null, 0)
      return
    }
    if ((f & TCP_RST) !== 0) {
      if (st === "SYN_SENT") {
        // tcp_input.c tcp_rcv_synsent_state_process: a RST acknowledging our SYN means ECONNREFUSED.
        if ((f & TCP_ACK) !== 0 && p.ack === 1) this.fail("refused")
        return
      }
      if (st === "SYN_RECV") {
        this.finish()
        return
      }
      this.fail("reset")
      return
    }
    if (st === "SYN_SENT") {
      if ((f & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && p.ack === 1) {
        this.ackedUpTo(1)
        this.rcvNext = 1
        this.state = "ESTABLISHED"
        this.establishedAt = this.host.net.sim.now
        this.cancelDeadline()
        this.emit(TCP_ACK, null, 0)
        this.handlers.onConnected?.(this)
      }
      return
    }
    if ((f & TCP_SYN) !== 0) {
      // A retransmitted SYN (our SYN-ACK was lost) or SYN-ACK (our ACK was lost): answer again.
      if (st === "SYN_RECV" && (f & TCP_ACK) === 0) this.emit(TCP_SYN | TCP_ACK, null, 0, 0)
      else if ((f & TCP_ACK) !== 0) this.emit(TCP_ACK, null, 0)
      return
    }
    if ((f & TCP_ACK) !== 0) {
      if (st === "SYN_RECV") {
        if (p.ack < 1) return
        this.state = "ESTABLISHED"
        this.establishedAt = this.host.net.sim.now
        this.host.tcp.accepted(this)
        if ((this.state as TcpState) === "CLOSED") return
      }
      this.ackedUpTo(p.ack)
      if ((this.state as TcpState) === "CLOSED") return
    }
    if (p.bytes > 0 || (f & TCP_FIN) !== 0) {
      if (p.seq !== this.rcvNext) {
        // Out of order or duplicate: drop it and repeat our ACK (go-back-N receiver).
        this.emit(TCP_ACK, null, 0)
        return
      }
      this.rcvNext++
      this.emit(TCP_ACK, null, 0)
      if (p.bytes > 0) {
        this.handlers.onData?.(this, p.payload, p.bytes)
        return
      }
      this.peerFin()
    }
  }

  /** An ICMP error quoting one of our segments (tcp_ipv4.c tcp_v4_err). */
  icmpError(type: number, code: number): void {
    // While connecting, a destination-unreachable aborts the attempt; on an established connection it is a
    // soft error the application does not see (no IP_RECVERR).
    if (this.state === "SYN_SENT") this.fail(type !== ICMP_DEST_UNREACH || code === ICMP_NET_UNREACH || code === ICMP_HOST_UNREACH ? "unreachable" : "rejected")
    else if (this.state === "SYN_RECV") this.finish()
  }

  /** The retransmission timer fired. */
  onTimer(): void {
    this.timer = NO_TIMER
    if (this.unacked.length === 0 || this.state === "CLOSED") return
    const limit = this.state === "SYN_SENT" ? TCP_SYN_RETRIES : this.state === "SYN_RECV" ? TCP_SYNACK_RETRIES : TCP_RETRIES2
    if (this.retries >= limit) {
      if (this.state === "SYN_RECV") this.finish()
      else this.fail("timeout")
      return
    }
    this.retries++
    // tcp_timer.c tcp_retransmit_timer: back off exponentially, bounded by TCP_RTO_MAX.
    this.rto = Math.min(this.rto * 2, TCP_RTO_MAX)
    const now = this.host.net.sim.now
    for (const s of this.unacked) {
      s.retransmitted = true
      s.sentAt = now
      this.emit(s.flags, s.message, s.bytes, s.seq)
    }
    this.armTimer()
  }

  /** The application's connect timeout fired. */
  onDeadline(): void {
    this.deadline = NO_TIMER
    if (this.state === "SYN_SENT") this.fail("timeout")
  }

  // ------------------------------------------------------------------ internals

  private queue(flags: number, message: unknown, bytes: number): void {
    const seg: Segment = { seq: this.sndNext++, flags, message, bytes, sentAt: this.host.net.sim.now, retransmitted: false }
    this.unacked.push(seg)
    this.emit(flags, message, bytes, seg.seq)
    if (this.timer === NO_TIMER && (this.state as TcpState) !== "CLOSED") this.armTimer()
  }

  private queueFin(): void {
    if (this.finQueued) return
    this.finQueued = true
    this.queue(TCP_FIN | TCP_ACK, null, 0)
  }

  private ackedUpTo(ack: number): void {
    let n = 0
    const now = this.host.net.sim.now
    while (n < this.unacked.length && (this.unacked[n] as Segment).seq < ack) {
      const s = this.unacked[n] as Segment
      if (n === 0 && !s.retransmitted) this.sampleRtt(now - s.sentAt)
      n++
    }
    if (n === 0) return
    const finAcked = this.finQueued && this.unacked[n - 1]!.flags & TCP_FIN
    this.unacked.splice(0, n)
    this.retries = 0
    this.cancelTimer()
    if (this.unacked.length > 0) this.armTimer()
    if (finAcked) {
      if (this.state === "FIN_WAIT_1") this.state = "FIN_WAIT_2"
      else if (this.state === "LAST_ACK") this.finish()
    }
  }

  /** RFC 6298 (tcp_input.c tcp_rtt_estimator): SRTT/RTTVAR, RTO = SRTT + 4·RTTVAR within [TCP_RTO_MIN, TCP_RTO_MAX]. */
  private sampleRtt(r: Nanos): void {
    if (this.srtt === 0) {
      this.srtt = r
      this.rttvar = r / 2
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r)
      this.srtt = 0.875 * this.srtt + 0.125 * r
    }
    this.rto = Math.min(TCP_RTO_MAX, Math.max(TCP_RTO_MIN, Math.round(this.srtt + 4 * this.rttvar)))
  }

  private peerFin(): void {
    if (this.state === "ESTABLISHED") {
      this.state = "CLOSE_WAIT"
      this.report("fin")
      if ((this.state as TcpState) !== "CLOSE_WAIT") return
      this.state = "LAST_ACK"
      this.queueFin()
    } else if (this.state === "FIN_WAIT_1" || this.state === "FIN_WAIT_2") {
      this.state = "TIME_WAIT"
      this.cancelTimer()
      this.unacked.length = 0
      this.timeWaitUntil = this.host.net.sim.now + TCP_TIMEWAIT_LEN
      this.report("fin")
    }
  }

  /** Puts a segment on the wire through the host's output path. */
  private emit(flags: number, message: unknown, bytes: number, seq = this.sndNext): "no-route" | "dropped" | null {
    const p = this.host.net.newPacket()
    p.proto = PROTO_TCP
    p.src = this.localIp
    p.dst = this.remoteIp
    p.sport = this.localPort
    p.dport = this.remotePort
    p.flags = flags
    p.seq = seq
    p.ack = (flags & TCP_ACK) !== 0 ? this.rcvNext : 0
    p.payload = message
    p.bytes = bytes
    p.length = IP_HEADER + TCP_HEADER + bytes
    return this.host.output(p)
  }

  private armTimer(): void {
    if (this.timer !== NO_TIMER) this.host.net.sim.cancel(this.timer)
    this.timer = this.host.net.sim.after(this.rto, this.host.net.tcpTimerKind, this)
  }

  private cancelTimer(): void {
    if (this.timer !== NO_TIMER) {
      this.host.net.sim.cancel(this.timer)
      this.timer = NO_TIMER
    }
  }

  private cancelDeadline(): void {
    if (this.deadline !== NO_TIMER) {
      this.host.net.sim.cancel(this.deadline)
      this.deadline = NO_TIMER
    }
  }

  private report(reason: TcpCloseReason): void {
    if (this.reported) return
    this.reported = true
    this.handlers.onClosed?.(this, reason)
  }

  /** Ends the connection with an error the application sees. */
  private fail(reason: TcpCloseReason): void {
    if (this.state === "CLOSED") return
    this.finish()
    this.report(reason)
  }

  /** Frees the connection (no callback). */
  private finish(): void {
    this.cancelTimer()
    this.cancelDeadline()
    this.unacked.length = 0
    this.state = "CLOSED"
    this.host.tcp.remove(this)
  }
}
