import { type Pod, type ReplicaSet, type ReplicaSetStatus, deepEqual, labelSelectorMatches, podQosClass } from "../../api/index"
import type { ApiStore } from "../../store/index"
import type { RecordLog } from "../../../records/index"
import { NANOS_PER_SECOND, type Nanos, type Rng, type Simulation } from "../../../sim/index"
import { recordAction } from "../util/actions"
import type { ControllerDelay } from "../util/delay"
import { generateName } from "../util/names"
import { controllerOf, controllerRef, isPodActive, isPodAvailable, isPodReady, keyOf, splitKey } from "../util/pods"
import { ControllerLoop } from "../util/controller-loop"
import { controlledByAny, ownedBy } from "../util/selecting"
import { podsToDelete } from "./pods-to-delete"

export interface ReplicaSetControllerConfig {
  /** Informer lag: how long after a write the controller's watches see it. Default 0. */
  readonly watchDelay?: Nanos
  /** Processing time of one sync by the single worker (keys wait FIFO behind it). Default uniform 1–5 ms. */
  readonly syncDelay?: ControllerDelay
  /** replica_set.go `BurstReplicas`: most pods created or deleted in one sync. Default 500. */
  readonly burstReplicas?: number
  /** Where `action` records go. */
  readonly log?: RecordLog
}

const ACTOR = "replicaset-controller"

/** replica_set.go `SlowStartInitialBatchSize`. */
const SLOW_START_INITIAL_BATCH = 1

/**
 * The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps `spec.replicas` active pods owned by
 * each ReplicaSet — creating pods named `<replicaset>-<5 chars>` from its template (controller_utils.go
 * `GetPodFromTemplate`; names from util/rand's alphabet on the "replicaset-controller" stream) in slow-start batches,
 * deleting surplus pods in `getPodsToDelete` order — and writes its status (replicas, ready, available with
 * minReadySeconds, observedGeneration).
 *
 * It reads the store directly when a key is synced, which is what upstream's informer cache plus expectations
 * amount to once its own writes have been observed.
 */
export class ReplicaSetController {
  private readonly loop: ControllerLoop
  /** The "replicaset-controller" stream: sync delays and pod names. */
  private readonly rng: Rng

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: ReplicaSetControllerConfig = {},
  ) {
    this.loop = new ControllerLoop(sim, store, ACTOR, (key) => this.sync(key), config)
    this.rng = this.loop.rng
  }

  start(): void {
    this.loop.start("ReplicaSetController")
    this.loop.watch("ReplicaSet", (e) => this.enqueue(keyOf(e.object)), true)
    this.loop.watch("Pod", (e) => {
      const ref = controllerOf(e.object)
      if (ref !== undefined && ref.kind === "ReplicaSet") this.enqueue(`${e.object.metadata.namespace}/${ref.name}`)
    })
  }

  /**
   * Whether the controller still owes `namespace/name` a sync (queued, waiting, or being processed). Until it has
   * run, a ReplicaSet just scaled down still has its surplus pods: upstream's guarantee on pod counts holds only for
   * ReplicaSets with no sync outstanding.
   */
  hasPendingSync(key: string): boolean {
    return this.loop.pending(key)
  }

  private enqueue(key: string, after: Nanos = 0): void {
    this.loop.add(key, after)
  }

  /** replica_set.go `syncReplicaSet`. */
  sync(key: string): void {
    const [ns, name] = splitKey(key)
    const rs = this.store.get("ReplicaSet", ns, name)
    if (rs === undefined) return
    const owned = ownedBy(this.store, "Pod", rs)
    const active = owned.filter(isPodActive)
    if (rs.metadata.deletionTimestamp === undefined) this.manageReplicas(active, rs)
    const status = this.calculateStatus(rs, active)
    const live = this.store.get("ReplicaSet", ns, name)
    if (live !== undefined && !deepEqual(live.status, status)) this.store.update({ ...live, status })
    // replica_set.go: requeue after minReadySeconds so availability is re-checked once pods have been ready long enough.
    if (rs.spec.minReadySeconds > 0 && status.readyReplicas === rs.spec.replicas && status.availableReplicas !== rs.spec.replicas) {
      this.enqueue(key, rs.spec.minReadySeconds * NANOS_PER_SECOND)
    }
  }

  /** replica_set.go `manageReplicas`. */
  private manageReplicas(active: Pod[], rs: ReplicaSet): void {
    const diff = active.length - rs.spec.replicas
    const burst = this.config.burstReplicas ?? 500
    if (diff < 0) {
      const want = Math.min(-diff, burst)
      // `slowStartBatch`: batches of 1, 2, 4, …; a batch with a failure stops the rest.
      let done = 0
      let batch = Math.min(want, SLOW_START_INITIAL_BATCH)
      while (done < want) {
        let failed = false
        for (let i = 0; i < batch; i++) if (!this.createPod(rs)) failed = true
        done += batch
        if (failed) break
        batch = Math.min(2 * batch, want - done)
      }
    } else if (diff > 0) {
      const n = Math.min(diff, burst)
      const related = this.relatedPods(rs)
      for (const pod of podsToDelete(active, related, n, this.sim.now)) {
        const r = this.store.delete("Pod", pod.metadata.namespace, pod.metadata.name)
        if (r.ok) recordAction(this.config.log, this.sim.now, ACTOR, "delete", "Pod", pod.metadata.namespace, pod.metadata.name, `Deleted pod: ${pod.metadata.name}`)
      }
    }
  }

  /** replica_set.go `getIndirectlyRelatedPods`: active pods of every ReplicaSet with the same controller (Deployment). */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs)
    const ns = rs.metadata.namespace ?? "default"
    const siblings = owner === undefined ? [rs] : controlledByAny(this.store, "ReplicaSet", ns, [owner.uid])
    return controlledByAny(this.store, "Pod", ns, siblings.map((r) => r.metadata.uid)).filter(isPodActive)
  }

  /** controller_utils.go `GetPodFromTemplate` + `CreatePods`; the API server sets phase Pending and the QoS class. */
  private createPod(rs: ReplicaSet): boolean {
    const t = rs.spec.template
    const prefix = `${rs.metadata.name}-`
    const ns = rs.metadata.namespace ?? "default"
    let name = generateName(this.rng, prefix)
    while (this.store.get("Pod", ns, name) !== undefined) name = generateName(this.rng, prefix)
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        generateName: prefix,
        namespace: ns,
        ...(t.metadata.labels !== undefined ? { labels: t.metadata.labels } : {}),
        ...(t.metadata.annotations !== undefined ? { annotations: t.metadata.annotations } : {}),
        ownerReferences: [controllerRef(rs)],
      },
      spec: t.spec,
      status: { phase: "Pending", qosClass: podQosClass(t.spec) },
    }
    const r = this.store.create(pod)
    if (!r.ok) {
      recordAction(this.config.log, this.sim.now, ACTOR, "create-failed", "ReplicaSet", ns, rs.metadata.name, r.message)
      return false
    }
    recordAction(this.config.log, this.sim.now, ACTOR, "create", "Pod", ns, name, `Created pod: ${name}`)
    return true
  }

  /** replica_set_utils.go `calculateStatus` (over the active pods seen at the start of the sync, as upstream). */
  private calculateStatus(rs: ReplicaSet, active: Pod[]): ReplicaSetStatus {
    const templateLabels = rs.spec.template.metadata.labels ?? {}
    let fully = 0
    let ready = 0
    let available = 0
    for (const p of active) {
      if (labelSelectorMatches({ matchLabels: templateLabels }, p.metadata.labels)) fully++
      if (isPodReady(p)) {
        ready++
        if (isPodAvailable(p, rs.spec.minReadySeconds, this.sim.now)) available++
      }
    }
    return {
      replicas: active.length,
      fullyLabeledReplicas: fully,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation ?? 1,
      ...(rs.status.conditions !== undefined ? { conditions: rs.status.conditions } : {}),
    }
  }
}
