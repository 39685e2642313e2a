import { NANOS_PER_SECOND, type EventId, type Nanos, type Rng, type Simulation } from "../../sim/index"
import { formatIpv4, type Cidr, type Fabric, type Host } from "../../net/index"
import { resolvConfFor, type KubeletDnsSettings, type ResolvConf } from "../../dns/index"
import type { RecordLog } from "../../records/index"
import { timestampAt, type Container, type ContainerState, type LifecycleHandler, type Pod, type Probe } from "../api/index"
import type { ApiStore, Watch, WatchEvent } from "../store/index"
import { containerEnvironment, type EnvVar } from "../envvars/index"
import { normalizeImage, type ContainerLauncher, type ContainerProcess } from "./container-runtime"
import { HostLocalIpam, IpamExhaustedError } from "./host-local-ipam"
import { CRASH_BACKOFF_INITIAL, CRASH_BACKOFF_MAX, DEFAULT_KUBELET_TIMINGS, checkTimings, type DelayRange, type KubeletTimings } from "./kubelet-timings"
import { podStatus, type ContainerView } from "./pod-status"
import { runProbe } from "./probe"
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
  /** Consecutive probe results (pkg/kubelet/prober/worker.go resultRun). */
  probeRun: number
  probeLast: boolean | undefined
  backoff: Nanos
  /** Bumped on every start/stop: callbacks of an older incarnation are ignored. */
  generation: number
  /** The app was set unready (setAppReadiness): an exec readiness probe's command now fails. Reset at start. */
  appUnready: boolean
}

interface PodWorker {
  readonly key: string
  readonly uid: string
  pod: Pod
  host: Host | null
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
      if (w.host !== null) w.host.up = false
    }
  }

  /** The node is back: pods' namespaces answer again and the kubelet re-lists its pods. */
  resume(): void {
    for (const w of this.workers.values()) if (w.host !== null) w.host.up = true
    this.start()
    // The status manager re-posts what the kubelet knows (others, e.g. the node lifecycle controller, may have changed it).
    for (const w of this.workers.values()) this.writeStatus(w)
    // Probes were cancelled with the node: start them again for running containers.
    for (const w of this.workers.values()) {
      w.containers.forEach((c, i) => {
        if (c.state.running !== undefined && c.spec.readinessProbe !== undefined) this.scheduleProbe(w, i, c.generation, c.spec.readinessProbe.periodSeconds * NANOS_PER_SECOND)
      })
    }
  }

  /**
   * The application in a running pod reports itself ready or not where its readiness probe looks: an httpGet
   * probe's endpoint answers 503 (the app's `setReady`), an exec probe's command fails. The kubelet's own probes
   * then change the pod's readiness after failureThreshold (successThreshold) periods, as on a real node. Returns
   * the containers set; throws AppReadinessError if the pod is not running here or no container has a readiness
   * probe its app can fail (no probe: Ready whenever it runs; tcpSocket: passes while the port listens).
   */
  setAppReadiness(namespace: string, name: string, ready: boolean): string[] {
    const w = this.workers.get(`${namespace}/${name}`)
    if (w === undefined || w.done) throw new AppReadinessError(`pod "${namespace}/${name}" is not running on node ${this.options.nodeName}`)
    const out: string[] = []
    const why: string[] = []
    for (const c of w.containers) {
      const probe = c.spec.readinessProbe
      if (probe === undefined) {
        why.push(`container ${c.spec.name} has no readinessProbe`)
        continue
      }
      if (probe.exec !== undefined) {
        if (c.process === null) continue
        c.appUnready = !ready
        out.push(c.spec.name)
      } else if (probe.httpGet !== undefined) {
        const set = c.process?.setReady
        if (c.process === null) continue
        if (set === undefined) {
          why.push(`container ${c.spec.name} (${c.spec.image}) runs no app serving the httpGet probe`)
          continue
        }
        set.call(c.process, ready)
        out.push(c.spec.name)
      } else why.push(`container ${c.spec.name} has a tcpSocket readinessProbe, which passes while the port listens`)
    }
    if (out.length === 0 && why.length === w.containers.length) {
      throw new AppReadinessError(`pod "${namespace}/${name}": the app cannot change its readiness (${why.join("; ")})`)
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
        probeRun: 0,
        probeLast: undefined,
        backoff: 0,
        generation: 0,
        appUnready: false,
      })),
      resolvConf: undefined,
      terminating: false,
      done: false,
      timers: [],
    }
    this.workers.set(w.key, w)
    this.writeStatus(w)
    this.step(w, this.draw(this.timings.sandbox), () => this.createSandbox(w))
    return w
  }

  /** RunPodSandbox: an address from host-local IPAM, the pod's namespace on a veth, its resolv.conf. */
  private createSandbox(w: PodWorker): void {
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
    w.resolvConf = resolvConfFor(w.pod, this.options.dns).conf
    w.sandboxReady = true
    this.action("create", w, `sandbox ${w.podIp}`)
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
    c.started = true
    c.hasRun = true
    c.probeRun = 0
    c.probeLast = undefined
    c.appUnready = false
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
    const probe = c.spec.readinessProbe
    if (probe === undefined) {
      c.ready = true
      this.writeStatus(w)
      this.action("ready", w, null)
    } else {
      this.writeStatus(w)
      // prober/worker.go: the first probe runs when the worker starts; results count after initialDelaySeconds.
      this.scheduleProbe(w, i, gen, (probe.initialDelaySeconds ?? 0) * NANOS_PER_SECOND)
    }
  }

  private scheduleProbe(w: PodWorker, i: number, gen: number, after: Nanos): void {
    this.step(w, after, () => {
      const c = w.containers[i] as ContainerRun
      if (c.generation !== gen || c.state.running === undefined || w.host === null || w.podIp === undefined || w.done) return
      const probe = c.spec.readinessProbe
      if (probe === undefined) return
      const node = this.options.fabric.node(this.options.nodeName)
      const run = probe.exec !== undefined && c.appUnready ? failingExec : runProbe
      run(node, w.podIp, probe, c.spec, (ok) => {
        if (c.generation !== gen || w.done) return
        this.probeResult(w, c, ok)
      })
      this.scheduleProbe(w, i, gen, probe.periodSeconds * NANOS_PER_SECOND)
    })
  }

  /** prober/worker.go doProbe: a result changes readiness after successThreshold / failureThreshold in a row. */
  private probeResult(w: PodWorker, c: ContainerRun, ok: boolean): void {
    const probe = c.spec.readinessProbe
    if (probe === undefined) return
    c.probeRun = c.probeLast === ok ? c.probeRun + 1 : 1
    c.probeLast = ok
    const threshold = ok ? probe.successThreshold : probe.failureThreshold
    if (c.probeRun < threshold || c.ready === ok) return
    c.ready = ok
    this.writeStatus(w)
    this.action(ok ? "ready" : "not-ready", w, `container ${c.spec.name}`)
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
    // kuberuntime_manager.go doBackOff: the first restart waits 10 s, each next one twice as long, up to 5 min.
    c.backoff = c.backoff === 0 ? CRASH_BACKOFF_INITIAL : Math.min(CRASH_BACKOFF_MAX, c.backoff * 2)
    c.lastState = c.state
    c.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${c.backoff / NANOS_PER_SECOND}s restarting failed container=${c.spec.name} pod=${w.pod.metadata.name}_${w.pod.metadata.namespace ?? "default"}(${w.uid})` } }
    this.writeStatus(w)
    this.step(w, c.backoff, () => {
      c.restartCount++
      this.pullAndStart(w, i)
    })
  }

  // ------------------------------------------------------------------ termination

  /**
   * kuberuntime_container.go killContainer, per container in parallel: the preStop hook runs first (it eats into
   * the grace period), then the stop signal, then SIGKILL when the remaining grace (at least 2 s) runs out.
   */
  private terminate(w: PodWorker): void {
    w.terminating = true
    const grace = w.pod.metadata.deletionGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds
    this.action("terminate", w, `grace ${grace}s`)
    let left = 0
    const oneDone = (): void => {
      if (--left === 0) this.finish(w)
    }
    w.containers.forEach((c) => {
      if (c.process === null) return
      left++
      const gen = c.generation
      const preStop = preStopSeconds(c.spec.lifecycle?.preStop)
      const hook = Math.min(preStop, grace)
      const remaining = Math.max(MINIMUM_GRACE_PERIOD_SECONDS, grace - hook)
      this.step(w, hook * NANOS_PER_SECOND, () => {
        const proc = c.process
        if (proc === null || c.generation !== gen) {
          oneDone()
          return
        }
        let exited = false
        proc.stop(this.options.launcher.stopSignal(c.spec.image), (code) => {
          if (exited || c.generation !== gen) return
          exited = true
          this.containerStopped(c, code)
          oneDone()
        })
        this.step(w, remaining * NANOS_PER_SECOND, () => {
          if (exited || c.generation !== gen) return
          exited = true
          proc.kill()
          this.containerStopped(c, 137)
          oneDone()
        })
      })
    })
    if (left === 0) this.finish(w)
    else this.writeStatus(w)
  }

  private containerStopped(c: ContainerRun, exitCode: number): void {
    const startedAt = c.state.running?.startedAt
    c.generation++
    c.process = null
    c.ready = false
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
      this.options.fabric.removePod(w.key)
      w.host = null
    }
    this.ipam.release(w.key)
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
