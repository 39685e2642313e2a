import { type DaemonSet, type DaemonSetStatus, type Node, type Pod, type Toleration, deepEqual, matchesLabels } from "../../api/index"
import type { ApiStore } from "../../store/index"
import type { Simulation } from "../../../sim/index"
import { recordAction } from "../util/actions"
import type { ControllerConfig } from "../util/controller-config"
import { scaledValue } from "../util/int-or-percent"
import { generateName } from "../util/names"
import { controllerOf, isPodActive, isPodAvailable, isPodReady, keyOf, podFromTemplate, splitKey } from "../util/pods"
import { computeHash } from "../util/template-hash"
import { ControllerLoop } from "../util/controller-loop"
import { controlledByAny } from "../util/selecting"
import { tolerates } from "../scheduler/node-fit"

export type DaemonSetControllerConfig = ControllerConfig

const ACTOR = "daemonset-controller"

/** apps/v1 `DefaultDaemonSetUniqueLabelKey` and `DaemonSetTemplateGenerationKey`. */
export const DAEMONSET_REVISION_LABEL = "controller-revision-hash"
export const DAEMONSET_TEMPLATE_GENERATION_LABEL = "pod-template-generation"

/**
 * pkg/controller/daemon/util `AddOrUpdateDaemonPodTolerations`: daemon pods tolerate not-ready and unreachable
 * (NoExecute, no tolerationSeconds: never evicted) and the pressure and unschedulable NoSchedule taints.
 */
const DAEMON_TOLERATIONS: ReadonlyArray<Toleration> = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
]

/** The template's tolerations plus the daemon ones it lacks (matched by key and effect). */
const daemonTolerations = (own: ReadonlyArray<Toleration> | undefined): Toleration[] => {
  const out = [...(own ?? [])]
  for (const t of DAEMON_TOLERATIONS) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t)
  return out
}

/**
 * daemon_controller.go `NodeShouldRunDaemonPod`: the template's nodeSelector matches and every NoSchedule/NoExecute
 * taint is tolerated (shouldRun); a pod already there may stay while only NoSchedule taints are untolerated
 * (shouldContinueRunning). Node.spec.unschedulable does not matter (daemon pods tolerate it).
 */
export const nodeShouldRunDaemonPod = (node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } => {
  const sel = ds.spec.template.spec.nodeSelector
  if (sel !== undefined && !matchesLabels(sel, node.metadata.labels)) return { shouldRun: false, shouldContinueRunning: false }
  const tolerations = daemonTolerations(ds.spec.template.spec.tolerations)
  let shouldRun = true
  let shouldContinueRunning = true
  for (const taint of node.spec.taints ?? []) {
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue
    if (tolerations.some((t) => tolerates(t, taint))) continue
    shouldRun = false
    if (taint.effect === "NoExecute") shouldContinueRunning = false
  }
  return { shouldRun, shouldContinueRunning }
}

/** controller_utils.go `ActivePods`-style order: oldest first, ties by name. */
const byCreation = (a: Pod, b: Pod): number => {
  const ta = a.metadata.creationTimestamp ?? ""
  const tb = b.metadata.creationTimestamp ?? ""
  return ta !== tb ? (ta < tb ? -1 : 1) : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
}

/**
 * The DaemonSet controller (pkg/controller/daemon): one pod per node that should run it (`manage`: create where
 * missing, delete where the node no longer qualifies or holds more than one, failed pods replaced), pods
 * `<ds>-<5 chars>` labelled with the template hash and generation; RollingUpdate with maxSurge 0 (update.go
 * `rollingUpdate`: old pods that are unavailable go first, then as many available ones as keep the unavailable
 * count within maxUnavailable); status as `updateDaemonSetStatus`.
 * Pods are bound to their node directly (spec.nodeName, as before ScheduleDaemonSetPods) rather than through a
 * node-affinity term and the scheduler; pods whose node is gone are deleted here (upstream: the pod GC controller).
 */
export class DaemonSetController {
  private readonly loop: ControllerLoop

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: DaemonSetControllerConfig = {},
  ) {
    this.loop = new ControllerLoop(sim, store, ACTOR, (key) => this.sync(key), config)
  }

  start(): void {
    this.loop.start("DaemonSetController")
    this.loop.watch("DaemonSet", (e) => this.loop.add(keyOf(e.object)), true)
    this.loop.watch("Pod", (e) => {
      const ref = controllerOf(e.object)
      if (ref !== undefined && ref.kind === "DaemonSet") this.loop.add(`${e.object.metadata.namespace}/${ref.name}`)
    })
    // daemon_controller.go addNode/updateNode/deleteNode: every DaemonSet is looked at again.
    this.loop.watch("Node", () => {
      for (const ds of this.store.list("DaemonSet")) this.loop.add(keyOf(ds))
    })
  }

  /** daemon_controller.go `syncDaemonSet`. */
  sync(key: string): void {
    const [ns, name] = splitKey(key)
    const ds = this.store.get("DaemonSet", ns, name)
    if (ds === undefined || ds.metadata.deletionTimestamp !== undefined) return
    const hash = computeHash(ds.spec.template, ds.status.collisionCount)
    const nodes = this.store.list("Node")
    const owned = controlledByAny(this.store, "Pod", ds.metadata.namespace ?? "default", [ds.metadata.uid])
    // daemon_controller.go `getNodesToDaemonPods`: a terminating pod still occupies its node (no replacement is
    // created until it is gone); only pods both deleted and terminal are left out.
    const byNode = new Map<string, Pod[]>()
    for (const p of owned) {
      if (p.metadata.deletionTimestamp !== undefined && (p.status.phase === "Succeeded" || p.status.phase === "Failed")) continue
      const n = p.spec.nodeName ?? ""
      const list = byNode.get(n)
      if (list === undefined) byNode.set(n, [p])
      else list.push(p)
    }
    const nodeNames = new Set(nodes.map((n) => n.metadata.name))
    for (const [n, pods] of byNode) if (!nodeNames.has(n)) for (const p of pods) if (p.metadata.deletionTimestamp === undefined) this.deletePod(ds, p, `node ${n} is gone`)
    this.manage(ds, nodes, byNode, hash)
    if (ds.spec.updateStrategy.type === "RollingUpdate") this.rollingUpdate(ds, nodes, byNode, hash)
    this.writeStatus(ds, nodes, byNode, hash)
  }

  /** daemon_controller.go `manage` / `podsShouldBeOnNode`. */
  private manage(ds: DaemonSet, nodes: ReadonlyArray<Node>, byNode: Map<string, Pod[]>, hash: string): void {
    for (const node of nodes) {
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds)
      const pods = byNode.get(node.metadata.name) ?? []
      if (shouldRun && pods.length === 0) {
        this.createPod(ds, node, hash)
        continue
      }
      if (!shouldContinueRunning) {
        for (const p of pods) if (p.metadata.deletionTimestamp === undefined) this.deletePod(ds, p, `node ${node.metadata.name} does not fit`)
        continue
      }
      // A failed daemon pod is deleted (and recreated on a later sync); extra pods beyond the oldest go.
      const running = pods.filter((p) => {
        if (p.metadata.deletionTimestamp !== undefined) return false
        if (p.status.phase !== "Failed") return true
        this.deletePod(ds, p, "failed")
        return false
      })
      for (const extra of running.slice().sort(byCreation).slice(1)) this.deletePod(ds, extra, "more than one daemon pod on the node")
    }
  }

  /** update.go `rollingUpdate` with maxSurge 0. */
  private rollingUpdate(ds: DaemonSet, nodes: ReadonlyArray<Node>, byNode: Map<string, Pod[]>, hash: string): void {
    if (ds.spec.updateStrategy.type !== "RollingUpdate") return
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun)
    const maxUnavailable = scaledValue(ds.spec.updateStrategy.rollingUpdate.maxUnavailable, desired.length, true)
    let numUnavailable = 0
    const replace: Pod[] = []
    const candidates: Pod[] = []
    for (const node of desired) {
      const pods = (byNode.get(node.metadata.name) ?? []).filter(isPodActive)
      const fresh = pods.filter((p) => p.metadata.labels?.[DAEMONSET_REVISION_LABEL] === hash)
      const old = pods.filter((p) => p.metadata.labels?.[DAEMONSET_REVISION_LABEL] !== hash)
      if (fresh.length > 1 || old.length > 1 || pods.length === 0 || (fresh.length === 1 && old.length === 1)) {
        numUnavailable++
        continue
      }
      const available = (p: Pod) => isPodAvailable(p, ds.spec.minReadySeconds, this.sim.now)
      if (fresh.length === 1) {
        if (!available(fresh[0] as Pod)) numUnavailable++
        continue
      }
      const o = old[0] as Pod
      if (!available(o)) replace.push(o)
      else if (numUnavailable < maxUnavailable) candidates.push(o)
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length)
    for (const p of [...replace, ...candidates.slice(0, remaining)]) this.deletePod(ds, p, `update to ${DAEMONSET_REVISION_LABEL}=${hash}`)
  }

  /** controller_utils.go `GetPodFromTemplate`, bound to `node`, with the daemon tolerations and revision labels. */
  private createPod(ds: DaemonSet, node: Node, hash: string): void {
    const t = ds.spec.template
    const ns = ds.metadata.namespace ?? "default"
    const prefix = `${ds.metadata.name}-`
    let name = generateName(this.loop.rng, prefix)
    while (this.store.get("Pod", ns, name) !== undefined) name = generateName(this.loop.rng, prefix)
    const pod = podFromTemplate(t, ds, name, {
      generateName: prefix,
      labels: { [DAEMONSET_REVISION_LABEL]: hash, [DAEMONSET_TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) },
      spec: (s) => ({ ...s, nodeName: node.metadata.name, tolerations: daemonTolerations(s.tolerations) }),
    })
    const r = this.store.create(pod)
    if (r.ok) recordAction(this.config.log, this.sim.now, ACTOR, "create", "Pod", ns, name, `Created pod: ${name} on node ${node.metadata.name}`)
    else recordAction(this.config.log, this.sim.now, ACTOR, "create-failed", "DaemonSet", ns, ds.metadata.name, r.message)
  }

  private deletePod(ds: DaemonSet, pod: Pod, why: string): void {
    const r = this.store.delete("Pod", pod.metadata.namespace, pod.metadata.name)
    if (r.ok) recordAction(this.config.log, this.sim.now, ACTOR, "delete", "Pod", pod.metadata.namespace, pod.metadata.name, `Deleted pod: ${pod.metadata.name} (${why}) of DaemonSet ${ds.metadata.name}`)
  }

  /** daemon_controller.go `updateDaemonSetStatus` over the pods seen at the start of the sync. */
  private writeStatus(ds: DaemonSet, nodes: ReadonlyArray<Node>, byNode: Map<string, Pod[]>, hash: string): void {
    let desired = 0
    let current = 0
    let misscheduled = 0
    let ready = 0
    let updated = 0
    let available = 0
    for (const node of nodes) {
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds)
      const pods = byNode.get(node.metadata.name) ?? []
      if (shouldRun) {
        desired++
        if (pods.length === 0) continue
        current++
        // The oldest daemon pod on the node stands for it.
        const p = pods.slice().sort(byCreation)[0] as Pod
        if (isPodReady(p)) {
          ready++
          if (isPodAvailable(p, ds.spec.minReadySeconds, this.sim.now)) available++
        }
        if (p.metadata.labels?.[DAEMONSET_REVISION_LABEL] === hash) updated++
      } else if (pods.length > 0) misscheduled++
    }
    const status: DaemonSetStatus = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
      ...(ds.status.collisionCount !== undefined ? { collisionCount: ds.status.collisionCount } : {}),
    }
    const live = this.store.get("DaemonSet", ds.metadata.namespace, ds.metadata.name)
    if (live !== undefined && !deepEqual(live.status, status)) this.store.update({ ...live, status })
  }
}
