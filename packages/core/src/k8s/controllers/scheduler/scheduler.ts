import { type LabelSelector, type Node, type Pod, type Toleration, labelSelectorMatches, matchesLabels, timestampAt } from "../../api/index"
import { type ApiStore, INDEX_POD_NODE, type StoreResult, type SumFunc } from "../../store/index"
import type { RecordLog } from "../../../records/index"
import type { Nanos, Rng, Simulation } from "../../../sim/index"
import { recordAction } from "../util/actions"
import type { ControllerDelay } from "../util/delay"
import { controllerOf, keyOf, setCondition, splitKey } from "../util/pods"
import { ControllerLoop } from "../util/controller-loop"
import { servicesSelecting } from "../util/selecting"
import { numFeasibleNodesToFind } from "./feasible-nodes"
import { hostPortsOf, type NodeAllocatable, nodeAllocatable, nodeReadyStatus, nonzeroRequests, podRequests, type PodRequests, untoleratedTaint } from "./node-fit"

/** Binds a pod to a node (the API's pods/binding subresource). */
export type BindPod = (pod: Pod, nodeName: string) => StoreResult<Pod>

export interface SchedulerConfig {
  readonly watchDelay?: Nanos
  /** Processing time of one scheduling cycle (pods wait FIFO behind it). Default uniform 1–5 ms. */
  readonly scheduleDelay?: ControllerDelay
  /** pods/binding; default: the store's `bind` when it has one, else a delete-and-recreate of the pending pod. */
  readonly bind?: BindPod
  readonly log?: RecordLog
  /** Plugin weights (pkg/scheduler/apis/config/v1/default_plugins.go): NodeResourcesFit 1, PodTopologySpread 2. */
  readonly weights?: { readonly leastAllocated?: number; readonly spread?: number }
}

const ACTOR = "scheduler"

/** least_allocated.go `leastRequestedScore`: (capacity − requested) · 100 / capacity, 0 when over capacity. */
const least = (cap: number | undefined, req: number): number => (cap === undefined || cap === 0 || req > cap ? 0 : Math.floor(((cap - req) * 100) / cap))
const SCHEDULER_NAME = "default-scheduler"

/** What of a pod the filters read, taken once per scheduling cycle rather than once per node looked at. */
interface PodFit {
  readonly pod: Pod
  readonly tolerations: ReadonlyArray<Toleration>
  readonly want: PodRequests
  readonly ports: ReadonlyArray<string>
}

const podFitOf = (pod: Pod): PodFit => ({ pod, tolerations: pod.spec.tolerations ?? [], want: podRequests(pod), ports: hostPortsOf(pod) })

/**
 * The filters that read only the node and the pod's tolerations (NodeUnschedulable, the not-ready/unreachable
 * taints, TaintToleration), in upstream's order: the first one's reason, or undefined when all pass.
 */
const nodeVerdict = (tolerations: ReadonlyArray<Toleration>, node: Node): string | undefined => {
  if (node.spec.unschedulable === true && !tolerations.some((t) => t.key === "node.kubernetes.io/unschedulable" && (t.operator === "Exists" || t.operator === undefined))) {
    return "node(s) were unschedulable"
  }
  const ready = nodeReadyStatus(node)
  if (ready === "False" || ready === "Unknown") {
    const key = ready === "False" ? "node.kubernetes.io/not-ready" : "node.kubernetes.io/unreachable"
    if (!tolerations.some((t) => (t.key === key || (t.key ?? "") === "") && (t.operator === "Exists") && (t.effect === undefined || t.effect === "" || t.effect === "NoSchedule"))) {
      return `node(s) had untolerated taint {${key}: }`
    }
  }
  const taint = untoleratedTaint(tolerations, node)
  if (taint !== undefined) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`
  return undefined
}

/**
 * A node as the scheduler's snapshot holds it: what the filters and scores read that changes only with the Node
 * object (store objects are replaced, never changed in place), laid out once per Node object rather than looked
 * up per pod.
 */
interface NodeSlot {
  readonly node: Node
  readonly name: string
  readonly alloc: NodeAllocatable
  /** `nodeVerdict` for a pod without tolerations; null: it passes. */
  readonly plain: string | null
  /** NodeInfo: the store's live `SUM_NODE_REQUESTS` totals for the node (zeros when no pod counts there). */
  readonly requested: ReadonlyArray<number>
}

const NO_TOLERATIONS: ReadonlyArray<Toleration> = []

/**
 * What the scheduler's cache keeps per node (pkg/scheduler/framework `NodeInfo`: Pods, Requested,
 * NonZeroRequested) as a running sum the store keeps on every pod write (upstream's cache is updated by its pod
 * informer's events the same way), so a look does not grow with the node's pods: per node name, a bound pod's
 * [count, cpu, memory, non-zero cpu, non-zero memory] unless it has terminated.
 */
const SUM_NODE_REQUESTS = "scheduler/node-requests"
const NODE_REQUESTS_WIDTH = 4
const nodeRequestsOf: SumFunc = (o) => {
  const p = o as Pod
  const node = p.spec.nodeName
  if (node === undefined || node === "" || p.status.phase === "Succeeded" || p.status.phase === "Failed") return undefined
  const r = podRequests(p)
  const nz = nonzeroRequests(p)
  return { key: node, amounts: [r.milliCpu, r.memory, nz.milliCpu, nz.memory] }
}

/**
 * kube-scheduler reduced to its default behaviour for Service networking (pkg/scheduler): pending pods with
 * `schedulerName: default-scheduler` are filtered against the nodes (NodeUnschedulable, TaintToleration,
 * NodeSelector, NodeResourcesFit on cpu/memory/pods; nodes whose Ready condition is False or Unknown are excluded as
 * their not-ready/unreachable taints would), scored by NodeResourcesFit LeastAllocated (cpu and memory, requests
 * defaulted to 100m / 200Mi) plus the default PodTopologySpread (fewest pods of the same Service/ReplicaSet
 * selector on the node), and bound to the best node; ties are broken by reservoir sampling on the "scheduler"
 * stream, as `selectHost`. From 100 nodes on, a cycle filters only until `numFeasibleNodesToFind` nodes fit, from a
 * start index that rotates round the node list (percentageOfNodesToScore's adaptive default; the list is in name
 * order where upstream's snapshot interleaves zones). Pods that fit nowhere wait for a node or pod change.
 */
export class Scheduler {
  private readonly loop: ControllerLoop
  /** The "scheduler" stream: scheduling-cycle delays and `selectHost` ties. */
  private readonly rng: Rng
  private readonly unschedulable = new Set<string>()
  /** schedule_one.go `nextStartNodeIndex`: where the next cycle's filtering starts in the node list. */
  private nextStartNodeIndex = 0
  /** The node list (namespace/name order) as slots, and the Node kind revision it was read at. */
  private nodes: ReadonlyArray<NodeSlot> = []
  private nodesAt = -1
  /** The scores of the cycle's feasible nodes (`score`), reused. */
  private readonly totals: number[] = []

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: SchedulerConfig = {},
  ) {
    this.loop = new ControllerLoop(sim, store, ACTOR, (key) => this.scheduleOne(key), { watchDelay: config.watchDelay, syncDelay: config.scheduleDelay })
    this.rng = this.loop.rng
  }

  start(): void {
    this.store.addSum("Pod", SUM_NODE_REQUESTS, nodeRequestsOf)
    this.loop.start("Scheduler")
    this.loop.watch(
      "Pod",
      (e) => {
        if (e.type === "DELETED") {
          this.unschedulable.delete(keyOf(e.object))
          this.retryUnschedulable()
        } else if (this.pending(e.object)) this.enqueue(keyOf(e.object))
      },
      true,
    )
    this.loop.watch("Node", () => this.retryUnschedulable())
  }

  private pending(p: Pod): boolean {
    return (p.spec.nodeName === undefined || p.spec.nodeName === "") && p.metadata.deletionTimestamp === undefined && p.spec.schedulerName === SCHEDULER_NAME
  }

  private enqueue(key: string): void {
    this.loop.add(key)
  }

  /** scheduling_queue.go `MoveAllToActiveOrBackoffQueue`: a cluster change may make waiting pods fit. */
  private retryUnschedulable(): void {
    for (const k of this.unschedulable) this.enqueue(k)
    this.unschedulable.clear()
  }

  /** schedule_one.go `scheduleOne`. */
  scheduleOne(key: string): void {
    const [ns, name] = splitKey(key)
    const pod = this.store.get("Pod", ns, name)
    if (pod === undefined || !this.pending(pod)) return
    const nodes = this.nodeList()
    const reasons = new Map<string, number>()
    const feasible: NodeSlot[] = []
    // schedule_one.go `findNodesThatPassFilters`: filter from where the last cycle stopped, round the list, until
    // `numFeasibleNodesToFind` nodes fit (every node below 100 nodes, so small clusters filter all, from 0); the
    // start then moves past the nodes processed (`nextStartNodeIndex`), giving every node the same chance to be
    // examined. Upstream's parallel filter may look at a few more nodes than it keeps; this is its sequential form.
    const all = nodes.length
    const toFind = numFeasibleNodesToFind(all)
    const fit = podFitOf(pod)
    let processed = 0
    for (; processed < all && feasible.length < toFind; processed++) {
      const slot = nodes[(this.nextStartNodeIndex + processed) % all] as NodeSlot
      const why = this.filter(fit, slot)
      if (why === undefined) feasible.push(slot)
      else reasons.set(why, (reasons.get(why) ?? 0) + 1)
    }
    if (all > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % all
    if (feasible.length === 0) {
      this.unschedulable.add(key)
      const detail = `0/${nodes.length} nodes are available: ${[...reasons].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([r, n]) => `${n} ${r}`).join(", ")}.`
      const cond = { type: "PodScheduled", status: "False" as const, reason: "Unschedulable", message: detail, lastTransitionTime: timestampAt(this.sim.now) }
      const prev = pod.status.conditions?.find((c) => c.type === "PodScheduled")
      if (prev?.message !== detail) {
        this.store.update({ ...pod, status: { ...pod.status, conditions: setCondition(pod.status.conditions, cond) } })
        recordAction(this.config.log, this.sim.now, ACTOR, "schedule-failed", "Pod", ns, name, detail)
      }
      return
    }
    const chosen = this.selectHost(feasible, this.score(pod, feasible))
    const r = (this.config.bind ?? this.defaultBind)(pod, chosen)
    if (!r.ok) {
      recordAction(this.config.log, this.sim.now, ACTOR, "schedule-failed", "Pod", ns, name, r.message)
      return
    }
    recordAction(this.config.log, this.sim.now, ACTOR, "schedule", "Pod", ns, r.object.metadata.name, `Successfully assigned ${ns}/${r.object.metadata.name} to ${chosen}`)
  }

  /** The first failing filter as upstream's FailedScheduling reason text, or undefined when the pod fits. */
  private filter(fit: PodFit, slot: NodeSlot): string | undefined {
    const { pod, tolerations, want, ports } = fit
    const node = slot.node
    // The node-only filters: for a pod without tolerations (most pods) read once per Node object.
    const why = tolerations.length === 0 ? slot.plain : (nodeVerdict(tolerations, node) ?? null)
    if (why !== null) return why
    if (pod.spec.nodeSelector !== undefined && !matchesLabels(pod.spec.nodeSelector, node.metadata.labels)) return "node(s) didn't match Pod's node affinity/selector"
    // plugins/nodeports (before NodeResourcesFit, as in the default profile): the node's pods hold the host ports.
    if (ports.length > 0 && this.hostPortTaken(slot.name, ports)) return "node(s) didn't have free ports for the requested pod ports"
    // noderesources/fit.go fitsRequest: pods, then each resource the pod asks for against allocatable minus what the
    // node's pods already request (an empty node too: a pod asking more than the node has never fits).
    const alloc = slot.alloc
    const info = slot.requested
    if (alloc.pods !== undefined && (info[0] as number) + 1 > alloc.pods) return "Too many pods"
    if (alloc.milliCpu !== undefined && want.milliCpu > 0 && (info[1] as number) + want.milliCpu > alloc.milliCpu) return "Insufficient cpu"
    if (alloc.memory !== undefined && want.memory > 0 && (info[2] as number) + want.memory > alloc.memory) return "Insufficient memory"
    return undefined
  }

  /** Whether a pod on `node` that has not terminated already holds one of `ports` (only pods asking for host ports get here). */
  private hostPortTaken(node: string, ports: ReadonlyArray<string>): boolean {
    let taken = false
    this.store.forEachByIndex("Pod", INDEX_POD_NODE, node, (p) => {
      if (taken || p.status.phase === "Succeeded" || p.status.phase === "Failed") return
      for (const hp of hostPortsOf(p)) if (ports.includes(hp)) taken = true
    })
    return taken
  }

  /**
   * The Nodes in namespace/name order (upstream's snapshot, taken each cycle), re-read only when a Node was written
   * since the last cycle; a Node object that did not change keeps its slot.
   */
  private nodeList(): ReadonlyArray<NodeSlot> {
    const at = this.store.kindRevision("Node")
    if (at !== this.nodesAt) {
      const before = new Map<string, NodeSlot>()
      for (const slot of this.nodes) before.set(slot.name, slot)
      this.nodes = this.store.list("Node").map((node) => {
        const known = before.get(node.metadata.name)
        return known !== undefined && known.node === node ? known : this.slotOf(node)
      })
      this.nodesAt = at
    }
    return this.nodes
  }

  private slotOf(node: Node): NodeSlot {
    const name = node.metadata.name
    return {
      node,
      name,
      alloc: nodeAllocatable(node),
      plain: nodeVerdict(NO_TOLERATIONS, node) ?? null,
      requested: this.store.sumCell("Pod", SUM_NODE_REQUESTS, name, NODE_REQUESTS_WIDTH),
    }
  }

  /**
   * NodeResourcesFit (LeastAllocated) and PodTopologySpread (system default constraints, simplified): each node's
   * weighted total, in `nodes` order (one array reused by every cycle).
   */
  private score(pod: Pod, nodes: ReadonlyArray<NodeSlot>): ReadonlyArray<number> {
    const wLeast = this.config.weights?.leastAllocated ?? 1
    const wSpread = this.config.weights?.spread ?? 2
    const selectors = this.defaultSelectors(pod)
    const want = nonzeroRequests(pod)
    const counts = new Map<string, number>()
    // The pods every selector matches: candidates from the first selector (resolved through the store's label
    // index), each checked against all of them.
    const first = selectors[0]
    if (first !== undefined) {
      // Counts per node: the order pods are visited in does not matter.
      this.store.forEachMatching("Pod", { namespace: pod.metadata.namespace ?? "default", labelSelector: first }, (p) => {
        const n = p.spec.nodeName
        if (n === undefined || n === "" || p.status.phase === "Succeeded" || p.status.phase === "Failed") return
        if (p.metadata.namespace === pod.metadata.namespace && p.metadata.deletionTimestamp === undefined && selectors.every((s) => labelSelectorMatches(s, p.metadata.labels))) {
          counts.set(n, (counts.get(n) ?? 0) + 1)
        }
      })
    }
    let maxCount = 0
    if (counts.size > 0) for (const slot of nodes) maxCount = Math.max(maxCount, counts.get(slot.name) ?? 0)
    const totals = this.totals
    totals.length = nodes.length
    for (let i = 0; i < nodes.length; i++) {
      const slot = nodes[i] as NodeSlot
      const a = slot.alloc
      const cpu = slot.requested[3] as number
      const mem = slot.requested[4] as number
      const leastAllocated = Math.floor((least(a.milliCpu, cpu + want.milliCpu) + least(a.memory, mem + want.memory)) / 2)
      const c = maxCount === 0 ? 0 : (counts.get(slot.name) ?? 0)
      const spread = maxCount === 0 ? 100 : Math.floor((100 * (maxCount - c)) / maxCount)
      totals[i] = wLeast * leastAllocated + wSpread * spread
    }
    return totals
  }

  /** `helper.DefaultSelector`: the selectors of the Services and the owning ReplicaSet that select this pod. */
  private defaultSelectors(pod: Pod): LabelSelector[] {
    const out: LabelSelector[] = []
    const ns = pod.metadata.namespace ?? "default"
    for (const s of servicesSelecting(this.store, pod)) {
      const sel = s.spec.selector
      if (sel !== undefined && Object.keys(sel).length > 0) out.push({ matchLabels: sel })
    }
    const ref = controllerOf(pod)
    if (ref !== undefined && ref.kind === "ReplicaSet") {
      const rs = this.store.get("ReplicaSet", ns, ref.name)
      if (rs !== undefined) out.push(rs.spec.selector)
    }
    return out
  }

  /** schedule_one.go `selectHost`: the highest total, ties sampled uniformly (reservoir sampling). */
  private selectHost(nodes: ReadonlyArray<NodeSlot>, totals: ReadonlyArray<number>): string {
    let best = 0
    let ties = 1
    for (let i = 1; i < nodes.length; i++) {
      const t = totals[i] as number
      const top = totals[best] as number
      if (t > top) {
        best = i
        ties = 1
      } else if (t === top) {
        ties++
        if (this.rng.int(0, ties) === 0) best = i
      }
    }
    return (nodes[best] as NodeSlot).name
  }

  /** pods/binding (registry/core/pod/storage `BindingREST`): the store sets spec.nodeName and PodScheduled=True. */
  private readonly defaultBind: BindPod = (pod, nodeName) =>
    this.store.bind(pod.metadata.namespace ?? "default", pod.metadata.name, nodeName)
}
