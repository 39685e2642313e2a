import type { Nanos } from "../sim/index"
import { NANOS_PER_SECOND } from "../sim/index"
import type { Host, IcmpEchoSocket, Ipv4 } from "../net/index"
import { ICMP_HEADER } from "../net/index"
import type { AppEnv, AppTimer } from "./app-env"

/** busybox ping's defaults (networking/ping.c): 56 data bytes, one echo a second, -W 10 s (MAXWAIT). */
export const PING_DATA_BYTES = 56
export const PING_INTERVAL: Nanos = NANOS_PER_SECOND
export const PING_TIMEOUT: Nanos = 10 * NANOS_PER_SECOND

export interface PingConfig {
  /** `-c N`: echoes to send (≥ 1). */
  readonly count: number
  /** `-W SEC`: how long to wait after the last echo when no reply came at all. Default 10 s. */
  readonly timeout?: Nanos
  /** Between echoes. Default 1 s. */
  readonly interval?: Nanos
  /** `-s SIZE`: data bytes per echo. Default 56. */
  readonly dataBytes?: number
}

/** One echo reply as ping prints it. */
export interface PingReply {
  readonly seq: number
  readonly from: Ipv4
  /** The reply's IP TTL on arrival. */
  readonly ttl: number
  /** ICMP bytes received (header + data: 64 for the default size). */
  readonly bytes: number
  /** Round trip in microseconds (busybox keeps microseconds: monotonic_us()). */
  readonly rttMicros: number
  /** A second reply to a sequence already answered (" (DUP!)"). */
  readonly dup: boolean
}

export interface PingResult {
  readonly transmitted: number
  /** Distinct sequences answered. */
  readonly received: number
  readonly duplicates: number
  readonly replies: ReadonlyArray<PingReply>
  /** Set when an echo could not be sent at all (sendto failed: no route from this host). */
  readonly sendError: "no-route" | null
}

/**
 * busybox ping's loop (networking/ping.c sendping_tail, unpack_tail, ping4): echo seq 0 now, the next one every
 * interval until `count` are sent; after the last, wait `timeout` if nothing came back yet, else about two of the
 * longest round trips (tmax / 512 Ki µs, at least 1 s); stop early once `count` replies arrived.
 */
export class PingClient implements AppTimer {
  private sock: IcmpEchoSocket | null = null
  private dst: Ipv4 = 0
  private transmitted = 0
  private received = 0
  private duplicates = 0
  private tmaxMicros = 0
  private readonly sentAt: Nanos[] = []
  private readonly seen = new Set<number>()
  private readonly replies: PingReply[] = []
  private waitingLast = false
  private finished = false
  private sendError: "no-route" | null = null
  private onReply: ((r: PingReply) => void) | null = null
  private done: ((r: PingResult) => void) | null = null

  constructor(readonly host: Host, readonly env: AppEnv, readonly config: PingConfig) {
    if (!Number.isSafeInteger(config.count) || config.count < 1) throw new RangeError(`ping: count ${config.count} is not a whole number ≥ 1`)
  }

  /** Starts pinging `dst` now; `onReply` hears each reply as it comes, `done` the totals at the end. */
  start(dst: Ipv4, onReply: ((r: PingReply) => void) | null, done: (r: PingResult) => void): void {
    if (this.sock !== null) throw new Error("ping: already started")
    this.dst = dst
    this.onReply = onReply
    this.done = done
    this.sock = this.host.icmpEchoOpen({ onReply: (_s, seq, from, ttl, bytes) => this.reply(seq, from, ttl, bytes) })
    this.sendNext()
  }

  onAppTimer(): void {
    if (this.finished) return
    if (this.waitingLast) this.finish()
    else this.sendNext()
  }

  private sendNext(): void {
    const sock = this.sock as IcmpEchoSocket
    const seq = this.transmitted++
    this.sentAt[seq] = this.env.sim.now
    const left = sock.send(this.dst, seq & 0xffff, this.config.dataBytes ?? PING_DATA_BYTES)
    if (!left && this.host.up && !this.host.isLocal(this.dst) && this.host.routes.lookup(this.dst) === null) {
      // sendto(2) failed at once (ENETUNREACH): busybox dies with "sendto: Network unreachable".
      this.sendError = "no-route"
      this.finish()
      return
    }
    if (this.transmitted < this.config.count) {
      this.env.sim.after(this.config.interval ?? PING_INTERVAL, this.env.timerKind, this)
      return
    }
    this.waitingLast = true
    const timeout = this.config.timeout ?? PING_TIMEOUT
    // "approx. 2*tmax, in seconds (2 RTT in usec / 1000000)": tmax / (512*1024), at least 1 s.
    const expire = this.received > 0 ? Math.max(1, Math.floor(this.tmaxMicros / (512 * 1024))) * NANOS_PER_SECOND : timeout
    this.env.sim.after(expire, this.env.timerKind, this)
  }

  private reply(seq: number, from: Ipv4, ttl: number, bytes: number): void {
    if (this.finished) return
    const sent = this.sentAt[seq]
    if (sent === undefined) return
    const rttMicros = Math.floor((this.env.sim.now - sent) / 1000)
    const dup = this.seen.has(seq)
    if (dup) this.duplicates++
    else {
      this.seen.add(seq)
      this.received++
    }
    if (rttMicros > this.tmaxMicros) this.tmaxMicros = rttMicros
    const r: PingReply = { seq, from, ttl, bytes: bytes + ICMP_HEADER, rttMicros, dup }
    this.replies.push(r)
    this.onReply?.(r)
    if (this.received >= this.config.count) this.finish()
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.sock?.close()
    this.done?.({ transmitted: this.transmitted, received: this.received, duplicates: this.duplicates, replies: this.replies, sendError: this.sendError })
  }
}
