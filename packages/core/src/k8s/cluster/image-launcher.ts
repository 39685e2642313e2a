import { AddressInUseError, parseIpv4 } from "../../net/index"
import { AppEnv, DnsServer, HttpClient, HttpServer, NGINX_IMAGE_CONFIG, RequestLoop, StubResolverDriver, corednsAnswerer, type RequestLabeller } from "../../apps/index"
import { AppAnnotationError, appTuningOf, type AppTuning } from "./app-annotations"
import type { CorednsReplica } from "./cluster-dns"
import type { Probe } from "../api/index"
import { imageBaseName, later, parseWgetLoop, probePort, shellScript, type ContainerLauncher, type ContainerProcess, type ContainerStart, type DelayRange, type StopSignal } from "../kubelet/index"
import { NANOS_PER_MILLI, NANOS_PER_SECOND, type Nanos } from "../../sim/index"

/**
 * Time from the container's start (when the kubelet marks it running, and Ready without a probe) to nginx's
 * listening socket, drawn uniformly per container. The official image's ENTRYPOINT is /docker-entrypoint.sh
 * (nginxinc/docker-nginx entrypoint/docker-entrypoint.sh): it `find`s and `sort -V`s /docker-entrypoint.d/, runs
 * 10-listen-on-ipv6-by-default.sh (touch, grep, dpkg-query over the dpkg database, md5sum, sed on
 * default.conf), sources 15-local-resolvers.envsh (awk over resolv.conf), runs 20-envsubst-on-templates.sh and
 * 30-tune-worker-processes.sh (which return early without templates / the autotune variable), then `exec nginx`,
 * which parses its configuration, opens its logs, binds :80 and forks its workers. That is about twenty short
 * processes on a node that is also starting the rollout's other containers: tens to a couple of hundred
 * milliseconds. 50–200 ms is our estimate from that script (not a measurement; set it per scenario with
 * `cluster.delays.nginxStartupMin/Max`).
 */
export const NGINX_STARTUP_DEFAULT: DelayRange = { min: 50 * NANOS_PER_MILLI, max: 200 * NANOS_PER_MILLI }

export interface ImageLauncherOptions {
  readonly env: AppEnv
  /** Starts one CoreDNS process per `coredns` container: its own informers, cache and Corefile. */
  readonly coredns: () => CorednsReplica
  /** The resolver CoreDNS forwards to (`forward . /etc/resolv.conf`: the node's upstream). */
  readonly upstreamDns: string
  readonly labeller: RequestLabeller
  /** Called with each busybox loop started (tests and scenarios stop or inspect them). */
  readonly onClient?: (pod: string, loop: RequestLoop) => void
  /** nginx's start-up time (entrypoint scripts, then bind); default NGINX_STARTUP_DEFAULT. */
  readonly nginxStartup?: DelayRange
}

/**
 * What each image runs in kubesim, chosen by the image's repository name:
 * - `nginx*`: the nginx-like HTTP server on port 80 serving the pod's hostname (the seed replaced index.html
 *   with it), tuned by the pod's `kubesim.dev/*` annotations (APP_ANNOTATIONS: service time, concurrency,
 *   worker processes and connections, listen backlog), listening only after the entrypoint's start-up time (until then SYNs to :80 are refused: RST);
 *   STOPSIGNAL SIGQUIT (the official image's Dockerfile), so a pod's termination is a graceful quit; the path
 *   of an httpGet readiness probe on :80 is its readiness endpoint (503 while the app is set unready);
 * - `coredns*`: a DNS server on port 53 answering from the cluster's CoreDNS configuration and forwarding the
 *   rest upstream; CoreDNS exits on SIGTERM (kubeadm's `health { lameduck 5s }` keeps it answering 5 s first);
 * - `busybox*` running the seed's `while true; do wget -q -O - URL; sleep N; done`: the one-shot HTTP client loop
 *   (musl resolver, as busybox is built); `sh` as PID 1 ignores SIGTERM (no handler installed; the kernel does not
 *   deliver default-action signals to a namespace's init), so it dies only at SIGKILL, after the grace period;
 * - anything else: a process that runs until stopped.
 */
export class ImageLauncher implements ContainerLauncher {
  private readonly nginxStartup: DelayRange

  constructor(private readonly o: ImageLauncherOptions) {
    const r = o.nginxStartup ?? NGINX_STARTUP_DEFAULT
    if (!Number.isSafeInteger(r.min) || !Number.isSafeInteger(r.max) || r.min < 0 || r.max < r.min) {
      throw new RangeError(`image launcher: nginxStartup {min: ${r.min}, max: ${r.max}} ns is not a range 0 ≤ min ≤ max of whole nanoseconds`)
    }
    this.nginxStartup = r
  }

  stopSignal(image: string): StopSignal {
    return imageBaseName(image).startsWith("nginx") ? "SIGQUIT" : "SIGTERM"
  }

  launch(s: ContainerStart): ContainerProcess {
    const base = imageBaseName(s.container.image)
    if (base.startsWith("nginx")) return this.nginx(s)
    if (base.startsWith("coredns")) return this.coredns(s)
    const script = shellScript(s.container.command, s.container.args)
    const loop = script === undefined ? undefined : parseWgetLoop(script)
    if (loop !== undefined) return this.wgetLoop(s, loop.url, loop.sleepSeconds, loop.timeoutSeconds)
    return idleProcess(base === "busybox" || script !== undefined)
  }

  private nginx(s: ContainerStart): ContainerProcess {
    const id = `${s.pod.metadata.namespace ?? "default"}/${s.pod.metadata.name}`
    const sim = this.o.env.sim
    const servedPath = (probe: Probe | undefined): string[] =>
      probe?.httpGet !== undefined && probePort(probe.httpGet.port, s.container) === 80 ? [probe.httpGet.path] : []
    const readinessPaths = servedPath(s.container.readinessProbe)
    const livenessPaths = [...servedPath(s.container.livenessProbe), ...servedPath(s.container.startupProbe)]
    // Read at container start, as nginx reads its configuration; a bad value fails the run naming the pod.
    let tuning: AppTuning
    try {
      tuning = appTuningOf(s.pod.metadata.annotations)
    } catch (e) {
      if (e instanceof AppAnnotationError) throw new AppAnnotationError(`pod ${id}: ${e.message}`)
      throw e
    }
    let server: HttpServer | null = null
    let ready = true
    let live = true
    let killed = false
    const listen = (): void => {
      if (killed) return
      try {
        server = new HttpServer(s.host, this.o.env, {
          hostname: s.hostname,
          port: 80,
          keepaliveTimeout: NGINX_IMAGE_CONFIG.keepaliveTimeout,
          workerConnections: NGINX_IMAGE_CONFIG.workerConnections,
          rngStream: `http-server/${id}`,
          readinessPaths,
          livenessPaths,
          ...tuning,
        })
      } catch (e) {
        // Port 80 is taken in this network namespace (a hostNetwork pod beside another server on the node):
        // nginx logs `bind() to 0.0.0.0:80 failed (98: Address already in use)` and exits 1.
        if (!(e instanceof AddressInUseError)) throw e
        killed = true
        // The exit is its own event: the kubelet may still be inside launch() (no start-up delay).
        later(sim, 0, () => s.onExit(1))
        return
      }
      if (!ready) server.setReady(false)
      if (!live) server.setLive(false)
    }
    const startup = drawDelay(this.nginxStartup, sim.rng(`nginx-startup/${id}`))
    const pending = startup === 0 ? -1 : later(sim, startup, listen)
    if (pending < 0) listen()
    return {
      stop: (sig, exited) => {
        // Still in /docker-entrypoint.sh: PID 1 is `sh` with no handler, so the kernel drops the signal
        // (pid_namespaces(7)); nginx, exec'd later, never sees it and runs until the SIGKILL.
        if (server === null) return
        const srv = server
        srv.onStopped(() => exited(0))
        srv.signal(sig)
      },
      kill: () => {
        killed = true
        if (server === null) sim.cancel(pending)
        else server.kill({ reset: false })
      },
      setReady: (r) => {
        ready = r
        server?.setReady(r)
      },
      setLive: (l) => {
        live = l
        server?.setLive(l)
      },
    }
  }

  private coredns(s: ContainerStart): ContainerProcess {
    const replica = this.o.coredns()
    const server = new DnsServer(s.host, this.o.env, {
      name: `${s.pod.metadata.namespace ?? "default"}/${s.pod.metadata.name}`,
      answer: corednsAnswerer(replica.server),
      upstream: { ip: parseIpv4(this.o.upstreamDns) },
      ...(replica.cache !== null ? { cache: replica.cache } : {}),
      loadbalance: replica.corefile.loadbalance,
    })
    // The `ready` plugin (kubeadm's Corefile): 200 OK on :8181/ready once the server is up.
    const ready = new HttpServer(s.host, this.o.env, { hostname: "OK", port: 8181, rngStream: `coredns-ready/${s.pod.metadata.namespace ?? "default"}/${s.pod.metadata.name}` })
    let stopped = false
    return {
      stop: (_sig, exited) => {
        if (stopped) return
        // kubeadm's Corefile: `health { lameduck 5s }` — CoreDNS keeps serving 5 s after SIGTERM, then exits.
        later(this.o.env.sim, 5 * NANOS_PER_SECOND, () => {
          if (stopped) return
          stopped = true
          server.stop()
          replica.stop()
          ready.kill({ reset: false })
          exited(0)
        })
      },
      kill: () => {
        if (stopped) return
        stopped = true
        server.stop()
        replica.stop()
        ready.kill({ reset: false })
      },
    }
  }

  private wgetLoop(s: ContainerStart, url: string, sleepSeconds: number, timeoutSeconds: number): ContainerProcess {
    const name = s.pod.metadata.name
    const resolver = new StubResolverDriver(s.host, this.o.env, { client: name, conf: s.resolvConf, flavour: "musl" })
    const client = new HttpClient(s.host, this.o.env, {
      name,
      resolver,
      labeller: this.o.labeller,
      responseTimeout: timeoutSeconds * NANOS_PER_SECOND,
    })
    const loop = new RequestLoop(client, url, { pause: Math.round(sleepSeconds * NANOS_PER_SECOND) }).start()
    this.o.onClient?.(`${s.pod.metadata.namespace ?? "default"}/${name}`, loop)
    return {
      // sh as PID 1 has no SIGTERM handler: the signal is ignored and the loop runs on until SIGKILL.
      stop: () => {},
      kill: () => loop.stop(),
    }
  }
}

/** A container whose process just runs (e.g. `sleep 3600`); `sh`-like PID 1 processes ignore SIGTERM. */
const idleProcess = (ignoresSigterm: boolean): ContainerProcess => ({
  stop: (_sig, exited) => {
    if (!ignoresSigterm) exited(143)
  },
  kill: () => {},
})

/** Uniform in [min, max] whole nanoseconds. */
const drawDelay = (r: DelayRange, rng: { next(): number }): Nanos => (r.max === r.min ? r.min : r.min + Math.floor(rng.next() * (r.max - r.min + 1)))
