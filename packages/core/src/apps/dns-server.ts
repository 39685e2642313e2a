import { type EventId, type Nanos, type Rng, NANOS_PER_MICRO, NANOS_PER_SECOND } from "../sim/index"
import { type CorednsCache, type CorednsServer, type DnsAnswer, type DnsQuestion, type DnsResponder, type Rcode, FALLTHROUGH, loadbalanceAnswer } from "../dns/index"
import { type Host, type Ipv4, type TcpConnection, type TcpHandlers, type TcpListener, type UdpHandlers, type UdpSocket } from "../net/index"
import type { AppEnv, AppTimer } from "./app-env"
import { type DnsQueryMessage, type DnsResponseMessage, isDnsQuery, isDnsResponse, queryBytes, responseBytes } from "./dns-wire"
import { type ServiceTime, checkServiceTime, drawServiceTime } from "./service-time"
import { DNS_PORT } from "./stub-resolver-driver"

/** A response with no records: how a server says SERVFAIL itself. */
const emptyAnswerFor = (rcode: Rcode): DnsAnswer => ({ rcode, authoritative: false, answer: [], authority: [], additional: [] })

/** What a DNS server app answers a question with: an answer, or FORWARD to relay it to its upstream. */
export type DnsAnswerer = (q: DnsQuestion) => DnsAnswer | typeof FORWARD
export const FORWARD = "forward" as const

/**
 * CoreDNS as kubeadm configures it, answering over the network: the `kubernetes` plugin answers the cluster
 * zones; what it lets fall through is relayed to the upstream host (`forward . /etc/resolv.conf`) as packets.
 * CNAME chasing of ExternalName answers stays in memory (through `server.upstream`, which should hold the same
 * zone the upstream host serves).
 */
export const corednsAnswerer = (server: CorednsServer): DnsAnswerer => {
  const chase = (q: DnsQuestion): DnsAnswer => server.answer(q)
  return (q) => {
    const a = server.plugin.serve(q, chase)
    return a === FALLTHROUGH ? FORWARD : a
  }
}

/** A resolver that answers everything itself (the upstream host, from its zone). */
export const zoneAnswerer = (zone: DnsResponder): DnsAnswerer => (q) => zone.answer(q)

export interface DnsServerConfig {
  /** Names the random stream of processing times: `dns-server/<name>`. */
  readonly name: string
  readonly answer: DnsAnswerer
  /** Default 53. */
  readonly port?: number
  /** Also serve DNS over TCP on the same port (one message per query). Default true. */
  readonly tcp?: boolean
  /** Time to answer one query. Default a constant 50 µs (an in-memory lookup; a cost model). */
  readonly processingTime?: ServiceTime
  /** Where FORWARD answers are relayed (the upstream resolver host). Without it they are SERVFAIL. */
  readonly upstream?: { readonly ip: Ipv4; readonly port?: number }
  /** Wait per upstream attempt before trying again. Default 2 s. */
  readonly forwardAttemptTimeout?: Nanos
  /** Give up (SERVFAIL) this long after the first attempt. Default 5 s: coredns plugin/forward/forward.go `defaultTimeout`. */
  readonly forwardDeadline?: Nanos
  /**
   * CoreDNS' `cache` plugin of this process: asked before the answerer; every reply of the answerer or the upstream
   * goes through it (a forward that gives up answers SERVFAIL from the server itself, past the cache, as
   * CoreDNS' server-level error write does).
   */
  readonly cache?: CorednsCache
  /** CoreDNS' `loadbalance` plugin: shuffles the A/AAAA records of every NOERROR reply (stream `dns-loadbalance/<name>`). */
  readonly loadbalance?: boolean
}

/** Counters of one server. Every query received is answered, in processing, or lost to a shutdown. */
export interface DnsServerStats {
  received: number
  answered: number
  forwarded: number
  /** Upstream attempts that timed out. */
  forwardTimeouts: number
  /** Forwarded queries that ended in SERVFAIL (deadline passed). */
  forwardFailures: number
  /** Queries dropped because the server stopped. */
  dropped: number
}

/**
 * A DNS server app on a host: a UDP socket (and a TCP listener) on port 53 answering from a `DnsAnswerer` — a CoreDNS
 * pod (`corednsAnswerer`) or the upstream resolver outside the cluster (`zoneAnswerer`). Answers go back to the
 * address and port the query came from, so conntrack undoes the kube-dns Service's DNAT on the way back.
 */
export class DnsServer {
  readonly stats: DnsServerStats = { received: 0, answered: 0, forwarded: 0, forwardTimeouts: 0, forwardFailures: 0, dropped: 0 }
  readonly port: number
  /** @internal */
  readonly rng: Rng
  private readonly shuffleRng: Rng | null
  private readonly processing: ServiceTime
  private udp: UdpSocket | null
  private tcp: TcpListener | null = null
  private forwardSocket: UdpSocket | null = null
  private nextForwardId = 1
  /** @internal */
  readonly pending = new Set<PendingDnsQuery>()
  private readonly forwards = new Map<number, PendingDnsQuery>()
  private readonly tcpConns = new Set<TcpConnection>()
  private running = true

  constructor(
    readonly host: Host,
    readonly env: AppEnv,
    readonly config: DnsServerConfig,
  ) {
    this.port = config.port ?? DNS_PORT
    this.processing = checkServiceTime(config.processingTime ?? { kind: "constant", value: 50 * NANOS_PER_MICRO }, `dns server ${config.name}: processingTime`)
    this.rng = env.sim.rng(`dns-server/${config.name}`)
    this.shuffleRng = config.loadbalance === true ? env.sim.rng(`dns-loadbalance/${config.name}`) : null
    const udpHandlers: UdpHandlers = {
      onMessage: (_s, m, _b, ip, port) => {
        if (isDnsQuery(m)) this.receive(m, ip, port, null)
      },
    }
    this.udp = host.udpBind(this.port, udpHandlers)
    if (config.tcp ?? true) {
      this.tcp = host.tcpListen(this.port, (conn) => {
        this.tcpConns.add(conn)
        const h: TcpHandlers = {
          onData: (c, m) => {
            if (isDnsQuery(m)) this.receive(m, c.remoteIp, c.remotePort, c)
          },
          onClosed: (c) => {
            this.tcpConns.delete(c)
          },
        }
        return h
      })
    }
  }

  get isRunning(): boolean {
    return this.running
  }

  /** Stops serving: sockets closed, queries in processing or forwarded are dropped unanswered. */
  stop(): void {
    if (!this.running) return
    this.running = false
    this.udp?.close()
    this.udp = null
    this.tcp?.close()
    this.tcp = null
    this.forwardSocket?.close()
    this.forwardSocket = null
    for (const c of this.tcpConns) c.close()
    this.tcpConns.clear()
    for (const p of this.pending) {
      p.cancel()
      this.stats.dropped++
    }
    this.pending.clear()
    this.forwards.clear()
  }

  private receive(q: DnsQueryMessage, ip: Ipv4, port: number, conn: TcpConnection | null): void {
    if (!this.running) return
    this.stats.received++
    const p = new PendingDnsQuery(this, q, ip, port, conn)
    this.pending.add(p)
    p.arm(drawServiceTime(this.processing, this.rng))
  }

  /** @internal processing of `p` is over: answer it or relay it upstream. */
  process(p: PendingDnsQuery): void {
    const q: DnsQuestion = { name: p.query.name, qtype: p.query.qtype }
    const cache = this.config.cache
    const hit = cache?.get(q, this.env.sim.now)
    if (hit !== undefined) return this.reply(p, hit)
    const a = this.config.answer(q)
    if (a !== FORWARD) return this.reply(p, this.cached(q, a))
    const up = this.config.upstream
    if (up === undefined) return this.reply(p, emptyAnswerFor("SERVFAIL"))
    this.stats.forwarded++
    p.forwardStarted = this.env.sim.now
    this.forwardAttempt(p)
  }

  /** @internal */
  forwardAttempt(p: PendingDnsQuery): void {
    const up = this.config.upstream as { readonly ip: Ipv4; readonly port?: number }
    const now = this.env.sim.now
    const deadline = p.forwardStarted + (this.config.forwardDeadline ?? 5 * NANOS_PER_SECOND)
    if (now >= deadline) {
      this.stats.forwardFailures++
      return this.reply(p, emptyAnswerFor("SERVFAIL"))
    }
    if (this.forwardSocket === null) {
      this.forwardSocket = this.host.udpBind(0, {
        onMessage: (_s, m, _b, _ip, _port) => {
          if (!isDnsResponse(m)) return
          const fp = this.forwards.get(m.id)
          if (fp === undefined) return
          this.forwards.delete(m.id)
          fp.cancel()
          this.reply(fp, this.cached({ name: fp.query.name, qtype: fp.query.qtype }, m.answer))
        },
      })
    }
    if (p.forwardId !== 0) this.forwards.delete(p.forwardId)
    p.forwardId = this.nextForwardId++
    this.forwards.set(p.forwardId, p)
    const msg: DnsQueryMessage = { kind: "dns-query", id: p.forwardId, name: p.query.name, qtype: p.query.qtype }
    this.forwardSocket.sendTo(up.ip, up.port ?? DNS_PORT, msg, queryBytes(msg))
    p.forwarding = true
    p.arm(Math.min(this.config.forwardAttemptTimeout ?? 2 * NANOS_PER_SECOND, deadline - now))
  }

  /** @internal an upstream attempt timed out. */
  forwardTimedOut(p: PendingDnsQuery): void {
    this.stats.forwardTimeouts++
    this.forwardAttempt(p)
  }

  /** The reply as the cache plugin writes it (stored, TTLs set), or as it is without a cache. */
  private cached(q: DnsQuestion, a: DnsAnswer): DnsAnswer {
    const cache = this.config.cache
    return cache === undefined ? a : cache.put(q, a, this.env.sim.now)
  }

  private reply(p: PendingDnsQuery, reply: DnsAnswer): void {
    // loadbalance comes before cache in CoreDNS' plugin.cfg (the handler chain order): it shuffles every
    // reply on its way out, cache hits included.
    const answer = this.shuffleRng === null ? reply : loadbalanceAnswer(reply, this.shuffleRng)
    this.pending.delete(p)
    if (p.forwardId !== 0) this.forwards.delete(p.forwardId)
    const res: DnsResponseMessage = { kind: "dns-response", id: p.query.id, name: p.query.name, qtype: p.query.qtype, answer }
    if (p.conn !== null) {
      if (p.conn.state !== "ESTABLISHED") return
      p.conn.send(res, responseBytes(res))
    } else {
      if (this.udp === null) return
      this.udp.sendTo(p.ip, p.port, res, responseBytes(res))
    }
    this.stats.answered++
  }
}

/** A query being processed or forwarded. */
class PendingDnsQuery implements AppTimer {
  private timer: EventId = -1
  forwarding = false
  forwardId = 0
  forwardStarted: Nanos = 0

  constructor(
    readonly server: DnsServer,
    readonly query: DnsQueryMessage,
    readonly ip: Ipv4,
    readonly port: number,
    readonly conn: TcpConnection | null,
  ) {}

  arm(after: Nanos): void {
    this.cancel()
    this.timer = this.server.env.sim.after(after, this.server.env.timerKind, this)
  }

  cancel(): void {
    if (this.timer >= 0) {
      this.server.env.sim.cancel(this.timer)
      this.timer = -1
    }
  }

  onAppTimer(): void {
    this.timer = -1
    if (this.forwarding) this.server.forwardTimedOut(this)
    else this.server.process(this)
  }
}
