import { parseIpv4 } from "../../net/index"
import { AppEnv, DnsServer, HttpClient, HttpServer, NGINX_IMAGE_CONFIG, RequestLoop, StubResolverDriver, corednsAnswerer, type RequestLabeller } from "../../apps/index"
import type { CorednsServer } from "../../dns/index"
import { imageBaseName, later, parseWgetLoop, shellScript, type ContainerLauncher, type ContainerProcess, type ContainerStart, type StopSignal } from "../kubelet/index"
import { NANOS_PER_SECOND } from "../../sim/index"

export interface ImageLauncherOptions {
  readonly env: AppEnv
  /** The CoreDNS configuration every `coredns` container serves (its informers' view of the cluster). */
  readonly coredns: CorednsServer
  /** The resolver CoreDNS forwards to (`forward . /etc/resolv.conf`: the node's upstream). */
  readonly upstreamDns: string
  readonly labeller: RequestLabeller
  /** Called with each busybox loop started (tests and scenarios stop or inspect them). */
  readonly onClient?: (pod: string, loop: RequestLoop) => void
}

/**
 * What each image runs in kubesim, chosen by the image's repository name:
 * - `nginx*`: the nginx-like HTTP server on port 80 serving the pod's hostname (the seed replaced index.html
 *   with it); STOPSIGNAL SIGQUIT (the official image's Dockerfile), so a pod's termination is a graceful quit;
 * - `coredns*`: a DNS server on port 53 answering from the cluster's CoreDNS configuration and forwarding the
 *   rest upstream; CoreDNS exits on SIGTERM (kubeadm's `health { lameduck 5s }` keeps it answering 5 s first);
 * - `busybox*` running the seed's `while true; do wget -q -O - URL; sleep N; done`: the one-shot HTTP client loop
 *   (musl resolver, as busybox is built); `sh` as PID 1 ignores SIGTERM (no handler installed; the kernel does not
 *   deliver default-action signals to a namespace's init), so it dies only at SIGKILL, after the grace period;
 * - anything else: a process that runs until stopped.
 */
export class ImageLauncher implements ContainerLauncher {
  constructor(private readonly o: ImageLauncherOptions) {}

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
    const server = new HttpServer(s.host, this.o.env, {
      hostname: s.hostname,
      port: 80,
      keepaliveTimeout: NGINX_IMAGE_CONFIG.keepaliveTimeout,
      workerConnections: NGINX_IMAGE_CONFIG.workerConnections,
      rngStream: `http-server/${s.pod.metadata.namespace ?? "default"}/${s.pod.metadata.name}`,
    })
    return {
      stop: (sig, exited) => {
        server.onStopped(() => exited(0))
        server.signal(sig)
      },
      kill: () => server.kill({ reset: false }),
    }
  }

  private coredns(s: ContainerStart): ContainerProcess {
    const server = new DnsServer(s.host, this.o.env, {
      name: `${s.pod.metadata.namespace ?? "default"}/${s.pod.metadata.name}`,
      answer: corednsAnswerer(this.o.coredns),
      upstream: { ip: parseIpv4(this.o.upstreamDns) },
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
          ready.kill({ reset: false })
          exited(0)
        })
      },
      kill: () => {
        if (stopped) return
        stopped = true
        server.stop()
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
