import { type Node, type Pod, defaultNode, timestampAt } from "../../api/index"
import type { ApiStore } from "../../store/index"
import { type EventKind, NANOS_PER_MILLI, NANOS_PER_SECOND, type Nanos, type Simulation } from "../../../sim/index"
import { DEFAULT_LEASE_RENEW_INTERVAL, type NodeLeases } from "../nodelifecycle/node-leases"
import { setCondition } from "../util/pods"

export interface FakeKubeletOptions {
  /** The node's number: pods get 10.244.<index>.<n> (10.245.<index − 256>.<n> from 256 on), the node 192.168.0.<index>. */
  readonly index: number
  /** Bind → Running and Ready. Default 500 ms. */
  readonly startDelay?: Nanos
  /** How long a terminating pod takes to exit (capped by its grace period). Default 200 ms. */
  readonly stopDelay?: Nanos
  readonly zone?: string
}

/**
 * A stand-in kubelet for controller tests (the real one lives in k8s/kubelet): renews its node lease every 10 s,
 * reports its Node Ready, turns bound pods Running + Ready after `startDelay` with a fresh IP, finishes graceful
 * deletions after min(stopDelay, grace). `fail()` stops all of that (a dead node); `recover()` resumes it.
 */
export class FakeKubelet {
  failed = false
  private next = 2
  private readonly act: EventKind<string>
  private readonly tick: EventKind<void>
  private readonly busy = new Set<string>()

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly leases: NodeLeases,
    readonly node: string,
    readonly options: FakeKubeletOptions,
  ) {
    this.act = sim.defineKind<string>(`fake-kubelet/${node}`, (key) => this.handle(key))
    this.tick = sim.defineKind<void>(`fake-kubelet/${node}/lease`, () => this.renew())
  }

  /** Registers the Node object (Ready) and starts the kubelet. */
  start(): void {
    const node: Node = defaultNode({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: this.node, labels: { "kubernetes.io/hostname": this.node, ...(this.options.zone !== undefined ? { "topology.kubernetes.io/zone": this.options.zone } : {}) } },
      status: { capacity: { cpu: "4", memory: "8Gi", pods: "110" } },
    } as never)
    const r = this.store.create(node)
    if (!r.ok) throw new Error(r.message)
    this.postReady()
    this.renew()
    this.store.watch("Pod", (e) => {
      if (e.type !== "DELETED" && e.object.spec.nodeName === this.node) this.schedule(`${e.object.metadata.namespace}/${e.object.metadata.name}`, e.object)
    })
  }

  fail(): void {
    this.failed = true
  }

  recover(): void {
    if (!this.failed) return
    this.failed = false
    this.busy.clear()
    this.postReady()
    this.renew()
    for (const p of this.store.list("Pod")) if (p.spec.nodeName === this.node) this.schedule(`${p.metadata.namespace}/${p.metadata.name}`, p)
  }

  private renew(): void {
    if (this.failed) return
    this.leases.renew(this.node, this.sim.now)
    this.sim.after(DEFAULT_LEASE_RENEW_INTERVAL, this.tick, undefined)
  }

  private postReady(): void {
    const n = this.store.get("Node", undefined, this.node)
    if (n === undefined) return
    const now = timestampAt(this.sim.now)
    const conditions = setCondition(n.status.conditions, { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: now, lastTransitionTime: now })
    this.store.update({ ...n, status: { ...n.status, conditions } })
  }

  private schedule(key: string, pod: Pod): void {
    if (this.failed || this.busy.has(key)) return
    const terminating = pod.metadata.deletionTimestamp !== undefined
    const ready = pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true
    if (!terminating && pod.status.phase === "Running" && ready) return
    const delay = terminating
      ? Math.min(this.options.stopDelay ?? 200 * NANOS_PER_MILLI, (pod.metadata.deletionGracePeriodSeconds ?? 0) * NANOS_PER_SECOND)
      : pod.status.phase === "Running"
        ? 0
        : (this.options.startDelay ?? 500 * NANOS_PER_MILLI)
    this.busy.add(key)
    this.sim.after(delay, this.act, key)
  }

  private handle(key: string): void {
    this.busy.delete(key)
    if (this.failed) return
    const [ns, name] = key.split("/") as [string, string]
    const pod = this.store.get("Pod", ns, name)
    if (pod === undefined || pod.spec.nodeName !== this.node) return
    if (pod.metadata.deletionTimestamp !== undefined) {
      this.store.delete("Pod", ns, name, { gracePeriodSeconds: 0 })
      return
    }
    const now = timestampAt(this.sim.now)
    const i = this.options.index
    const ip = pod.status.podIP ?? `10.${244 + (i >> 8)}.${i & 255}.${this.next++}`
    const hostIP = `192.168.${i >> 8}.${i & 255}`
    let conditions = pod.status.conditions
    for (const type of ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"]) conditions = setCondition(conditions, { type, status: "True", lastTransitionTime: now })
    this.store.update({
      ...pod,
      status: {
        ...pod.status,
        phase: "Running",
        conditions,
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP: ip,
        podIPs: [{ ip }],
        startTime: pod.status.startTime ?? now,
      },
    })
  }
}
