import type { EventId, Nanos } from "../sim/index"
import {
  type AddressFamily,
  type DnsCache,
  type LookupResult,
  type ResolvConf,
  type ResolverFlavour,
  type ResolverQuery,
  type ResolverStep,
  type StubLookup,
  startLookup,
} from "../dns/index"
import { type Host, type Ipv4, type UdpHandlers, type UdpSocket, formatIpv4, tryParseIpv4 } from "../net/index"
import type { DnsRcode } from "../records/index"
import type { AppEnv, AppTimer, InFlightSource } from "./app-env"
import { type DnsQueryMessage, type DnsResponseMessage, isDnsResponse, queryBytes } from "./dns-wire"

/** The DNS port (RFC 1035 §4.2). */
export const DNS_PORT = 53

export interface StubResolverConfig {
  /** Who asks, for the `dns` records: the pod or host name. */
  readonly client: string
  /** The client's /etc/resolv.conf. */
  readonly conf: ResolvConf
  /** `musl` (busybox, Alpine) or `glibc`. */
  readonly flavour: ResolverFlavour
  /** getaddrinfo's family. Default `unspec` (A and AAAA, as wget asks). */
  readonly family?: AddressFamily
  /** An optional per-client answer cache (neither libc has one). */
  readonly cache?: DnsCache
}

/**
 * Query accounting of one resolver: every datagram sent ends exactly once, answered or timed out, so at every
 * instant `sent = answered + timedOut + inFlight`. A datagram times out when the resolver stops waiting for it:
 * it retransmits the same query to the same server, or the lookup ends without its answer.
 */
export interface DnsQueryCounters {
  sent: number
  answered: number
  timedOut: number
  inFlight: number
  /** Answers that arrived for a datagram already ended (a duplicate); not part of the balance. */
  late: number
  lookups: number
  lookupsDone: number
}

/**
 * A pod's stub resolver on the wire: runs the dns module's getaddrinfo state machine (musl or glibc) over real UDP
 * datagrams from the client's host to the nameservers of its resolv.conf — through the node's kube-proxy rules for
 * the kube-dns Service like any traffic. Each lookup uses its own socket on an ephemeral port, closed when the
 * lookup ends (musl res_msend.c and glibc res_send.c both do), so answers arriving later are refused by the host
 * with ICMP port unreachable. Each datagram writes one `dns` record when it ends.
 */
export class StubResolverDriver implements InFlightSource {
  readonly counters: DnsQueryCounters = { sent: 0, answered: 0, timedOut: 0, inFlight: 0, late: 0, lookups: 0, lookupsDone: 0 }
  /** @internal */
  readonly running = new Set<LookupRun>()

  constructor(
    readonly host: Host,
    readonly env: AppEnv,
    readonly config: StubResolverConfig,
  ) {
    for (const ns of config.conf.nameservers) {
      if (tryParseIpv4(ns) === null) throw new Error(`resolver of ${config.client}: nameserver "${ns}" is not an IPv4 address (only IPv4 is simulated)`)
    }
    env.track(this)
  }

  /** Starts a getaddrinfo() of `name` now; `done` gets the result and the lookup id when it ends. */
  resolve(name: string, done: (result: LookupResult, lookupId: number) => void): void {
    const c = this.config
    const run = new LookupRun(this, this.env.nextLookupId(), startLookup(c.flavour, c.conf, name, c.family ?? "unspec", c.cache), done)
    this.counters.lookups++
    this.running.add(run)
    run.act(run.lookup.start(this.env.sim.now))
  }

  /** Writes a `dns` record (rcode null) for every datagram still unanswered (end of the run). */
  flushInFlight(): void {
    for (const run of this.running) run.flush()
  }
}

/** One datagram. */
interface Transmission {
  readonly query: ResolverQuery
  readonly server: string
  readonly t: Nanos
  ended: boolean
}

// The records contract names four rcodes; FORMERR and NOTIMP (which no simulated server sends) count as SERVFAIL.
const recordRcode = (r: string): DnsRcode => (r === "NOERROR" || r === "NXDOMAIN" || r === "REFUSED" ? r : "SERVFAIL")

/** One getaddrinfo(): its socket, its state machine, its datagrams and its timer. */
class LookupRun implements UdpHandlers, AppTimer {
  private readonly socket: UdpSocket
  private readonly txs: Transmission[] = []
  private timer: EventId = -1
  private timerAt: Nanos = -1
  private finished = false

  constructor(
    readonly driver: StubResolverDriver,
    readonly id: number,
    readonly lookup: StubLookup,
    private readonly done: (result: LookupResult, lookupId: number) => void,
  ) {
    this.socket = driver.host.udpBind(0, this)
  }

  act(step: ResolverStep): void {
    if (this.finished) return
    if (step.kind === "done") {
      this.finish(step.result)
      return
    }
    if (step.kind === "send") for (const s of step.sends) this.transmit(s.query, s.server)
    this.arm(step.wakeAt)
  }

  private transmit(query: ResolverQuery, server: string): void {
    const d = this.driver
    const now = d.env.sim.now
    // A retransmission of the same query to the same server: the resolver gave up waiting for the previous one.
    for (const tx of this.txs) if (!tx.ended && tx.query.id === query.id && tx.server === server) this.end(tx, null, 0, now)
    this.txs.push({ query, server, t: now, ended: false })
    d.counters.sent++
    d.counters.inFlight++
    const msg: DnsQueryMessage = { kind: "dns-query", id: query.id, name: query.name, qtype: query.qtype }
    this.socket.sendTo(tryParseIpv4(server) as Ipv4, DNS_PORT, msg, queryBytes(msg))
  }

  private arm(at: Nanos): void {
    if (at === this.timerAt && this.timer >= 0) return
    const sim = this.driver.env.sim
    if (this.timer >= 0) sim.cancel(this.timer)
    this.timerAt = at
    this.timer = sim.at(at < sim.now ? sim.now : at, this.driver.env.timerKind, this)
  }

  onAppTimer(): void {
    this.timer = -1
    this.timerAt = -1
    this.act(this.lookup.onTimer(this.driver.env.sim.now))
  }

  onMessage(_sock: UdpSocket, message: unknown, _bytes: number, fromIp: Ipv4, fromPort: number): void {
    if (this.finished || !isDnsResponse(message) || fromPort !== DNS_PORT) return
    const res = message as DnsResponseMessage
    const from = formatIpv4(fromIp)
    const now = this.driver.env.sim.now
    let tx: Transmission | undefined
    for (const x of this.txs) if (!x.ended && x.query.id === res.id && x.server === from) { tx = x; break }
    if (tx === undefined) this.driver.counters.late++
    else this.end(tx, res.answer.rcode, res.answer.answer.length, now)
    this.act(this.lookup.onAnswer(now, res.id, res.answer, from))
  }

  /** Ends a datagram: answered with `rcode`, or timed out (null). */
  private end(tx: Transmission, rcode: string | null, answers: number, now: Nanos): void {
    tx.ended = true
    const c = this.driver.counters
    c.inFlight--
    if (rcode === null) c.timedOut++
    else c.answered++
    this.record(tx, rcode === null ? null : recordRcode(rcode), answers, rcode === null ? null : now - tx.t)
  }

  /** The `dns` record of one datagram (docs/records.md). */
  private record(tx: Transmission, rcode: ReturnType<typeof recordRcode> | null, answers: number, latency: Nanos | null): void {
    this.driver.env.records.append({
      kind: "dns",
      t: tx.t,
      lookup: this.id,
      client: this.driver.config.client,
      name: tx.query.name,
      qtype: tx.query.qtype,
      server: `${tx.server}:${DNS_PORT}`,
      rcode,
      answers,
      latency,
    })
  }

  private finish(result: LookupResult): void {
    this.finished = true
    const d = this.driver
    const now = d.env.sim.now
    for (const tx of this.txs) if (!tx.ended) this.end(tx, null, 0, now)
    if (this.timer >= 0) d.env.sim.cancel(this.timer)
    this.timer = -1
    this.socket.close()
    d.running.delete(this)
    d.counters.lookupsDone++
    this.done(result, this.id)
  }

  flush(): void {
    for (const tx of this.txs) {
      if (tx.ended) continue
      tx.ended = true
      this.record(tx, null, 0, null)
    }
  }
}
