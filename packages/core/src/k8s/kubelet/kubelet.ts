import { NANOS_PER_SECOND, type EventId, type Nanos, type Rng, type Simulation } from "../../sim/index"
import { formatIpv4, type Cidr, type Fabric, type Host } from "../../net/index"
import { resolvConfFor, type KubeletDnsSettings, type ResolvConf } from "../../dns/index"
import type { RecordLog } from "../../records/index"
import { timestampAt, type Container, type ContainerState, type LifecycleHandler, type Pod, type Probe } from "../api/index"
import type { ApiStore, Watch, WatchEvent } from "../store/index"
import { containerEnvironment, type EnvVar } from "../envvars/index"
import { normalizeImage, type ContainerLauncher, type ContainerProcess } from "./container-runtime"
import { HostLocalIpam, IpamExhaustedError } from "./host-local-ipam"
import { DEFAULT_KUBELET_TIMINGS, checkTimings, type DelayRange, type KubeletTimings } from "./kubelet-timings"
import { podStatus, type ContainerView } from "./pod-status"
import { runProbe } from "./probe"
import { ProbeWorker, type ProbeResult, type ProbeType } from "./probe-worker"
import { RestartBackoff } from "./restart-backoff"
import { serviceEnvFor } from "./service-env-cache"
import { later } from "./thunk-timer"

/** pkg/kubelet/pod_workers.go `workerBackOffPeriod`: a pod sync that failed is retried this long after. */
export const SANDBOX_RETRY_BACKOFF: Nanos = 10 * NANOS_PER_SECOND

export interface KubeletOptions {
  readonly nodeName: string
  /** The node's InternalIP (status.hostIP of its pods). */
  readonly nodeIp: string
  /** The node's spec.podCIDR: host-local IPAM's range. */
  readonly podCidr: Cidr
  readonly fabric: Fabric
  readonly launcher: ContainerLauncher
  /** kubelet --cluster-dns / --cluster-domain / --resolv-conf. */
  readonly dns: KubeletDnsSettings
  /** How long after an API write the kubelet's pod informer sees it. */
  readonly watchDelay: Nanos
  readonly timings?: KubeletTimings
  readonly records?: RecordLog
  /** The node's Lease in kube-node-lease: renewed every `leaseRenewInterval` while the kubelet runs. */
  readonly leases?: { renew(node: string, at: Nanos): void }
  /** pkg/kubelet/nodelease: 0.25 × the 40 s lease duration = 10 s. */
  readonly leaseRenewInterval?: Nanos
}

interface ContainerRun {
  readonly spec: Container
  readonly image: string
  state: ContainerState
  lastState: ContainerState | undefined
  ready: boolean
  started: boolean
  hasRun: boolean
  restartCount: number
  containerID: string | undefined
  process: ContainerProcess | null
  env: ReadonlyArray<EnvVar>
  /** When the running container started, exactly (the runtime's status; the API's startedAt is whole seconds). */
  startedAtNs: Nanos
  /** When it last finished (for the restart back-off). */
  finishedAtNs: Nanos
  /** Its probe workers (prober_manager.go: one per container and probe type). */
  readonly probes: { readiness?: ProbeWorker; liveness?: ProbeWorker; startup?: ProbeWorker }
  /** A failed liveness/startup probe is having the container killed (kuberuntime_container.go killContainer). */
  killing: boolean
  /** Bumped on every start/stop: callbacks of an older incarnation are ignored. */
  generation: number
  /** The app was set unready (setAppReadiness): an exec readiness probe's command now fails. Reset at start. */
  appUnready: boolean
  /** The app was set unhealthy (setAppLiveness): an exec liveness probe's command now fails. Reset at start. */
  appNotLive: boolean
}

interface PodWorker {
  readonly key: string
  readonly uid: string
  pod: Pod
  host: Host | null
  /** spec.hostNetwork: the pod runs in the node's own network namespace (no veth, no IPAM address). */
  readonly hostNetwork: boolean
  podIp: string | undefined
  sandboxReady: boolean
  readonly startTime: string
  readonly containers: ContainerRun[]
  resolvConf: ResolvConf | undefined
  terminating: boolean
  done: boolean
  readonly timers: EventId[]
}

const podKey = (p: Pod): string => `${p.metadata.namespace ?? "default"}/${p.metadata.name}`

/** kuberuntime_container.go minimumGracePeriodInSeconds: what is left for the stop signal after a long preStop. */
const MINIMUM_GRACE_PERIOD_SECONDS = 2

/**
 * The kubelet of one node (pkg/kubelet): watches the pods bound to its node and runs them on the simulated data
 * plane. Per pod, in upstream's order (kubelet.go SyncPod → kuberuntime_manager.go SyncPod):
 * sandbox (host-local IPAM address from the node's pod CIDR, the pod's host on a veth), then each container:
 * image pull (first pull slow, later ones cached), create and start with the Service environment variables of
 * that instant and the resolv.conf of its dnsPolicy, its process launched by image; readiness probes on their
 * period with success/failure thresholds (no probe: ready once started). Status is written to the API as the
 * kubelet's status manager does (phase, conditions, containerStatuses). A pod with a deletionTimestamp is
 * terminated (preStop, stop signal, SIGKILL at the end of the grace period), its sandbox torn down (IP
 * released, veth gone) and the object removed with grace period 0. Containers that exit are restarted per
 * restartPolicy with the crash-loop back-off.
 */
export class Kubelet {
  readonly ipam: HostLocalIpam
  private readonly workers = new Map<string, PodWorker>()
  private readonly timings: KubeletTimings
  private readonly rng: Rng
  private readonly pulled = new Set<string>()
  /** The prober's own stream (worker.go's start jitter), so probes never shift the kubelet's other draws. */
  private readonly proberRng: Rng
  private readonly backoff = new RestartBackoff()
  /** When the kubelet (its probe manager) last started: workers started within a period of it jitter. */
  private startedAt: Nanos = 0
  private watch: Watch | null = null
  private running = false
  /** Bumped on every stop: timers of an earlier run of the kubelet do nothing. */
  private epoch = 0

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly options: KubeletOptions,
  ) {
    this.ipam = new HostLocalIpam(options.podCidr)
    this.timings = checkTimings(options.timings ?? DEFAULT_KUBELET_TIMINGS)
    this.rng = sim.rng(`kubelet/${options.nodeName}`)
    this.proberRng = sim.rng(`kubelet/${options.nodeName}/prober`)
  }

  get nodeName(): string {
    return this.options.nodeName
  }

  /** Pods this kubelet runs now (namespace/name → its host), for exec and views. */
  podHost(namespace: string, name: string): Host | null {
    return this.workers.get(`${namespace}/${name}`)?.host ?? null
  }

  /** The environment a pod's container started with (what `kubectl exec pod -- env` shows), or undefined. */
  containerEnv(namespace: string, name: string, container?: string): ReadonlyArray<EnvVar> | undefined {
    const w = this.workers.get(`${namespace}/${name}`)
    const c = container === undefined ? w?.containers[0] : w?.containers.find((x) => x.spec.name === container)
    return c?.hasRun === true ? c.env : undefined
  }

  /** The pod's /etc/resolv.conf, once its sandbox exists. */
  resolvConf(namespace: string, name: string): ResolvConf | undefined {
    return this.workers.get(`${namespace}/${name}`)?.resolvConf
  }

  /** Starts watching pods bound to this node (the initial list first). */
  start(): void {
    if (this.running) return
    this.running = true
    this.startedAt = this.sim.now
    // pkg/kubelet/config/apiserver.go `NewSourceApiserver`: the kubelet watches only pods with spec.nodeName=<node>.
    this.watch = this.store.watch("Pod", (e) => this.onPodEvent(e), { delay: this.options.watchDelay, sendInitialEvents: true, nodeName: this.options.nodeName })
    this.renewLease()
  }

  private renewLease(): void {
    const leases = this.options.leases
    if (leases === undefined || !this.running) return
    leases.renew(this.options.nodeName, this.sim.now)
    const interval = this.options.leaseRenewInterval ?? 10 * NANOS_PER_SECOND
    const epoch = this.epoch
    later(this.sim, interval, () => {
      if (this.epoch === epoch) this.renewLease()
    })
  }

  /**
   * The node fails: the kubelet stops, every pod's network namespace stops answering (its containers are frozen
   * with the node), and nothing more is written to the API.
   */
  stop(): void {
    this.running = false
    this.epoch++
    this.watch?.stop()
    this.watch = null
    for (const w of this.workers.values()) {
      for (const id of w.timers) this.sim.cancel(id)
      w.timers.length = 0
      // (A hostNetwork pod's namespace is the node's, which fails with it.)
      if (w.host !== null && !w.hostNetwork) w.host.up = false
    }
  }

  /** The node is back: pods' namespaces answer again and the kubelet re-lists its pods. */
  resume(): void {
    for (const w of this.workers.values()) if (w.host !== null && !w.hostNetwork) w.host.up = true
    this.start()
    // The status manager re-posts what the kubelet knows (others, e.g. the node lifecycle controller, may have changed it).
    for (const w of this.workers.values()) this.writeStatus(w)
    // Probe workers died with the kubelet: new ones start (with the restart jitter), as after a kubelet restart.
    for (const w of this.workers.values()) if (!w.done) this.startProbeWorkers(w)
  }

  /**
   * The application in a running pod reports itself ready or not where its readiness probe looks: an httpGet
   * probe's endpoint answers 503 (the app's `setReady`), an exec probe's command fails. The kubelet's own probes
   * then change the pod's readiness after failureThreshold (successThreshold) periods, as on a real node. Returns
   * the containers set; throws AppReadinessError if the pod is not running here or no container has a readiness
   * probe its app can fail (no probe: Ready whenever it runs; tcpSocket: passes while the port listens).
   */
  setAppReadiness(namespace: string, name: string, ready: boolean): string[] {
    return this.setAppHealth(namespace, name, "readiness", ready)
  }

  /**
   * The application's health where its liveness probe looks (httpGet: the app's `setLive`, 503 while unhealthy;
   * exec: the command fails). After failureThreshold failed probes the kubelet kills the container and restarts it
   * with the restart back-off; the new container starts healthy. Throws AppReadinessError as setAppReadiness does.
   */
  setAppLiveness(namespace: string, name: string, live: boolean): string[] {
    return this.setAppHealth(namespace, name, "liveness", live)
  }

  private setAppHealth(namespace: string, name: string, type: "readiness" | "liveness", ok: boolean): string[] {
    const w = this.workers.get(`${namespace}/${name}`)
    if (w === undefined || w.done) throw new AppReadinessError(`pod "${namespace}/${name}" is not running on node ${this.options.nodeName}`)
    const field = type === "readiness" ? "readinessProbe" : "livenessProbe"
    const out: string[] = []
    const why: string[] = []
    for (const c of w.containers) {
      const probe = c.spec[field]
      if (probe === undefined) {
        why.push(`container ${c.spec.name} has no ${field}`)
        continue
      }
      if (probe.exec !== undefined) {
        if (c.process === null) continue
        if (type === "readiness") c.appUnready = !ok
        else c.appNotLive = !ok
        out.push(c.spec.name)
      } else if (probe.httpGet !== undefined) {
        if (c.process === null) continue
        const set = type === "readiness" ? c.process.setReady : c.process.setLive
        if (set === undefined) {
          why.push(`container ${c.spec.name} (${c.spec.image}) runs no app serving the httpGet probe`)
          continue
        }
        set.call(c.process, ok)
        out.push(c.spec.name)
      } else why.push(`container ${c.spec.name} has a tcpSocket ${field}, which passes while the port listens`)
    }
    if (out.length === 0 && why.length === w.containers.length) {
      throw new AppReadinessError(`pod "${namespace}/${name}": the app cannot change its ${type} (${why.join("; ")})`)
    }
    return out
  }

  // ------------------------------------------------------------------ pod events

  private onPodEvent(e: WatchEvent<"Pod">): void {
    const pod = e.object
    if (pod.spec.nodeName !== this.options.nodeName) return
    const key = podKey(pod)
    let w = this.workers.get(key)
    if (w !== undefined && w.uid !== pod.metadata.uid) {
      // A new pod with the same name: the old one is gone from the API; finish it off at once.
      this.kill(w)
      w = undefined
    }
    if (e.type === "DELETED") {
      if (w !== undefined && !w.done) this.kill(w)
      return
    }
    if (w === undefined) {
      if (pod.metadata.deletionTimestamp !== undefined || pod.status.phase === "Succeeded" || pod.status.phase === "Failed") return
      w = this.admit(pod)
    } else {
      w.pod = pod
      // status_manager.go syncPod: the kubelet's view of readiness wins over another writer's (MarkPodsNotReady).
      const ready = pod.status.conditions?.find((c) => c.type === "Ready")?.status === "True"
      const mine = w.containers.length > 0 && w.containers.every((c) => c.ready)
      if (e.type === "MODIFIED" && !w.terminating && w.sandboxReady && ready !== mine) this.writeStatus(w)
    }
    if (pod.metadata.deletionTimestamp !== undefined && !w.terminating) this.terminate(w)
  }

  private admit(pod: Pod): PodWorker {
    const w: PodWorker = {
      key: podKey(pod),
      uid: pod.metadata.uid ?? "",
      pod,
      host: null,
      hostNetwork: pod.spec.hostNetwork === true,
      podIp: undefined,
      sandboxReady: false,
      startTime: timestampAt(this.sim.now),
      containers: pod.spec.containers.map((spec) => ({
        spec,
        image: normalizeImage(spec.image),
        state: { waiting: { reason: "ContainerCreating" } },
        lastState: undefined,
        ready: false,
        started: false,
        hasRun: false,
        restartCount: 0,
        containerID: undefined,
        process: null,
        env: [],
        startedAtNs: 0,
        finishedAtNs: 0,
        probes: {},
        killing: false,
        generation: 0,
        appUnready: false,
        appNotLive: false,
      })),
      resolvConf: undefined,
      terminating: false,
      done: false,
      timers: [],
    }
    this.workers.set(w.key, w)
    this.writeStatus(w)
    // kubelet.go SyncPod: the pod joins the probe manager (its workers start) before its containers are created.
    this.startProbeWorkers(w)
    this.step(w, this.draw(this.timings.sandbox), () => this.createSandbox(w))
    return w
  }

  /** prober_manager.go `AddPod`: a worker per container and probe type the container has. */
  private startProbeWorkers(w: PodWorker): void {
    w.containers.forEach((c, i) => {
      for (const type of PROBE_TYPES) {
        const spec = probeOf(c.spec, type)
        c.probes[type]?.stop()
        if (spec === undefined) continue
        const worker = new ProbeWorker(type, spec, {
          now: () => this.sim.now,
          after: (delay, f) => this.step(w, delay, f),
          container: () => ({
            containerID: c.containerID,
            running: c.state.running !== undefined,
            terminated: c.state.terminated !== undefined,
            startedAt: c.startedAtNs,
            started: c.started,
          }),
          podDeleting: () => w.pod.metadata.deletionTimestamp !== undefined,
          restartPolicyNever: () => w.pod.spec.restartPolicy === "Never",
          probe: (done) => this.probeOnce(w, c, spec, type, done),
          resultChanged: (t, r) => this.probeResultChanged(w, i, t, r),
        })
        c.probes[type] = worker
        // worker.go `run`: a kubelet that started less than a period ago spreads its workers over the period.
        const period = spec.periodSeconds * NANOS_PER_SECOND
        const jitter = period > this.sim.now - this.startedAt ? Math.floor(this.proberRng.next() * period) : 0
        worker.start(jitter)
      }
    })
  }

  /** One probe from the node: exec probes whose command the app made fail (setAppReadiness/Liveness) fail. */
  private probeOnce(w: PodWorker, c: ContainerRun, spec: Probe, type: ProbeType, done: (ok: boolean) => void): void {
    if (w.host === null || w.podIp === undefined) {
      done(false)
      return
    }
    const appFails = spec.exec !== undefined && ((type === "readiness" && c.appUnready) || (type === "liveness" && c.appNotLive))
    const run = appFails ? failingExec : runProbe
    run(this.options.fabric.node(this.options.nodeName), w.podIp, spec, c.spec, done)
  }

  /**
   * RunPodSandbox: an address from host-local IPAM, the pod's namespace on a veth, its resolv.conf. A hostNetwork
   * pod's sandbox is the node's own namespace: no CNI ADD, and its IP is the node's (kubelet_pods.go
   * `generateAPIPodStatus`: the host IPs become podIPs).
   */
  private createSandbox(w: PodWorker): void {
    if (w.hostNetwork) {
      w.podIp = formatIpv4(this.options.fabric.nodeIp(this.options.nodeName))
      w.host = this.options.fabric.node(this.options.nodeName)
      this.sandboxCreated(w, `sandbox (host network) ${w.podIp}`)
      return
    }
    let ip: number
    try {
      ip = this.ipam.allocate(w.key)
    } catch (e) {
      if (!(e instanceof IpamExhaustedError)) throw e
      // kuberuntime_manager.go `SyncPod`: the FailedCreatePodSandBox event with the CRI error (containerd wraps the
      // CNI plugin's: host-local allocator.go "no IP addresses available in range set"); the pod stays Pending
      // (ContainerCreating) and its worker retries after the pod workers' back-off (pod_workers.go
      // `workerBackOffPeriod`, 10 s).
      this.action("FailedCreatePodSandBox", w, `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: ${e.rangeMessage}`)
      this.step(w, SANDBOX_RETRY_BACKOFF, () => this.createSandbox(w))
      return
    }
    w.podIp = formatIpv4(ip)
    w.host = this.options.fabric.addPod(this.options.nodeName, w.key, ip)
    this.sandboxCreated(w, `sandbox ${w.podIp}`)
  }

  private sandboxCreated(w: PodWorker, what: string): void {
    w.resolvConf = resolvConfFor(w.pod, this.options.dns).conf
    w.sandboxReady = true
    this.action("create", w, what)
    this.writeStatus(w)
    this.startContainers(w)
  }

  private startContainers(w: PodWorker): void {
    w.containers.forEach((c, i) => this.pullAndStart(w, i))
  }

  private pullAndStart(w: PodWorker, i: number): void {
    const c = w.containers[i] as ContainerRun
    const policy = c.spec.imagePullPolicy
    let pull: Nanos = 0
    if (policy === "Always" || !this.pulled.has(c.image)) pull = this.draw(this.pulled.has(c.image) ? this.timings.imagePullCached : this.timings.imagePull)
    if (policy === "Never" && !this.pulled.has(c.image)) this.pulled.add(c.image)
    this.step(w, pull, () => {
      this.pulled.add(c.image)
      this.step(w, this.draw(this.timings.containerStart), () => this.startContainer(w, i))
    })
  }

  private startContainer(w: PodWorker, i: number): void {
    const c = w.containers[i] as ContainerRun
    if (w.terminating || w.done || w.host === null || w.podIp === undefined) return
    const now = timestampAt(this.sim.now)
    c.generation++
    const gen = c.generation
    c.containerID = `containerd://${this.hex64()}`
    // kubelet_pods.go makeEnvironmentVariables: the Services that exist when the container starts.
    const own = (c.spec.env ?? []).map((e) => ({ name: e.name, value: e.value ?? "" }))
    const hostname = w.pod.spec.hostname ?? w.pod.metadata.name
    c.env = [
      { name: "PATH", value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
      { name: "HOSTNAME", value: hostname },
      ...containerEnvironment(own, serviceEnvFor(this.store, w.pod.metadata.namespace ?? "default", w.pod.spec.enableServiceLinks)),
      { name: "HOME", value: "/root" },
    ]
    c.state = { running: { startedAt: now } }
    c.startedAtNs = this.sim.now
    c.started = c.probes.startup === undefined
    c.hasRun = true
    c.killing = false
    c.appUnready = false
    c.appNotLive = false
    c.process = this.options.launcher.launch({
      pod: w.pod,
      container: c.spec,
      host: w.host,
      podIp: w.podIp,
      hostname,
      nodeName: this.options.nodeName,
      env: c.env,
      resolvConf: w.resolvConf ?? { nameservers: [], searches: [], options: [] },
      onExit: (code) => {
        if (c.generation === gen) this.onContainerExit(w, i, code)
      },
    })
    this.action("start", w, `container ${c.spec.name} (${c.spec.image})`)
    this.syncProbeState(w, c, true)
  }

  /**
   * The status the kubelet generates after a sync (prober_manager.go `UpdatePodStatus`): started once the startup
   * probe passed (no startup probe: once running), ready once started and the readiness probe passed for this
   * container (no readiness probe: once started). A readiness worker whose container is not ready is triggered
   * to probe at once. Writes the status and an action when readiness changed.
   */
  private syncProbeState(w: PodWorker, c: ContainerRun, write: boolean): void {
    const running = c.state.running !== undefined
    const id = c.containerID
    const startup = c.probes.startup
    const wasStarted = c.started
    c.started = running && (startup === undefined || startup.resultFor(id) === "success")
    const readiness = c.probes.readiness
    const wasReady = c.ready
    c.ready = c.started && (readiness === undefined || readiness.resultFor(id) === "success")
    if (write || c.started !== wasStarted || c.ready !== wasReady) this.writeStatus(w)
    if (c.ready !== wasReady) this.action(c.ready ? "ready" : "not-ready", w, `container ${c.spec.name}`)
    if (c.started && !c.ready) readiness?.trigger()
  }

  /**
   * kubelet.go `handleProbeSync` → SyncPod: a changed probe result syncs the pod. A failed liveness or startup probe
   * kills the container (kuberuntime_manager.go computePodActions: "Container … failed liveness probe, will be
   * restarted"), with the probe's terminationGracePeriodSeconds when set, and restarts it per restartPolicy.
   */
  private probeResultChanged(w: PodWorker, i: number, type: ProbeType, result: ProbeResult): void {
    const c = w.containers[i] as ContainerRun
    if ((type === "liveness" || type === "startup") && result === "failure") {
      if (c.process === null || c.killing || w.terminating) return
      c.killing = true
      const probe = probeOf(c.spec, type) as Probe
      const grace = probe.terminationGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds
      this.action("unhealthy", w, `Container ${c.spec.name} failed ${type} probe, will be restarted`)
      this.killContainer(w, c, grace, (code) => {
        this.action("exit", w, `container ${c.spec.name} exit code ${code}`)
        if (w.pod.spec.restartPolicy === "Never") this.writeStatus(w)
        else this.restartContainer(w, i)
      })
      return
    }
    this.syncProbeState(w, c, false)
  }

  private onContainerExit(w: PodWorker, i: number, exitCode: number): void {
    const c = w.containers[i] as ContainerRun
    this.containerStopped(c, exitCode)
    this.action("exit", w, `container ${c.spec.name} exit code ${exitCode}`)
    const policy = w.pod.spec.restartPolicy
    const restart = !w.terminating && (policy === "Always" || (policy === "OnFailure" && exitCode !== 0))
    if (!restart) {
      this.writeStatus(w)
      return
    }
    this.restartContainer(w, i)
  }

  /**
   * kuberuntime_manager.go SyncPod → `doBackOff`: a container that finished within its back-off window waits in
   * CrashLoopBackOff (retried when the window ends); otherwise the back-off advances and it starts again now.
   */
  private restartContainer(w: PodWorker, i: number): void {
    const c = w.containers[i] as ContainerRun
    if (w.terminating || w.done) return
    const key = `${w.uid}/${c.spec.name}`
    const wait = this.backoff.waitLeft(key, c.finishedAtNs, this.sim.now)
    if (c.state.terminated !== undefined) c.lastState = c.state
    if (wait > 0) {
      const msg = `back-off ${this.backoff.current(key) / NANOS_PER_SECOND}s restarting failed container=${c.spec.name} pod=${w.pod.metadata.name}_${w.pod.metadata.namespace ?? "default"}(${w.uid})`
      c.state = { waiting: { reason: "CrashLoopBackOff", message: msg } }
      this.writeStatus(w)
      this.step(w, wait, () => this.restartContainer(w, i))
      return
    }
    this.backoff.next(key, c.finishedAtNs, this.sim.now)
    c.restartCount++
    this.writeStatus(w)
    this.pullAndStart(w, i)
  }

  // ------------------------------------------------------------------ termination

  /** Pod termination: every running container is killed in parallel (kuberuntime_manager.go killPodWithSyncResult). */
  private terminate(w: PodWorker): void {
    w.terminating = true
    const grace = w.pod.metadata.deletionGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds
    this.action("terminate", w, `grace ${grace}s`)
    let left = 0
    for (const c of w.containers) {
      if (c.process === null) continue
      left++
      this.killContainer(w, c, grace, () => {
        if (--left === 0) this.finish(w)
      })
    }
    if (left === 0) this.finish(w)
    else this.writeStatus(w)
  }

  /**
   * kuberuntime_container.go killContainer: the preStop hook runs first (it eats into the grace period), then the
   * stop signal, then SIGKILL when the remaining grace (at least 2 s) runs out. `done` once the container is down.
   */
  private killContainer(w: PodWorker, c: ContainerRun, grace: number, done: (exitCode: number) => void): void {
    const gen = c.generation
    const preStop = preStopSeconds(c.spec.lifecycle?.preStop)
    const hook = Math.min(preStop, grace)
    const remaining = Math.max(MINIMUM_GRACE_PERIOD_SECONDS, grace - hook)
    this.step(w, hook * NANOS_PER_SECOND, () => {
      const proc = c.process
      if (proc === null || c.generation !== gen) {
        done(c.state.terminated?.exitCode ?? 137)
        return
      }
      let exited = false
      proc.stop(this.options.launcher.stopSignal(c.spec.image), (code) => {
        if (exited || c.generation !== gen) return
        exited = true
        this.containerStopped(c, code)
        done(code)
      })
      this.step(w, remaining * NANOS_PER_SECOND, () => {
        if (exited || c.generation !== gen) return
        exited = true
        proc.kill()
        this.containerStopped(c, 137)
        done(137)
      })
    })
  }

  private containerStopped(c: ContainerRun, exitCode: number): void {
    const startedAt = c.state.running?.startedAt
    c.generation++
    c.process = null
    c.ready = false
    c.started = false
    c.finishedAtNs = this.sim.now
    c.state = {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? "Completed" : "Error",
        ...(startedAt !== undefined ? { startedAt } : {}),
        finishedAt: timestampAt(this.sim.now),
      },
    }
  }

  /** Every container has stopped: final status, sandbox teardown (CNI DEL), then the object goes (grace 0). */
  private finish(w: PodWorker): void {
    if (w.done) return
    this.writeStatus(w)
    this.step(w, this.draw(this.timings.sandboxTeardown), () => {
      this.teardown(w)
      this.store.delete("Pod", w.pod.metadata.namespace, w.pod.metadata.name, { gracePeriodSeconds: 0 })
    })
  }

  /** The pod object is gone (deleted with grace 0, or replaced): kill what runs and tear the sandbox down now. */
  private kill(w: PodWorker): void {
    for (const id of w.timers) this.sim.cancel(id)
    w.timers.length = 0
    for (const c of w.containers) {
      if (c.process !== null) {
        const p = c.process
        this.containerStopped(c, 137)
        p.kill()
      }
    }
    this.teardown(w)
  }

  private teardown(w: PodWorker): void {
    if (w.done) return
    w.done = true
    for (const id of w.timers) this.sim.cancel(id)
    w.timers.length = 0
    if (w.host !== null) {
      if (!w.hostNetwork) this.options.fabric.removePod(w.key)
      w.host = null
    }
    if (!w.hostNetwork) this.ipam.release(w.key)
    this.workers.delete(w.key)
    this.action("delete", w, w.podIp === undefined ? null : `released ${w.podIp}`)
  }

  // ------------------------------------------------------------------ helpers

  private writeStatus(w: PodWorker): void {
    if (!this.running || w.done) return
    const live = this.store.get("Pod", w.pod.metadata.namespace, w.pod.metadata.name)
    if (live === undefined || live.metadata.uid !== w.uid) return
    const views: ContainerView[] = w.containers.map((c) => ({
      name: c.spec.name,
      image: c.image,
      containerID: c.containerID,
      state: c.state,
      lastState: c.lastState,
      ready: c.ready,
      started: c.started && c.state.running !== undefined,
      restartCount: c.restartCount,
      hasRun: c.hasRun,
    }))
    const status = podStatus(live, {
      sandboxReady: w.sandboxReady,
      hostIP: this.options.nodeIp,
      podIP: w.podIp,
      startTime: w.startTime,
      containers: views,
      restartPolicy: live.spec.restartPolicy,
      now: timestampAt(this.sim.now),
    })
    const r = this.store.update({ ...live, status })
    if (r.ok) w.pod = r.object
  }

  private step(w: PodWorker, delay: Nanos, f: () => void): void {
    const id = later(this.sim, delay, () => {
      const at = w.timers.indexOf(id)
      if (at >= 0) w.timers.splice(at, 1)
      if (!this.running || w.done) return
      f()
    })
    w.timers.push(id)
  }

  private draw(r: DelayRange): Nanos {
    return r.max === r.min ? r.min : r.min + Math.floor(this.rng.next() * (r.max - r.min + 1))
  }

  private hex64(): string {
    let s = ""
    for (let i = 0; i < 8; i++) s += (this.rng.uint32() >>> 0).toString(16).padStart(8, "0")
    return s
  }

  private action(verb: string, w: PodWorker, detail: string | null): void {
    this.options.records?.append({
      kind: "action",
      t: this.sim.now,
      actor: `kubelet/${this.options.nodeName}`,
      verb,
      object: `Pod ${w.key}`,
      detail,
    })
  }
}

const PROBE_TYPES: ReadonlyArray<ProbeType> = ["startup", "liveness", "readiness"]

const probeOf = (c: Container, type: ProbeType): Probe | undefined =>
  type === "readiness" ? c.readinessProbe : type === "liveness" ? c.livenessProbe : c.startupProbe

/** A readiness change the kubelet cannot apply (no such pod on the node, no probe the app can fail). */
export class AppReadinessError extends Error {
  override readonly name = "AppReadinessError"
}

/** An exec probe whose command exits non-zero (the app set unready): fails, as prober.go maps a non-zero exit. */
const failingExec = (_node: Host, _podIp: string, _probe: Probe, _container: Container, done: (ok: boolean) => void): void => done(false)

/**
 * How long a preStop hook holds the container (kubesim cannot run a command): `sleep: {seconds}`, or an exec of
 * `sleep N` / `sh -c "sleep N"`; anything else returns at once.
 */
export const preStopSeconds = (h: LifecycleHandler | undefined): number => {
  if (h === undefined) return 0
  if (h.sleep !== undefined) return h.sleep.seconds
  const cmd = h.exec?.command ?? []
  const text = (cmd[0] === "sh" || cmd[0] === "/bin/sh") && cmd[1] === "-c" ? (cmd[2] ?? "") : cmd.join(" ")
  const m = /^\s*(?:\/bin\/)?sleep\s+(\d+(?:\.\d+)?)\s*$/.exec(text)
  return m === null ? 0 : Number(m[1])
}
