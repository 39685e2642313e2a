import { type Node, type NodeCondition, type Pod, type Taint, timestampAt } from "../../api/index"
import { type ApiStore, INDEX_POD_NODE } from "../../store/index"
import type { RecordLog } from "../../../records/index"
import { type EventId, type EventKind, NANOS_PER_SECOND, type Nanos, type Simulation, hashName } from "../../../sim/index"
import { tolerates } from "../scheduler/node-fit"
import { recordAction } from "../util/actions"
import { keyOf, setCondition, splitKey } from "../util/pods"
import { type NodeLeases } from "./node-leases"
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from "./default-tolerations"

export interface NodeLifecycleConfig {
  /** The leases the kubelets renew. */
  readonly leases: NodeLeases
  /** `--node-monitor-period`, default 5 s. */
  readonly monitorPeriod?: Nanos
  /** `--node-monitor-grace-period`: 50 s since v1.32 (kubernetes PR #126287; 40 s before). */
  readonly gracePeriod?: Nanos
  readonly watchDelay?: Nanos
  readonly log?: RecordLog
}

const ACTOR = "node-lifecycle"

/** First multiple of `period` strictly after `t` (the monitor's polling grid starts at time 0). */
const tickAfter = (t: Nanos, period: Nanos): Nanos => (Math.floor(t / period) + 1) * period
/** First multiple of `period` at or after `t`. */
const tickAtOrAfter = (t: Nanos, period: Nanos): Nanos => Math.ceil(t / period) * period

/**
 * The node lifecycle controller with its taint-eviction part (pkg/controller/nodelifecycle,
 * pkg/controller/tainteviction):
 * - `monitorNodeHealth`: a node whose lease has not been renewed for the grace period, as seen on the monitor's
 *   5 s polling grid, gets Ready=Unknown ("NodeStatusUnknown", "Kubelet stopped posting node status.") and its
 *   pods Ready=False (`MarkPodsNotReady`) — so its endpoints turn not ready. Polling is emulated exactly by
 *   scheduling one deadline per renewal rather than waking every 5 s.
 * - taints follow the Ready condition: Unknown → `node.kubernetes.io/unreachable`, False → `not-ready`, each with
 *   NoSchedule and NoExecute; True removes them.
 * - NoExecute taints evict (delete) the node's pods: at once without a matching toleration, after the shortest
 *   tolerationSeconds with one (300 s from DefaultTolerationSeconds), never with an unbounded one. Recovery
 *   cancels pending evictions.
 */
export class NodeLifecycleController {
  private readonly deadline: EventKind<string>
  private readonly evictKind: EventKind<string>
  private readonly deadlines = new Map<string, EventId>()
  private readonly evictions = new Map<string, EventId>()
  private started = false

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: NodeLifecycleConfig,
  ) {
    this.deadline = sim.defineKind<string>("node-lifecycle/grace", (node) => this.graceExpired(node))
    this.evictKind = sim.defineKind<string>("node-lifecycle/evict", (podKey) => this.evict(podKey))
  }

  get monitorPeriod(): Nanos {
    return this.config.monitorPeriod ?? 5 * NANOS_PER_SECOND
  }
  get gracePeriod(): Nanos {
    return this.config.gracePeriod ?? 50 * NANOS_PER_SECOND
  }

  start(): void {
    if (this.started) throw new Error("NodeLifecycleController already started")
    this.started = true
    const delay = this.config.watchDelay ?? 0
    this.config.leases.onRenew((node, at) => this.renewed(node, at))
    this.store.watch("Node", (e) => (e.type === "DELETED" ? this.forget(e.object.metadata.name) : this.nodeChanged(e.object)), { delay, sendInitialEvents: true })
    this.store.watch("Pod", (e) => (e.type === "DELETED" ? this.cancelEviction(keyOf(e.object)) : this.podChanged(e.object)), { delay })
    for (const n of this.store.list("Node")) this.renewed(n.metadata.name, this.config.leases.lastRenewed(n.metadata.name) ?? this.sim.now)
  }

  /** A renewal is seen at the next poll; Unknown is declared at the first poll strictly after that + grace. */
  private renewed(node: string, at: Nanos): void {
    const prev = this.deadlines.get(node)
    if (prev !== undefined) this.sim.cancel(prev)
    const seen = tickAtOrAfter(at, this.monitorPeriod)
    this.deadlines.set(node, this.sim.at(Math.max(this.sim.now, tickAfter(seen + this.gracePeriod, this.monitorPeriod)), this.deadline, node, hashName(node)))
  }

  private forget(node: string): void {
    const id = this.deadlines.get(node)
    if (id !== undefined) this.sim.cancel(id)
    this.deadlines.delete(node)
  }

  /** node_lifecycle_controller.go `tryUpdateNodeHealth`: no renewal within the grace period. */
  private graceExpired(name: string): void {
    this.deadlines.delete(name)
    const node = this.store.get("Node", undefined, name)
    if (node === undefined) return
    const now = timestampAt(this.sim.now)
    const conditions: NodeCondition[] = (node.status.conditions ?? []).map((c) =>
      c.status === "Unknown" ? c : { ...c, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: now },
    )
    if (!conditions.some((c) => c.type === "Ready")) {
      conditions.push({ type: "Ready", status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.", lastTransitionTime: now })
    }
    const r = this.store.update({ ...node, status: { ...node.status, conditions } })
    if (!r.ok) return
    recordAction(this.config.log, this.sim.now, ACTOR, "not-ready", "Node", undefined, name, "Kubelet stopped posting node status.")
    // node_lifecycle_controller.go → controller_utils.go `MarkPodsNotReady`.
    for (const p of this.store.byIndex("Pod", INDEX_POD_NODE, name)) {
      const ready = p.status.conditions?.find((c) => c.type === "Ready")
      if (ready === undefined || ready.status !== "True") continue
      this.store.update({ ...p, status: { ...p.status, conditions: setCondition(p.status.conditions, { type: "Ready", status: "False", lastTransitionTime: now }) } })
    }
  }

  /** Taints follow the Ready condition (`doNoScheduleTaintingPass`, `doNoExecuteTaintingPass`). */
  private nodeChanged(node: Node): void {
    const ready = node.status.conditions?.find((c) => c.type === "Ready")?.status
    const key = ready === "Unknown" ? TAINT_UNREACHABLE : ready === "False" ? TAINT_NOT_READY : undefined
    const others = (node.spec.taints ?? []).filter((t) => t.key !== TAINT_UNREACHABLE && t.key !== TAINT_NOT_READY)
    const want: Taint[] = key === undefined ? others : [...others, { key, effect: "NoSchedule" }, { key, effect: "NoExecute" }]
    const have = node.spec.taints ?? []
    const same = want.length === have.length && want.every((t) => have.some((h) => h.key === t.key && h.effect === t.effect))
    if (!same) {
      this.store.update({ ...node, spec: { ...node.spec, taints: want } })
      if (key === undefined) recordAction(this.config.log, this.sim.now, ACTOR, "ready", "Node", undefined, node.metadata.name, "taints removed")
      return // the update's own watch event schedules the evictions
    }
    for (const p of this.store.byIndex("Pod", INDEX_POD_NODE, node.metadata.name)) this.podChanged(p)
  }

  /** taint_eviction.go `processPodOnNode`: schedule, keep or cancel the pod's eviction under the node's NoExecute taints. */
  private podChanged(pod: Pod): void {
    const key = keyOf(pod)
    const nodeName = pod.spec.nodeName
    if (nodeName === undefined || nodeName === "" || pod.metadata.deletionTimestamp !== undefined) return this.cancelEviction(key)
    const node = this.store.get("Node", undefined, nodeName)
    const taints = (node?.spec.taints ?? []).filter((t) => t.effect === "NoExecute")
    if (taints.length === 0) return this.cancelEviction(key)
    if (this.evictions.has(key)) return
    // `getMinTolerationTime`: every taint must be tolerated; the shortest bounded toleration wins.
    let wait = Infinity
    for (const taint of taints) {
      const ts = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint))
      if (ts.length === 0) {
        wait = 0
        break
      }
      for (const t of ts) if (t.tolerationSeconds !== undefined) wait = Math.min(wait, Math.max(0, t.tolerationSeconds) * NANOS_PER_SECOND)
    }
    if (wait === Infinity) return
    this.evictions.set(key, this.sim.after(wait, this.evictKind, key, hashName(key)))
  }

  private cancelEviction(key: string): void {
    const id = this.evictions.get(key)
    if (id === undefined) return
    this.sim.cancel(id)
    this.evictions.delete(key)
  }

  /** taint_eviction.go `deletePodHandler`: delete (gracefully) the pod. */
  private evict(key: string): void {
    this.evictions.delete(key)
    const [ns, name] = splitKey(key)
    const pod = this.store.get("Pod", ns, name)
    if (pod === undefined || pod.metadata.deletionTimestamp !== undefined) return
    const r = this.store.delete("Pod", ns, name)
    if (r.ok) recordAction(this.config.log, this.sim.now, ACTOR, "evict", "Pod", ns, name, `Marking for deletion Pod ${key}`)
  }
}
