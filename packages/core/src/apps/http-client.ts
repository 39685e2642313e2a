import { type EventId, type Nanos, NANOS_PER_SECOND } from "../sim/index"
import { type Host, type Ipv4, type TcpCloseReason, type TcpConnection, type TcpHandlers, formatIpv4, tryParseIpv4 } from "../net/index"
import type { FailureCause, RequestRecord } from "../records/index"
import type { AppEnv, AppTimer, InFlightSource } from "./app-env"
import { type HttpRequest, isHttpResponse, requestBytes } from "./http-message"
import type { RequestLabeller, RequestTarget } from "./request-labeller"
import type { StubResolverDriver } from "./stub-resolver-driver"
import { type HttpUrl, parseHttpUrl } from "./url"

/**
 * busybox wget's default network timeout (networking/wget.c wget_main: `G.timeout_seconds = 900`, `-T SEC`):
 * applied to connect and to each read, not to DNS. Connect therefore ends first at the kernel's SYN retries (≈127 s).
 */
export const WGET_TIMEOUT: Nanos = 900 * NANOS_PER_SECOND

/**
 * How a client uses connections:
 * - `one-shot`: wget / curl: one connection per request, `Connection: close`;
 * - `keep-alive`: reuse an idle connection for up to `maxRequests` requests or `maxAge` since it opened;
 * - `multiplexed`: gRPC-like: one connection per destination, many concurrent requests on it.
 */
export type HttpClientMode =
  | { readonly kind: "one-shot" }
  | { readonly kind: "keep-alive"; readonly maxRequests?: number; readonly maxAge?: Nanos }
  | { readonly kind: "multiplexed" }

export interface HttpClientConfig {
  /** The client's name on its records: pod name (`busybox`) or external host name. */
  readonly name: string
  /** Default one-shot. */
  readonly mode?: HttpClientMode
  /** The client's resolver; needed for URLs whose host is a name. */
  readonly resolver?: StubResolverDriver
  /** `every-request` (wget: a lookup per request, or per new connection when reusing) or `once` (cache the address forever). */
  readonly resolve?: "every-request" | "once"
  /** The application's connect timeout; default none beyond the kernel's SYN retries (wget's 900 s is longer). */
  readonly connectTimeout?: Nanos
  /** Wait for a response after sending the request; default 900 s (wget). */
  readonly responseTimeout?: Nanos
  readonly labeller?: RequestLabeller
}

export interface HttpClientStats {
  issued: number
  ok: number
  failed: number
  connectionsOpened: number
}

/** Maps how a connection ended (as the socket saw it) to the `request` record's failure cause. */
const causeOf = (reason: TcpCloseReason): FailureCause =>
  // An EOF before the response (the server closed without answering: wget "error getting response") counts as a reset.
  reason === "fin" ? "reset" : reason

/**
 * An HTTP client on a simulated host. `request(url, onDone)` issues one GET now: resolve the host through the
 * client's stub resolver (unless it is an address, or cached), connect (or reuse a connection, per mode), send, and
 * write one `request` record when it ends — ok with the server's hostname (`pod`), `ip:port` (`endpoint`) and the
 * source address it saw (`sourceIp`), or failed with a cause: refused, reset, timeout, rejected, dns, unreachable.
 */
export class HttpClient implements InFlightSource {
  readonly stats: HttpClientStats = { issued: 0, ok: 0, failed: 0, connectionsOpened: 0 }
  readonly mode: HttpClientMode
  private readonly responseTimeout: Nanos
  private readonly live = new Set<ClientRequest>()
  private readonly cachedAddress = new Map<string, Ipv4>()
  /** keep-alive: idle connections by `ip:port`; multiplexed: the one connection by `ip:port`. */
  private readonly pool = new Map<string, ClientConn[]>()
  private nextStream = 1

  constructor(
    readonly host: Host,
    readonly env: AppEnv,
    readonly config: HttpClientConfig,
  ) {
    this.mode = config.mode ?? { kind: "one-shot" }
    if (this.mode.kind === "keep-alive") {
      const n = this.mode.maxRequests ?? Infinity
      if (!(n >= 1)) throw new RangeError(`http client ${config.name}: keep-alive maxRequests ${n} is not ≥ 1`)
    }
    this.responseTimeout = config.responseTimeout ?? WGET_TIMEOUT
    env.track(this)
  }

  /** Requests issued and not yet ended. */
  get inFlight(): number {
    return this.live.size
  }

  /** Issues one GET now; `onDone` gets its record when it ends. Throws UrlError for a malformed URL. */
  request(url: string | HttpUrl, onDone?: (r: RequestRecord) => void): void {
    const u = typeof url === "string" ? parseHttpUrl(url) : url
    if (u.ip === null && this.config.resolver === undefined) {
      throw new Error(`http client ${this.config.name}: ${u.text} needs a DNS lookup of "${u.host}" but the client has no resolver`)
    }
    const env = this.env
    const req = new ClientRequest(this, env.nextRequestId(), env.sim.now, u, env.phase, onDone ?? null)
    this.stats.issued++
    this.live.add(req)
    if (u.ip !== null) return this.connectTo(req, u.ip)
    const cached = this.cachedAddress.get(u.host)
    if (cached !== undefined) return this.connectTo(req, cached)
    const reuse = this.reusable(u)
    if (reuse !== null) return this.sendOn(req, reuse)
    const resolver = this.config.resolver
    if (resolver === undefined) return this.fail(req, "dns")
    resolver.resolve(u.host, (result) => {
      if (req.ended) return
      let ip: Ipv4 | null = null
      if (result.status === "ok") for (const a of result.addresses) if ((ip = tryParseIpv4(a)) !== null) break
      if (ip === null) return this.fail(req, "dns")
      if (this.config.resolve === "once") this.cachedAddress.set(u.host, ip)
      this.connectTo(req, ip)
    })
  }

  /**
   * With a name URL and every-request resolution, a keep-alive or multiplexed client still resolves only when it
   * opens a connection: a request that can ride an open connection to a previous address of the same host skips it.
   */
  private reusable(u: HttpUrl): ClientConn | null {
    if (this.mode.kind === "one-shot") return null
    for (const list of this.pool.values()) for (const c of list) if (c.urlHost === u.host && c.port === u.port && this.usable(c)) return c
    return null
  }

  private connectTo(req: ClientRequest, ip: Ipv4): void {
    req.dstIp = ip
    const port = req.url.port
    const key = `${formatIpv4(ip)}:${port}`
    if (this.mode.kind !== "one-shot") {
      const list = this.pool.get(key)
      if (list !== undefined) for (const c of list) if (this.usable(c)) return this.sendOn(req, c)
    }
    const c = new ClientConn(this, this.env.nextConnectionId(), req.url.host, ip, port, key)
    this.stats.connectionsOpened++
    if (this.mode.kind !== "one-shot") {
      let list = this.pool.get(key)
      if (list === undefined) this.pool.set(key, (list = []))
      list.push(c)
    }
    c.tcp = this.host.tcpConnect(ip, port, c, this.config.connectTimeout !== undefined ? { connectTimeout: this.config.connectTimeout } : {})
    this.sendOn(req, c)
  }

  /** Whether a pooled connection can take one more request now. */
  private usable(c: ClientConn): boolean {
    if (c.closed || c.closing) return false
    const m = this.mode
    if (m.kind === "multiplexed") return true
    if (m.kind !== "keep-alive" || c.outstanding.size > 0 || c.waiting.length > 0) return false
    if (c.requests >= (m.maxRequests ?? Infinity)) return false
    return m.maxAge === undefined || this.env.sim.now - c.openedAt < m.maxAge
  }

  private sendOn(req: ClientRequest, c: ClientConn): void {
    req.conn = c
    req.dstIp = c.ip
    req.stream = this.nextStream++
    c.requests++
    if (c.established) c.transmit(req)
    else c.waiting.push(req)
  }

  /** @internal a response arrived for `req` on `c`. */
  completed(req: ClientRequest, c: ClientConn, status: number, body: string, endpoint: string, sourceIp: string, close: boolean): void {
    this.finish(req, "ok", null, { status, pod: body, endpoint, sourceIp })
    if (close) c.closing = true
    if (this.mode.kind === "one-shot" || (c.closing && c.outstanding.size === 0 && c.waiting.length === 0)) c.close()
    else if (this.mode.kind === "keep-alive" && !this.usable(c) && c.outstanding.size === 0) c.close()
  }

  /** @internal */
  fail(req: ClientRequest, cause: FailureCause): void {
    let endpoint: string | null = null
    const c = req.conn
    const lab = this.config.labeller
    if (c !== null && c.tcp !== null && lab?.chosenEndpoint !== undefined) {
      endpoint = lab.chosenEndpoint({ srcIp: formatIpv4(c.tcp.localIp), srcPort: c.tcp.localPort, dstIp: formatIpv4(c.ip), dstPort: c.port })
    }
    this.finish(req, "failed", cause, { status: null, pod: endpoint !== null ? (lab?.podOf?.(endpoint) ?? null) : null, endpoint, sourceIp: null })
  }

  /** @internal a response timeout: the request fails; wget (one request per process) closes its connection. */
  timedOut(req: ClientRequest): void {
    const c = req.conn
    this.fail(req, "timeout")
    if (c !== null && this.mode.kind !== "multiplexed") c.close()
  }

  private finish(req: ClientRequest, outcome: "ok" | "failed", cause: FailureCause | null, got: { status: number | null; pod: string | null; endpoint: string | null; sourceIp: string | null }): void {
    req.end()
    this.live.delete(req)
    if (outcome === "ok") this.stats.ok++
    else this.stats.failed++
    const now = this.env.sim.now
    const r = this.record(req, now, outcome, cause, got)
    this.env.records.append(r)
    req.onDone?.(r)
  }

  private record(
    req: ClientRequest,
    end: Nanos | null,
    outcome: RequestRecord["outcome"],
    cause: FailureCause | null,
    got: { status: number | null; pod: string | null; endpoint: string | null; sourceIp: string | null },
  ): RequestRecord {
    const lab = this.config.labeller
    let dst = req.url.host
    let service: string | null = null
    let node: string | null = null
    if (req.dstIp !== null) {
      const target: RequestTarget = { host: req.url.host, ip: formatIpv4(req.dstIp), port: req.url.port }
      dst = `${target.ip}:${target.port}`
      service = lab?.service?.(target) ?? null
      node = lab?.node?.(target) ?? null
    }
    return {
      kind: "request",
      id: req.id,
      t: req.t,
      end,
      client: this.config.name,
      clientIp: formatIpv4(this.host.primaryAddress),
      phase: req.phase,
      service,
      url: req.url.text,
      dst,
      node,
      endpoint: got.endpoint,
      pod: got.pod,
      sourceIp: got.sourceIp,
      outcome,
      cause,
      latency: end === null ? null : end - req.t,
      status: got.status,
      connection: req.conn?.id ?? 0,
    }
  }

  /** @internal the connection `c` ended: its requests fail. */
  connectionEnded(c: ClientConn, reason: TcpCloseReason): void {
    this.unpool(c)
    const reqs = [...c.outstanding.values(), ...c.waiting]
    c.outstanding.clear()
    c.waiting.length = 0
    for (const r of reqs) if (!r.ended) this.fail(r, causeOf(reason))
  }

  /** @internal */
  unpool(c: ClientConn): void {
    const list = this.pool.get(c.key)
    if (list === undefined) return
    const i = list.indexOf(c)
    if (i >= 0) list.splice(i, 1)
    if (list.length === 0) this.pool.delete(c.key)
  }

  /** @internal */
  get responseWait(): Nanos {
    return this.responseTimeout
  }

  /** Writes an `in-flight` record for every request not yet ended (end of the run). */
  flushInFlight(): void {
    for (const req of this.live) {
      this.env.records.append(this.record(req, null, "in-flight", null, { status: null, pod: null, endpoint: null, sourceIp: null }))
    }
    this.live.clear()
  }
}

/** One request from issue to end. */
class ClientRequest implements AppTimer {
  ended = false
  dstIp: Ipv4 | null = null
  conn: ClientConn | null = null
  stream = 0
  private timer: EventId = -1

  constructor(
    readonly client: HttpClient,
    readonly id: number,
    readonly t: Nanos,
    readonly url: HttpUrl,
    readonly phase: string | null,
    readonly onDone: ((r: RequestRecord) => void) | null,
  ) {}

  armResponseTimer(): void {
    const env = this.client.env
    this.timer = env.sim.after(this.client.responseWait, env.timerKind, this)
  }

  onAppTimer(): void {
    this.timer = -1
    if (this.ended) return
    this.conn?.outstanding.delete(this.stream)
    this.client.timedOut(this)
  }

  end(): void {
    this.ended = true
    if (this.timer >= 0) {
      this.client.env.sim.cancel(this.timer)
      this.timer = -1
    }
  }
}

/** One client TCP connection and the requests riding it. */
class ClientConn implements TcpHandlers {
  tcp: TcpConnection | null = null
  established = false
  closing = false
  closed = false
  requests = 0
  readonly openedAt: Nanos
  readonly outstanding = new Map<number, ClientRequest>()
  readonly waiting: ClientRequest[] = []

  constructor(
    readonly client: HttpClient,
    readonly id: number,
    readonly urlHost: string,
    readonly ip: Ipv4,
    readonly port: number,
    readonly key: string,
  ) {
    this.openedAt = client.env.sim.now
  }

  transmit(req: ClientRequest): void {
    const keepAlive = this.client.mode.kind !== "one-shot"
    const msg: HttpRequest = { kind: "http-request", stream: req.stream, host: req.url.host, path: req.url.path, keepAlive }
    this.outstanding.set(req.stream, req)
    ;(this.tcp as TcpConnection).send(msg, requestBytes(msg))
    req.armResponseTimer()
  }

  onConnected(): void {
    this.established = true
    const w = this.waiting.splice(0)
    for (const r of w) if (!r.ended) this.transmit(r)
  }

  onData(_conn: TcpConnection, message: unknown): void {
    if (!isHttpResponse(message)) return
    const req = this.outstanding.get(message.stream)
    if (req === undefined) return
    this.outstanding.delete(message.stream)
    if (req.ended) return
    this.client.completed(req, this, message.status, message.body, message.endpoint, message.sourceIp, message.close)
  }

  onClosed(_conn: TcpConnection, reason: TcpCloseReason): void {
    this.closed = true
    this.client.connectionEnded(this, reason)
  }

  /** Our side closes (FIN; abandons a connect in progress). Requests still on it fail as reset. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.tcp?.close()
    this.client.connectionEnded(this, "reset")
  }
}
