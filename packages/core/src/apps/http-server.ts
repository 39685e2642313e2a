import { type EventId, type Nanos, type Rng, NANOS_PER_MICRO, NANOS_PER_SECOND } from "../sim/index"
import { type Host, type TcpConnection, type TcpHandlers, type TcpListener, formatIpv4 } from "../net/index"
import type { TcpCloseReason } from "../net/index"
import type { AppEnv, AppTimer } from "./app-env"
import { type HttpRequest, type HttpResponse, isHttpRequest, responseBytes } from "./http-message"
import { type ServiceTime, checkServiceTime, drawServiceTime } from "./service-time"

/** nginx's built-in default `keepalive_timeout 75s` (ngx_http_core_module docs, "keepalive_timeout"). */
export const NGINX_KEEPALIVE_TIMEOUT: Nanos = 75 * NANOS_PER_SECOND
/** nginx's built-in default `keepalive_requests 1000` (ngx_http_core_module docs; 100 before 1.19.10). */
export const NGINX_KEEPALIVE_REQUESTS = 1000
/** nginx's built-in default `worker_connections 512` (ngx_event_core_module docs, "worker_connections"). */
export const NGINX_WORKER_CONNECTIONS = 512
/**
 * nginx's `listen … backlog=` default on Linux: 511 (ngx_http_core_module docs, "listen": "backlog … is set to
 * -1 on FreeBSD, DragonFly BSD, and macOS, and to 511 on other platforms"; NGX_LISTEN_BACKLOG).
 */
export const NGINX_LISTEN_BACKLOG = 511
/** `net.core.somaxconn` since Linux 5.4 (4096; 128 before): listen() caps its backlog at it (af_inet.c __inet_listen_sk). */
export const LINUX_SOMAXCONN = 4096
/** nginx's built-in default `client_header_timeout 60s`: a new connection must send its request within it. */
export const NGINX_CLIENT_HEADER_TIMEOUT: Nanos = 60 * NANOS_PER_SECOND

/**
 * What the official `nginx` image runs (its /etc/nginx/nginx.conf: `worker_processes auto;`,
 * `worker_connections 1024;`, `keepalive_timeout 65;`): the seed's `web-deploy` pods.
 */
export const NGINX_IMAGE_CONFIG = {
  keepaliveTimeout: 65 * NANOS_PER_SECOND,
  workerConnections: 1024,
} as const

export interface HttpServerConfig {
  /** The page body: the pod's hostname (the seed replaced index.html with it). */
  readonly hostname: string
  /** `listen` port. Default 80. */
  readonly port?: number
  /** Time to produce each response. Default a constant 100 µs (a small static file; a cost model). */
  readonly serviceTime?: ServiceTime
  /** Random stream of the service times. Default `http-server/<hostname>`. */
  readonly rngStream?: string
  /** Default 75 s (nginx's built-in default; the official image sets 65 s: see NGINX_IMAGE_CONFIG). */
  readonly keepaliveTimeout?: Nanos
  /** Default 1000. */
  readonly keepaliveRequests?: number
  /** Default 60 s. */
  readonly clientHeaderTimeout?: Nanos
  /** Default 1. */
  readonly workerProcesses?: number
  /** Per worker; default 512. Connections beyond workerProcesses × workerConnections wait un-accepted. */
  readonly workerConnections?: number
  /** Requests in service at once (an application's worker pool); beyond it they queue FIFO. Default unlimited. */
  readonly maxConcurrentRequests?: number
  /** listen()'s backlog; default NGINX_LISTEN_BACKLOG (511). The kernel caps it at `somaxconn`. */
  readonly listenBacklog?: number
  /** The host's net.core.somaxconn; default LINUX_SOMAXCONN (4096). */
  readonly somaxconn?: number
  /** Called for every request the server takes, with the client address it saw. */
  readonly onRequest?: (sourceIp: string, endpoint: string) => void
  /**
   * Paths of the application's readiness endpoint (what a pod's httpGet readinessProbe asks for). While the
   * server is set unready (`setReady(false)`) requests for these paths are answered `503 Service Unavailable`;
   * other paths are served as usual. Default none.
   */
  readonly readinessPaths?: ReadonlyArray<string>
  /** Paths of the application's health (liveness) endpoint: 503 while it is set unhealthy (`setLive(false)`). */
  readonly livenessPaths?: ReadonlyArray<string>
}

/** running → draining (graceful quit) → stopped; or straight to stopped (fast shutdown, kill). */
export type HttpServerState = "running" | "draining" | "stopped"

/** Counters of one server. */
export interface HttpServerStats {
  /** Connections that completed the handshake. */
  handshakes: number
  /** Connections accepted by a worker. */
  accepted: number
  /** Most connections ever waiting un-accepted at once. */
  backlogPeak: number
  /** SYNs the kernel dropped because the accept queue was full (`ss -s`/`nstat` ListenOverflows). */
  listenOverflows: number
  requests: number
  responses: number
  /** Requests that never got a response: their connection went away, or shutdown dropped them. */
  dropped: number
}

const NO_PATHS: ReadonlySet<string> = new Set()

/**
 * An nginx-like static HTTP server on a simulated host.
 *
 * - Each request is answered after a service time drawn from its distribution, with the hostname as the body and
 *   the server's own `ip:port` and the client address it saw stamped on the response.
 * - Connections: `worker_processes × worker_connections` are served at once; connections beyond wait in the
 *   accept queue (their requests are read when a slot frees), as nginx stops accepting when its connection
 *   array is full (ngx_event_accept.c, "worker_connections are not enough"). The accept queue holds
 *   min(backlog 511, somaxconn 4096) + 1 connections; SYNs beyond are dropped by the kernel (the client's SYN
 *   retransmits at 1 s, 3 s, … retry), as tcp_conn_request does with tcp_abort_on_overflow = 0.
 * - Keep-alive (ngx_http_request.c ngx_http_set_keepalive): after a response the connection waits
 *   `keepalive_timeout` for the next request and is closed after `keepalive_requests` requests or on
 *   `Connection: close`; a new connection waits `client_header_timeout` for its first request.
 * - Signals (nginx docs, "Controlling nginx"): SIGQUIT is a graceful shutdown — close the listening socket (new
 *   SYNs get RST; connections still in the accept queue are reset, as the kernel does in inet_csk_listen_stop),
 *   close idle keep-alive connections, finish in-flight requests with `Connection: close`, then stop. SIGTERM and
 *   SIGINT are a fast shutdown: the worker exits and the kernel closes every socket (FIN; unanswered requests
 *   are lost). The official image's Dockerfile sets `STOPSIGNAL SIGQUIT`, so a pod's termination is graceful.
 * - `kill`: abrupt death: every socket reset, or (`reset: false`) nothing sent, for a host that vanished.
 */
export class HttpServer {
  readonly stats: HttpServerStats = { handshakes: 0, accepted: 0, backlogPeak: 0, listenOverflows: 0, requests: 0, responses: 0, dropped: 0 }
  private stateNow: HttpServerState = "running"
  private listener: TcpListener | null
  private readonly conns = new Set<ServerConn>()
  private readonly backlog: ServerConn[] = []
  private readonly queue: PendingRequest[] = []
  private inService = 0
  private readonly maxConns: number
  private readonly maxConcurrent: number
  /** sk_max_ack_backlog: min(backlog, somaxconn). */
  readonly maxAckBacklog: number
  readonly port: number
  readonly serviceTime: ServiceTime
  readonly keepaliveTimeout: Nanos
  readonly keepaliveRequests: number
  readonly clientHeaderTimeout: Nanos
  /** @internal */
  readonly rng: Rng
  private readonly stoppedCallbacks: Array<() => void> = []
  private readyNow = true
  private readonly readinessPaths: ReadonlySet<string>
  private liveNow = true
  private readonly livenessPaths: ReadonlySet<string>

  constructor(
    readonly host: Host,
    readonly env: AppEnv,
    readonly config: HttpServerConfig,
  ) {
    this.port = config.port ?? 80
    this.serviceTime = checkServiceTime(config.serviceTime ?? { kind: "constant", value: 100 * NANOS_PER_MICRO }, `http server ${config.hostname}: serviceTime`)
    this.keepaliveTimeout = config.keepaliveTimeout ?? NGINX_KEEPALIVE_TIMEOUT
    this.keepaliveRequests = config.keepaliveRequests ?? NGINX_KEEPALIVE_REQUESTS
    this.clientHeaderTimeout = config.clientHeaderTimeout ?? NGINX_CLIENT_HEADER_TIMEOUT
    const procs = config.workerProcesses ?? 1
    const perWorker = config.workerConnections ?? NGINX_WORKER_CONNECTIONS
    const backlog = config.listenBacklog ?? NGINX_LISTEN_BACKLOG
    const somaxconn = config.somaxconn ?? LINUX_SOMAXCONN
    for (const [name, v] of [["workerProcesses", procs], ["workerConnections", perWorker], ["keepaliveRequests", this.keepaliveRequests]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`http server ${config.hostname}: ${name} ${v} is not a whole number ≥ 1`)
    }
    for (const [name, v] of [["listenBacklog", backlog], ["somaxconn", somaxconn]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`http server ${config.hostname}: ${name} ${v} is not a whole number ≥ 0`)
    }
    // af_inet.c __inet_listen_sk: sk_max_ack_backlog = min(backlog, net.core.somaxconn).
    this.maxAckBacklog = Math.min(backlog, somaxconn)
    this.maxConns = procs * perWorker
    this.maxConcurrent = config.maxConcurrentRequests ?? Infinity
    if (!(this.maxConcurrent >= 1)) throw new RangeError(`http server ${config.hostname}: maxConcurrentRequests ${this.maxConcurrent} is not ≥ 1`)
    this.rng = env.sim.rng(config.rngStream ?? `http-server/${config.hostname}`)
    // Shared when empty (the usual case): a Set each per pod costs ~200 bytes.
    this.readinessPaths = config.readinessPaths === undefined || config.readinessPaths.length === 0 ? NO_PATHS : new Set(config.readinessPaths)
    this.livenessPaths = config.livenessPaths === undefined || config.livenessPaths.length === 0 ? NO_PATHS : new Set(config.livenessPaths)
    // sock.h sk_acceptq_is_full is `>`: the queue holds maxAckBacklog + 1 connections before SYNs are dropped.
    this.listener = host.tcpListen(this.port, (conn) => this.onHandshake(conn), { acceptQueueFull: () => this.acceptQueueFull() })
  }

  get state(): HttpServerState {
    return this.stateNow
  }
  /** Connections accepted and open. */
  get openConnections(): number {
    return this.conns.size
  }
  /** Connections waiting to be accepted. */
  get waitingConnections(): number {
    return this.backlog.length
  }
  /** Requests being served or queued for service. */
  get requestsInProgress(): number {
    return this.inService + this.queue.length
  }

  private acceptQueueFull(): boolean {
    const full = this.backlog.length > this.maxAckBacklog
    if (full) this.stats.listenOverflows++
    return full
  }

  /** Whether the application reports itself ready on its readiness paths. */
  get ready(): boolean {
    return this.readyNow
  }

  /**
   * The application's own readiness (a health check it runs, a dependency it lost): while false its readiness
   * paths answer 503, so a kubelet probing them (pkg/probe/http: success is 200–399) marks the pod not ready.
   */
  setReady(ready: boolean): void {
    this.readyNow = ready
  }

  /** The application's own health (a deadlock, a wedged worker): while false its liveness paths answer 503. */
  setLive(live: boolean): void {
    this.liveNow = live
  }

  /** Calls `f` once the server has stopped (at once if it already has). */
  onStopped(f: () => void): void {
    if (this.stateNow === "stopped") f()
    else this.stoppedCallbacks.push(f)
  }

  /** Delivers a signal the way nginx's master process handles it. */
  signal(sig: "SIGQUIT" | "SIGTERM" | "SIGINT"): void {
    if (sig === "SIGQUIT") this.quit()
    else this.fastShutdown()
  }

  /** Graceful shutdown (`nginx -s quit`, SIGQUIT). */
  quit(): void {
    if (this.stateNow !== "running") return
    this.stateNow = "draining"
    this.closeListener()
    for (const sc of [...this.conns]) if (sc.inProgress === 0) this.closeConn(sc)
    this.checkStopped()
  }

  /** Fast shutdown (`nginx -s stop`, SIGTERM/SIGINT): every socket closed now (FIN), unanswered requests lost. */
  fastShutdown(): void {
    this.terminate("fin")
  }

  /** Abrupt death: with `reset` (default) every connection is reset; without, nothing is sent (the host vanished). */
  kill(options: { readonly reset?: boolean } = {}): void {
    this.terminate((options.reset ?? true) ? "reset" : "silent")
  }

  private terminate(mode: "fin" | "reset" | "silent"): void {
    if (this.stateNow === "stopped") return
    this.stateNow = "stopped"
    if (this.listener !== null) {
      this.listener.close()
      this.listener = null
    }
    const all = [...this.backlog.splice(0), ...this.conns]
    this.conns.clear()
    for (const sc of all) {
      sc.dropAll()
      sc.closing = true
      sc.cancelIdle()
      if (sc.conn.state === "CLOSED" || mode === "silent") continue
      // The kernel resets connections nobody accepted yet (inet_csk_listen_stop) and closes the others.
      if (mode === "reset" || !sc.accepted) sc.conn.abort()
      else sc.conn.close()
    }
    for (const p of this.queue.splice(0)) p.drop()
    this.setStopped()
  }

  // ------------------------------------------------------------------ connection lifecycle

  private onHandshake(conn: TcpConnection): TcpHandlers {
    const sc = new ServerConn(this, conn)
    this.stats.handshakes++
    if (this.stateNow !== "running") {
      conn.abort()
      return sc
    }
    if (this.conns.size < this.maxConns) this.accept(sc)
    else {
      this.backlog.push(sc)
      if (this.backlog.length > this.stats.backlogPeak) this.stats.backlogPeak = this.backlog.length
    }
    return sc
  }

  private accept(sc: ServerConn): void {
    sc.accepted = true
    this.conns.add(sc)
    this.stats.accepted++
    if (sc.buffered.length > 0) {
      const reqs = sc.buffered
      sc.buffered = []
      for (const r of reqs) this.startRequest(sc, r)
    } else sc.armIdle(this.clientHeaderTimeout)
  }

  private acceptWaiting(): void {
    while (this.stateNow === "running" && this.backlog.length > 0 && this.conns.size < this.maxConns) {
      this.accept(this.backlog.shift() as ServerConn)
    }
  }

  /** @internal a request arrived on `sc`. */
  onRequest(sc: ServerConn, req: HttpRequest): void {
    if (!sc.accepted) {
      sc.buffered.push(req)
      return
    }
    this.startRequest(sc, req)
  }

  private startRequest(sc: ServerConn, req: HttpRequest): void {
    this.stats.requests++
    sc.cancelIdle()
    sc.inProgress++
    const p = new PendingRequest(this, sc, req)
    sc.pending.add(p)
    this.config.onRequest?.(sc.peerIp, sc.selfEndpoint)
    if (this.inService < this.maxConcurrent) this.beginService(p)
    else this.queue.push(p)
  }

  private beginService(p: PendingRequest): void {
    this.inService++
    p.timer = this.env.sim.after(drawServiceTime(this.serviceTime, this.rng), this.env.timerKind, p)
  }

  /** @internal the service time of `p` ended: answer it. */
  served(p: PendingRequest): void {
    p.timer = -1
    this.inService--
    const sc = p.sc
    sc.pending.delete(p)
    sc.inProgress--
    const live = sc.conn.state === "ESTABLISHED" && !sc.closing
    if (live) {
      sc.served++
      // ngx_http_core_module ngx_http_update_location_config: no keep-alive past keepalive_requests or while exiting.
      const close =
        sc.closeAfterResponse || !p.req.keepAlive || sc.served >= this.keepaliveRequests || this.stateNow !== "running" || this.keepaliveTimeout === 0
      const res: HttpResponse = {
        kind: "http-response",
        stream: p.req.stream,
        status: (!this.readyNow && this.readinessPaths.has(p.req.path)) || (!this.liveNow && this.livenessPaths.has(p.req.path)) ? 503 : 200,
        body: this.config.hostname,
        endpoint: sc.selfEndpoint,
        sourceIp: sc.peerIp,
        close,
      }
      sc.conn.send(res, responseBytes(res))
      this.stats.responses++
      if (close) {
        sc.closeAfterResponse = true
        if (sc.inProgress === 0) this.closeConn(sc)
      } else if (sc.inProgress === 0) sc.armIdle(this.keepaliveTimeout)
    } else this.stats.dropped++
    const next = this.queue.shift()
    if (next !== undefined) this.beginService(next)
    this.checkStopped()
  }

  /** @internal orderly close from our side (FIN after the data already sent). */
  closeConn(sc: ServerConn): void {
    if (sc.closing) return
    sc.closing = true
    sc.cancelIdle()
    sc.conn.close()
    this.forget(sc)
  }

  /** @internal the peer closed or reset `sc`. */
  peerClosed(sc: ServerConn): void {
    sc.closing = true
    sc.cancelIdle()
    this.forget(sc)
  }

  private forget(sc: ServerConn): void {
    if (this.conns.delete(sc)) this.acceptWaiting()
    else {
      const i = this.backlog.indexOf(sc)
      if (i >= 0) this.backlog.splice(i, 1)
    }
    this.checkStopped()
  }

  /** @internal a queued request whose connection went away leaves the queue. */
  unqueue(p: PendingRequest): boolean {
    const i = this.queue.indexOf(p)
    if (i < 0) return false
    this.queue.splice(i, 1)
    return true
  }

  /** @internal */
  serviceEnded(): void {
    this.inService--
  }

  private closeListener(): void {
    if (this.listener !== null) {
      this.listener.close()
      this.listener = null
    }
    // inet_csk_listen_stop: connections still in the accept queue are reset.
    for (const sc of this.backlog.splice(0)) {
      sc.closing = true
      sc.conn.abort()
    }
  }

  private checkStopped(): void {
    if (this.stateNow !== "draining" || this.conns.size > 0 || this.inService > 0 || this.queue.length > 0) return
    this.setStopped()
  }

  private setStopped(): void {
    this.stateNow = "stopped"
    const cbs = this.stoppedCallbacks.splice(0)
    for (const f of cbs) f()
  }
}

/** One accepted (or waiting) connection: its TCP handlers and keep-alive timer. */
class ServerConn implements TcpHandlers, AppTimer {
  accepted = false
  closing = false
  closeAfterResponse = false
  inProgress = 0
  served = 0
  buffered: HttpRequest[] = []
  readonly pending = new Set<PendingRequest>()
  readonly peerIp: string
  readonly selfEndpoint: string
  private idle: EventId = -1

  constructor(
    readonly server: HttpServer,
    readonly conn: TcpConnection,
  ) {
    this.peerIp = formatIpv4(conn.remoteIp)
    this.selfEndpoint = `${formatIpv4(conn.localIp)}:${conn.localPort}`
  }

  onData(conn: TcpConnection, message: unknown): void {
    if (this.closing) {
      // Data for a socket the application closed: the kernel answers with RST (tcp_rcv_state_process, ABORT_ON_DATA).
      if (conn.state !== "CLOSED") conn.abort()
      return
    }
    if (!isHttpRequest(message)) return
    this.server.onRequest(this, message)
  }

  onClosed(_conn: TcpConnection, _reason: TcpCloseReason): void {
    this.dropAll()
    this.server.peerClosed(this)
  }

  /** Requests of this connection not yet answered are abandoned. */
  dropAll(): void {
    for (const p of this.pending) p.drop()
    this.pending.clear()
    this.inProgress = 0
    this.buffered = []
  }

  armIdle(after: Nanos): void {
    this.cancelIdle()
    const env = this.server.env
    this.idle = env.sim.after(after, env.timerKind, this)
  }

  cancelIdle(): void {
    if (this.idle >= 0) {
      this.server.env.sim.cancel(this.idle)
      this.idle = -1
    }
  }

  onAppTimer(): void {
    this.idle = -1
    if (this.inProgress === 0 && !this.closing) this.server.closeConn(this)
  }
}

/** A request in service (or queued for it). */
class PendingRequest implements AppTimer {
  timer: EventId = -1
  constructor(
    readonly server: HttpServer,
    readonly sc: ServerConn,
    readonly req: HttpRequest,
  ) {}

  onAppTimer(): void {
    this.server.served(this)
  }

  /** Abandons the request (its connection went away, or the server is going down). */
  drop(): void {
    this.server.stats.dropped++
    if (this.timer >= 0) {
      this.server.env.sim.cancel(this.timer)
      this.timer = -1
      this.server.serviceEnded()
    } else this.server.unqueue(this)
  }
}
