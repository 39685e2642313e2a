import {
  type Deployment,
  type DeploymentStatus,
  type ReplicaSet,
  type WorkloadCondition,
  deepEqual,
  isEmptySelector,
  timestampAt,
} from "../../api/index"
import type { ApiStore } from "../../store/index"
import type { RecordLog } from "../../../records/index"
import type { Nanos, Simulation } from "../../../sim/index"
import { recordAction } from "../util/actions"
import type { ControllerDelay } from "../util/delay"
import { controllerOf, controllerRef, isOwnedBy, keyOf, setCondition, splitKey } from "../util/pods"
import { computeHash } from "../util/template-hash"
import { ControllerLoop } from "../util/controller-loop"
import { controlledByAny, ownedBy } from "../util/selecting"
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  actualReplicaCount,
  availableReplicaCount,
  byCreation,
  copiedAnnotations,
  equalIgnoreHash,
  findNewReplicaSet,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  readyReplicaCount,
  replicaCount,
  replicaSetProportion,
  replicasAnnotations,
  revisionOf,
} from "./deployment-util"

export interface DeploymentControllerConfig {
  /** Informer lag. Default 0. */
  readonly watchDelay?: Nanos
  /** Processing time of one sync by the single worker (keys wait FIFO behind it). Default uniform 1–5 ms. */
  readonly syncDelay?: ControllerDelay
  readonly log?: RecordLog
}

const ACTOR = "deployment-controller"

const active = (rss: ReadonlyArray<ReplicaSet>): ReplicaSet[] => rss.filter((rs) => rs.spec.replicas > 0)

/**
 * The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod template, named
 * `<deployment>-<pod-template-hash>` with revisions in `deployment.kubernetes.io/revision`; RollingUpdate
 * (rolling.go: scale the new ReplicaSet up within replicas + maxSurge, old ones down keeping replicas −
 * maxUnavailable available), Recreate (recreate.go), proportional scaling of a rollout in progress (sync.go
 * `scale`), revision history cleanup, and status with the Available and Progressing conditions.
 * Not modelled: rollback via the deprecated rollbackTo, progress deadline timeouts, adoption of orphaned ReplicaSets.
 */
export class DeploymentController {
  private readonly loop: ControllerLoop

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: DeploymentControllerConfig = {},
  ) {
    this.loop = new ControllerLoop(sim, store, ACTOR, (key) => this.sync(key), config)
  }

  start(): void {
    this.loop.start("DeploymentController")
    this.loop.watch("Deployment", (e) => this.enqueue(keyOf(e.object)), true)
    this.loop.watch("ReplicaSet", (e) => {
      const ref = controllerOf(e.object)
      if (ref !== undefined && ref.kind === "Deployment") this.enqueue(`${e.object.metadata.namespace}/${ref.name}`)
    })
    // deployment_controller.go `deletePod`: Recreate waits for old pods to be gone.
    this.loop.watch("Pod", (e) => {
      if (e.type !== "DELETED") return
      const rsRef = controllerOf(e.object)
      if (rsRef === undefined || rsRef.kind !== "ReplicaSet") return
      const rs = this.store.get("ReplicaSet", e.object.metadata.namespace, rsRef.name)
      const dRef = rs === undefined ? undefined : controllerOf(rs)
      if (dRef !== undefined && dRef.kind === "Deployment") this.enqueue(`${e.object.metadata.namespace}/${dRef.name}`)
    })
  }

  private enqueue(key: string): void {
    this.loop.add(key)
  }

  /** deployment_controller.go `syncDeployment`. */
  sync(key: string): void {
    const [ns, name] = splitKey(key)
    const d = this.store.get("Deployment", ns, name)
    if (d === undefined || d.metadata.deletionTimestamp !== undefined) return
    // An empty selector would select every pod in the namespace: upstream refuses to act on it.
    if (isEmptySelector(d.spec.selector)) return
    const rsList = ownedBy(this.store, "ReplicaSet", d)
    if (d.spec.paused === true || this.isScalingEvent(d, rsList)) {
      this.syncScale(d, rsList)
      return
    }
    if (d.spec.strategy.type === "Recreate") this.rolloutRecreate(d, rsList)
    else this.rolloutRolling(d, rsList)
  }

  /** sync.go `isScalingEvent`: some active ReplicaSet was annotated for a different replica count. */
  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    const { newRS, oldRSs, deployment } = this.getAllReplicaSetsAndSyncRevision(d, rsList, false)
    const all = newRS === undefined ? oldRSs : [...oldRSs, newRS]
    for (const rs of active(all)) {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]
      if (desired !== undefined && desired !== String(deployment.spec.replicas)) return true
    }
    return false
  }

  /** sync.go `sync`: scaling (and paused deployments) without a rollout. */
  private syncScale(d0: Deployment, rsList: ReplicaSet[]): void {
    const { newRS, oldRSs, deployment: d } = this.getAllReplicaSetsAndSyncRevision(d0, rsList, false)
    this.scale(d, newRS, oldRSs)
    const fresh = this.fresh(rsList)
    const newFresh = newRS === undefined ? undefined : fresh.find((r) => r.metadata.uid === newRS.metadata.uid)
    const oldFresh = fresh.filter((r) => r.metadata.uid !== newRS?.metadata.uid)
    if (d.spec.paused === true) this.cleanupDeployment(oldFresh, d)
    this.writeStatus(d, this.calculateStatus(newFresh === undefined ? oldFresh : [...oldFresh, newFresh], newFresh, d))
  }

  /** rolling.go `rolloutRolling`. */
  private rolloutRolling(d0: Deployment, rsList: ReplicaSet[]): void {
    const got = this.getAllReplicaSetsAndSyncRevision(d0, rsList, true)
    const d = got.deployment
    let newRS = got.newRS
    if (newRS === undefined) return
    let oldRSs = got.oldRSs
    // reconcileNewReplicaSet
    if (newRS.spec.replicas !== d.spec.replicas) {
      const target = newRS.spec.replicas > d.spec.replicas ? d.spec.replicas : newRSNewReplicas(d, [...oldRSs, newRS], newRS)
      const [scaled, rs] = this.scaleReplicaSet(newRS, target, d)
      newRS = rs
      if (scaled) return this.syncRolloutStatus([...oldRSs, newRS], newRS, d)
    }
    // reconcileOldReplicaSets
    const oldActive = active(oldRSs)
    const oldPods = replicaCount(oldActive)
    if (oldPods > 0) {
      const allPods = replicaCount([...oldRSs, newRS])
      const minAvailable = d.spec.replicas - maxUnavailable(d)
      const newUnavailable = newRS.spec.replicas - Math.min(newRS.status.availableReplicas ?? 0, newRS.spec.replicas)
      const maxScaledDown = allPods - minAvailable - newUnavailable
      if (maxScaledDown > 0) {
        const [cleaned, cleanedCount] = this.cleanupUnhealthyReplicas(oldActive, d, maxScaledDown)
        oldRSs = oldRSs.map((rs) => cleaned.find((c) => c.metadata.uid === rs.metadata.uid) ?? rs)
        const scaledDown = this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned, newRS], cleaned, d)
        if (cleanedCount + scaledDown > 0) return this.syncRolloutStatus([...this.fresh(oldRSs), newRS], newRS, d)
      }
    }
    const all = [...oldRSs, newRS]
    const status = this.calculateStatus(all, newRS, d)
    if (this.complete(d, status)) this.cleanupDeployment(oldRSs, d)
    this.syncRolloutStatus(all, newRS, d)
  }

  /** rolling.go `cleanupUnhealthyReplicas`: scale down old ReplicaSets by their unavailable replicas first. */
  private cleanupUnhealthyReplicas(oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): [ReplicaSet[], number] {
    const sorted = oldRSs.slice().sort(byCreation)
    let total = 0
    for (let i = 0; i < sorted.length; i++) {
      if (total >= maxCleanup) break
      const rs = sorted[i] as ReplicaSet
      if (rs.spec.replicas === 0) continue
      const avail = rs.status.availableReplicas ?? 0
      if (rs.spec.replicas <= avail) continue
      const n = Math.min(maxCleanup - total, rs.spec.replicas - avail)
      const [, updated] = this.scaleReplicaSet(rs, rs.spec.replicas - n, d)
      sorted[i] = updated
      total += n
    }
    return [sorted, total]
  }

  /** rolling.go `scaleDownOldReplicaSetsForRollingUpdate`. */
  private scaleDownOldReplicaSetsForRollingUpdate(all: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): number {
    const minAvailable = d.spec.replicas - maxUnavailable(d)
    const available = availableReplicaCount(all)
    if (available <= minAvailable) return 0
    const budget = available - minAvailable
    let total = 0
    for (const rs of oldRSs.slice().sort(byCreation)) {
      if (total >= budget) break
      if (rs.spec.replicas === 0) continue
      const n = Math.min(rs.spec.replicas, budget - total)
      this.scaleReplicaSet(rs, rs.spec.replicas - n, d)
      total += n
    }
    return total
  }

  /** recreate.go `rolloutRecreate`: old ReplicaSets to zero, wait for their pods to go, then the new one to full size. */
  private rolloutRecreate(d0: Deployment, rsList: ReplicaSet[]): void {
    const got = this.getAllReplicaSetsAndSyncRevision(d0, rsList, false)
    const d = got.deployment
    let newRS = got.newRS
    const oldRSs = got.oldRSs
    let scaledDown = false
    for (const rs of active(oldRSs)) if (this.scaleReplicaSet(rs, 0, d)[0]) scaledDown = true
    const all = () => (newRS === undefined ? this.fresh(oldRSs) : [...this.fresh(oldRSs), newRS])
    if (scaledDown) return this.syncRolloutStatus(all(), newRS, d)
    if (this.oldPodsRunning(this.fresh(oldRSs))) return this.syncRolloutStatus(all(), newRS, d)
    if (newRS === undefined) newRS = this.getAllReplicaSetsAndSyncRevision(d, this.fresh(rsList), true).newRS
    if (newRS === undefined) return
    const [scaled, rs] = this.scaleReplicaSet(newRS, d.spec.replicas, d)
    newRS = rs
    if (!scaled && this.complete(d, this.calculateStatus(all(), newRS, d))) this.cleanupDeployment(oldRSs, d)
    this.syncRolloutStatus(all(), newRS, d)
  }

  /** recreate.go `oldPodsRunning`. */
  private oldPodsRunning(oldRSs: ReplicaSet[]): boolean {
    if (actualReplicaCount(oldRSs) > 0) return true
    const ns = oldRSs[0]?.metadata.namespace
    if (ns === undefined) return false
    return controlledByAny(this.store, "Pod", ns, oldRSs.map((rs) => rs.metadata.uid)).some((p) => p.status.phase !== "Failed" && p.status.phase !== "Succeeded")
  }

  /**
   * sync.go `getAllReplicaSetsAndSyncRevision` / `getNewReplicaSet`: finds the ReplicaSet of the current template
   * (syncing its revision and annotations) or, when asked, creates it with `pod-template-hash` in its name, labels
   * and selector; a name taken by a foreign template bumps status.collisionCount.
   */
  private getAllReplicaSetsAndSyncRevision(d: Deployment, rsList: ReplicaSet[], create: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[]; deployment: Deployment } {
    const existing = findNewReplicaSet(d, rsList)
    const oldRSs = rsList.filter((rs) => rs !== existing)
    const newRevision = maxRevision(oldRSs) + 1
    const ns = d.metadata.namespace ?? "default"
    if (existing !== undefined) {
      const annotations: Record<string, string> = { ...(existing.metadata.annotations ?? {}), ...copiedAnnotations(d) }
      const had = existing.metadata.annotations?.[REVISION_ANNOTATION]
      if (revisionOf(existing) < newRevision) {
        annotations[REVISION_ANNOTATION] = String(newRevision)
        // `SetNewReplicaSetAnnotations`: a rollback keeps the revisions this ReplicaSet served before.
        if (had !== undefined) {
          const hist = annotations[REVISION_HISTORY_ANNOTATION]
          annotations[REVISION_HISTORY_ANNOTATION] = hist === undefined || hist === "" ? had : `${hist},${had}`
        }
      }
      let rs = existing
      if (!deepEqual(annotations, existing.metadata.annotations ?? {}) || existing.spec.minReadySeconds !== d.spec.minReadySeconds) {
        const r = this.store.update({ ...existing, metadata: { ...existing.metadata, annotations }, spec: { ...existing.spec, minReadySeconds: d.spec.minReadySeconds } })
        if (r.ok) rs = r.object
      }
      return { newRS: rs, oldRSs, deployment: this.syncDeploymentRevision(d, rs, undefined) }
    }
    if (!create) return { newRS: undefined, oldRSs, deployment: d }

    const hash = computeHash(d.spec.template, d.status.collisionCount)
    const template = { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels: { ...(d.spec.template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } } }
    const selector = { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } }
    const draft: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        labels: template.metadata.labels,
        annotations: { ...copiedAnnotations(d), [REVISION_ANNOTATION]: String(newRevision), ...replicasAnnotations(d) },
        ownerReferences: [controllerRef(d)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds, selector, template },
      status: { replicas: 0 },
    }
    const replicas = newRSNewReplicas(d, [...oldRSs, draft], draft)
    const r = this.store.create({ ...draft, spec: { ...draft.spec, replicas } })
    if (!r.ok) {
      const live = this.store.get("ReplicaSet", ns, draft.metadata.name)
      if (r.reason === "AlreadyExists" && live !== undefined) {
        if (isOwnedBy(live, d) && equalIgnoreHash(live.spec.template, d.spec.template)) return { newRS: live, oldRSs, deployment: d }
        // sync.go: a hash collision — bump collisionCount so the next hash differs.
        this.writeStatus(d, { ...d.status, collisionCount: (d.status.collisionCount ?? 0) + 1 })
        return { newRS: undefined, oldRSs, deployment: d }
      }
      recordAction(this.config.log, this.sim.now, ACTOR, "create-failed", "Deployment", ns, d.metadata.name, r.message)
      return { newRS: undefined, oldRSs, deployment: d }
    }
    const rs = r.object
    recordAction(this.config.log, this.sim.now, ACTOR, "create", "ReplicaSet", ns, rs.metadata.name, `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`)
    const cond: WorkloadCondition = {
      type: "Progressing",
      status: "True",
      lastUpdateTime: timestampAt(this.sim.now),
      lastTransitionTime: timestampAt(this.sim.now),
      reason: "NewReplicaSetCreated",
      message: `Created new replica set "${rs.metadata.name}"`,
    }
    return { newRS: rs, oldRSs, deployment: this.syncDeploymentRevision(d, rs, cond) }
  }

  /** sync.go: the Deployment's revision annotation follows its new ReplicaSet's (`SetDeploymentRevision`). */
  private syncDeploymentRevision(d: Deployment, rs: ReplicaSet, cond: WorkloadCondition | undefined): Deployment {
    const rev = rs.metadata.annotations?.[REVISION_ANNOTATION]
    const live = this.store.get("Deployment", d.metadata.namespace, d.metadata.name) ?? d
    const needsRev = rev !== undefined && live.metadata.annotations?.[REVISION_ANNOTATION] !== rev
    if (!needsRev && cond === undefined) return live
    const next: Deployment = {
      ...live,
      metadata: needsRev ? { ...live.metadata, annotations: { ...(live.metadata.annotations ?? {}), [REVISION_ANNOTATION]: rev } } : live.metadata,
      status: cond === undefined ? live.status : { ...live.status, conditions: setCondition(live.status.conditions, cond) },
    }
    const r = this.store.update(next)
    return r.ok ? r.object : live
  }

  /** sync.go `scale`: one active ReplicaSet gets everything; otherwise proportional scaling. */
  private scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const all = newRS === undefined ? oldRSs : [...oldRSs, newRS]
    const act = active(all)
    // deployment_util.go `FindActiveOrLatest`.
    const activeOrLatest = act.length === 1 ? act[0] : act.length === 0 ? (newRS ?? oldRSs.slice().sort(byCreation).at(-1)) : undefined
    if (activeOrLatest !== undefined) {
      if (activeOrLatest.spec.replicas !== d.spec.replicas || !this.annotationsCurrent(activeOrLatest, d)) this.scaleReplicaSet(activeOrLatest, d.spec.replicas, d)
      return
    }
    if (isSaturated(d, newRS)) {
      for (const rs of active(oldRSs)) this.scaleReplicaSet(rs, 0, d)
      return
    }
    if (d.spec.strategy.type !== "RollingUpdate") return
    const allowed = d.spec.replicas > 0 ? d.spec.replicas + maxSurge(d) : 0
    const toAdd = allowed - replicaCount(act)
    // controller_utils.go `ReplicaSetsBySizeNewer` (scaling up) / `ReplicaSetsBySizeOlder` (down): larger first, then
    // newer first when adding, older first when removing.
    const sorted = act.slice().sort((a, b) => (a.spec.replicas !== b.spec.replicas ? b.spec.replicas - a.spec.replicas : toAdd > 0 ? -byCreation(a, b) : byCreation(a, b)))
    let added = 0
    const sizes = sorted.map((rs) => {
      if (toAdd === 0) return rs.spec.replicas
      const p = replicaSetProportion(rs, d, toAdd, added)
      added += p
      return rs.spec.replicas + p
    })
    sorted.forEach((rs, i) => {
      let size = sizes[i] as number
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + (toAdd - added))
      this.scaleReplicaSet(rs, size, d)
    })
  }

  private annotationsCurrent(rs: ReplicaSet, d: Deployment): boolean {
    const want = replicasAnnotations(d)
    const a = rs.metadata.annotations ?? {}
    return a[DESIRED_REPLICAS_ANNOTATION] === want[DESIRED_REPLICAS_ANNOTATION] && a[MAX_REPLICAS_ANNOTATION] === want[MAX_REPLICAS_ANNOTATION]
  }

  /** sync.go `scaleReplicaSet`: writes replicas and the desired/max-replicas annotations; returns [size changed, RS]. */
  private scaleReplicaSet(rs: ReplicaSet, size: number, d: Deployment): [boolean, ReplicaSet] {
    const live = this.store.get("ReplicaSet", rs.metadata.namespace, rs.metadata.name) ?? rs
    const sizeChanged = live.spec.replicas !== size
    if (!sizeChanged && this.annotationsCurrent(live, d)) return [false, live]
    const next: ReplicaSet = {
      ...live,
      metadata: { ...live.metadata, annotations: { ...(live.metadata.annotations ?? {}), ...replicasAnnotations(d) } },
      spec: { ...live.spec, replicas: size },
    }
    const r = this.store.update(next)
    if (!r.ok) return [false, live]
    if (sizeChanged) {
      const op = size > live.spec.replicas ? "up" : "down"
      recordAction(this.config.log, this.sim.now, ACTOR, "scale", "ReplicaSet", live.metadata.namespace, live.metadata.name, `Scaled ${op} replica set ${live.metadata.name} from ${live.spec.replicas} to ${size}`)
    }
    return [sizeChanged, r.object]
  }

  /** sync.go `cleanupDeployment`: delete the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private cleanupDeployment(oldRSs: ReplicaSet[], d: Deployment): void {
    const alive = this.fresh(oldRSs).filter((rs) => rs.metadata.deletionTimestamp === undefined)
    const diff = alive.length - d.spec.revisionHistoryLimit
    if (diff <= 0) return
    const sorted = alive.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b))
    for (let i = 0; i < diff; i++) {
      const rs = sorted[i] as ReplicaSet
      if (rs.status.replicas !== 0 || rs.spec.replicas !== 0 || (rs.metadata.generation ?? 1) > (rs.status.observedGeneration ?? 0)) continue
      const r = this.store.delete("ReplicaSet", rs.metadata.namespace, rs.metadata.name)
      if (r.ok) recordAction(this.config.log, this.sim.now, ACTOR, "delete", "ReplicaSet", rs.metadata.namespace, rs.metadata.name, "revision history limit")
    }
  }

  private fresh(rss: ReadonlyArray<ReplicaSet>): ReplicaSet[] {
    const out: ReplicaSet[] = []
    for (const rs of rss) {
      const live = this.store.get("ReplicaSet", rs.metadata.namespace, rs.metadata.name)
      if (live !== undefined && live.metadata.uid === rs.metadata.uid) out.push(live)
    }
    return out
  }

  /** deployment_util.go `DeploymentComplete`. */
  private complete(d: Deployment, s: DeploymentStatus): boolean {
    return s.updatedReplicas === d.spec.replicas && s.replicas === d.spec.replicas && s.availableReplicas === d.spec.replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  }

  /** sync.go `calculateStatus`. */
  private calculateStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
    const fresh = this.fresh(all)
    const newFresh = newRS === undefined ? undefined : fresh.find((r) => r.metadata.uid === newRS.metadata.uid)
    const available = availableReplicaCount(fresh)
    const total = replicaCount(fresh)
    const now = timestampAt(this.sim.now)
    const ok = available >= d.spec.replicas - maxUnavailable(d)
    const cond: WorkloadCondition = ok
      ? { type: "Available", status: "True", lastUpdateTime: now, lastTransitionTime: now, reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
      : { type: "Available", status: "False", lastUpdateTime: now, lastTransitionTime: now, reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." }
    const prev = d.status.conditions?.find((c) => c.type === "Available")
    // `SetDeploymentCondition`: same status and reason is no change at all.
    const conditions = prev !== undefined && prev.status === cond.status && prev.reason === cond.reason ? d.status.conditions : setCondition(d.status.conditions, cond)
    return {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: actualReplicaCount(fresh),
      updatedReplicas: newFresh === undefined ? 0 : newFresh.status.replicas,
      readyReplicas: readyReplicaCount(fresh),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      ...(conditions !== undefined ? { conditions } : {}),
      ...(d.status.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    }
  }

  /** progress.go `syncRolloutStatus`: status plus the Progressing condition. */
  private syncRolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d0: Deployment): void {
    const d = this.store.get("Deployment", d0.metadata.namespace, d0.metadata.name) ?? d0
    let status = this.calculateStatus(all, newRS, d)
    if (newRS !== undefined && d.spec.paused !== true) {
      const now = timestampAt(this.sim.now)
      const prev = status.conditions?.find((c) => c.type === "Progressing")
      if (this.complete(d, status)) {
        if (prev?.reason !== "NewReplicaSetAvailable") {
          status = { ...status, conditions: setCondition(status.conditions, { type: "Progressing", status: "True", lastUpdateTime: now, lastTransitionTime: now, reason: "NewReplicaSetAvailable", message: `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` }) }
        }
      } else if (this.progressing(d, status)) {
        status = { ...status, conditions: setCondition(status.conditions, { type: "Progressing", status: "True", lastUpdateTime: now, lastTransitionTime: now, reason: "ReplicaSetUpdated", message: `ReplicaSet "${newRS.metadata.name}" is progressing.` }) }
      }
    }
    this.writeStatus(d, status)
  }

  /** deployment_util.go `DeploymentProgressing`. */
  private progressing(d: Deployment, s: DeploymentStatus): boolean {
    const o = d.status
    const oldNew = (s.replicas ?? 0) - (s.updatedReplicas ?? 0)
    const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0)
    return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || oldNew < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0)
  }

  private writeStatus(d0: Deployment, status: DeploymentStatus): void {
    const d = this.store.get("Deployment", d0.metadata.namespace, d0.metadata.name)
    if (d === undefined || deepEqual(d.status, status)) return
    this.store.update({ ...d, status })
  }
}
