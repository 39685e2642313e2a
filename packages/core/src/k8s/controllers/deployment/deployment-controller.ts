import {
  type Deployment,
  type DeploymentStatus,
  type ReplicaSet,
  type WorkloadCondition,
  deepEqual,
  isEmptySelector,
  nanosOfTimestamp,
  timestampAt,
} from "../../api/index"
import type { ApiStore } from "../../store/index"
import type { RecordLog } from "../../../records/index"
import { NANOS_PER_MILLI, NANOS_PER_SECOND, type Nanos, type Simulation } from "../../../sim/index"
import { recordAction } from "../util/actions"
import type { ControllerDelay } from "../util/delay"
import { controllerOf, controllerRef, isOwnedBy, keyOf, splitKey } from "../util/pods"
import { computeHash } from "../util/template-hash"
import { ControllerLoop } from "../util/controller-loop"
import { controlledByAny, ownedBy } from "../util/selecting"
import {
  DESIRED_REPLICAS_ANNOTATION,
  FOUND_NEW_RS_REASON,
  MAX_REPLICAS_ANNOTATION,
  NEW_REPLICA_SET_REASON,
  NEW_RS_AVAILABLE_REASON,
  PAUSED_DEPLOY_REASON,
  REPLICA_SET_UPDATED_REASON,
  RESUMED_DEPLOY_REASON,
  TIMED_OUT_REASON,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  actualReplicaCount,
  availableReplicaCount,
  byCreation,
  copiedAnnotations,
  deploymentComplete,
  deploymentCondition,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  hasProgressDeadline,
  findNewReplicaSet,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  readyReplicaCount,
  removeDeploymentCondition,
  replicaCount,
  replicaSetProportion,
  replicasAnnotations,
  revisionOf,
  setDeploymentCondition,
} from "./deployment-util"

export interface DeploymentControllerConfig {
  /** Informer lag. Default 0. */
  readonly watchDelay?: Nanos
  /** Processing time of one sync by the single worker (keys wait FIFO behind it). Default uniform 1–5 ms. */
  readonly syncDelay?: ControllerDelay
  readonly log?: RecordLog
}

const ACTOR = "deployment-controller"
/** deployment_controller.go `maxRetries`: requeues of a failing key before it is dropped. */
const MAX_RETRIES = 15
/** client-go workqueue `DefaultControllerRateLimiter`: per-item exponential back-off from 5 ms, capped at 1000 s. */
const RATE_LIMIT_BASE = 5 * NANOS_PER_MILLI
const RATE_LIMIT_MAX = 1000 * NANOS_PER_SECOND

const active = (rss: ReadonlyArray<ReplicaSet>): ReplicaSet[] => rss.filter((rs) => rs.spec.replicas > 0)

/**
 * The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod template, named
 * `<deployment>-<pod-template-hash>` with revisions in `deployment.kubernetes.io/revision`; RollingUpdate
 * (rolling.go: scale the new ReplicaSet up within replicas + maxSurge, old ones down keeping replicas −
 * maxUnavailable available), Recreate (recreate.go), proportional scaling of a rollout in progress (sync.go
 * `scale`), revision history cleanup, and status with the Available and Progressing conditions.
 * progressDeadlineSeconds (progress.go: NewReplicaSetCreated / FoundNewReplicaSet / ReplicaSetUpdated /
 * NewReplicaSetAvailable / ProgressDeadlineExceeded, DeploymentPaused / DeploymentResumed).
 * Not modelled: rollback via the deprecated rollbackTo, adoption of orphaned ReplicaSets, ReplicaFailure.
 */
export class DeploymentController {
  private readonly loop: ControllerLoop
  /** The work queue's `NumRequeues` per key, for the rate limiter. */
  private readonly requeues = new Map<string, number>()

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

  /**
   * deployment_controller.go `processNextWorkItem` → `syncDeployment` → `handleErr`: a failed sync is requeued
   * rate-limited (workqueue `DefaultControllerRateLimiter`: 5 ms × 2^requeues per key) up to `maxRetries` (15),
   * a successful one forgets the key.
   */
  sync(key: string): void {
    if (this.syncDeployment(key)) {
      this.requeues.delete(key)
      return
    }
    const n = this.requeues.get(key) ?? 0
    if (n >= MAX_RETRIES) {
      this.requeues.delete(key)
      return
    }
    this.addRateLimited(key)
  }

  /** workqueue `AddRateLimited` with the per-item exponential limiter (the 10 qps bucket never binds here). */
  private addRateLimited(key: string): void {
    const n = this.requeues.get(key) ?? 0
    this.requeues.set(key, n + 1)
    this.loop.add(key, Math.min(RATE_LIMIT_BASE * 2 ** n, RATE_LIMIT_MAX))
  }

  /** deployment_controller.go `syncDeployment`; false when the sync failed (upstream returns an error). */
  private syncDeployment(key: string): boolean {
    const [ns, name] = splitKey(key)
    const d0 = this.store.get("Deployment", ns, name)
    if (d0 === undefined || d0.metadata.deletionTimestamp !== undefined) return true
    // An empty selector would select every pod in the namespace: upstream refuses to act on it.
    if (isEmptySelector(d0.spec.selector)) return true
    const rsList = ownedBy(this.store, "ReplicaSet", d0)
    const d = this.checkPausedConditions(d0)
    if (d.spec.paused === true || this.isScalingEvent(d, rsList)) {
      this.syncScale(d, rsList)
      return true
    }
    if (d.spec.strategy.type === "Recreate") {
      this.rolloutRecreate(d, rsList)
      return true
    }
    return this.rolloutRolling(d, rsList)
  }

  /**
   * sync.go `checkPausedConditions`: pausing or resuming sets Progressing to Unknown (DeploymentPaused /
   * DeploymentResumed), so time spent paused never counts against the progress deadline.
   */
  private checkPausedConditions(d: Deployment): Deployment {
    if (!hasProgressDeadline(d)) return d
    const cond = deploymentCondition(d.status, "Progressing")
    if (cond?.reason === TIMED_OUT_REASON) return d
    const pausedCondExists = cond?.reason === PAUSED_DEPLOY_REASON
    const paused = d.spec.paused === true
    if (paused === pausedCondExists) return d
    const now = timestampAt(this.sim.now)
    const status = paused
      ? setDeploymentCondition(d.status, { type: "Progressing", status: "Unknown", lastUpdateTime: now, lastTransitionTime: now, reason: PAUSED_DEPLOY_REASON, message: "Deployment is paused" })
      : setDeploymentCondition(d.status, { type: "Progressing", status: "Unknown", lastUpdateTime: now, lastTransitionTime: now, reason: RESUMED_DEPLOY_REASON, message: "Deployment is resumed" })
    const r = this.store.update({ ...d, status })
    return r.ok ? r.object : d
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

  /** rolling.go `rolloutRolling`; false when cleanupUnhealthyReplicas refused a scale (the sync's error). */
  private rolloutRolling(d0: Deployment, rsList: ReplicaSet[]): boolean {
    const got = this.getAllReplicaSetsAndSyncRevision(d0, rsList, true)
    const d = got.deployment
    const newRS = got.newRS
    if (newRS === undefined) return true
    const oldRSs = got.oldRSs
    const all = [...oldRSs, newRS]
    if (this.reconcileNewReplicaSet(newRS, d, all)) {
      this.syncRolloutStatus(all, newRS, d)
      return true
    }
    const scaledDown = this.reconcileOldReplicaSets(all, active(oldRSs), newRS, d)
    if (scaledDown === undefined) return false
    if (scaledDown) {
      this.syncRolloutStatus(all, newRS, d)
      return true
    }
    // Upstream judges completeness by the status the Deployment carries now, not a freshly calculated one.
    if (deploymentComplete(d, d.status)) this.cleanupDeployment(oldRSs, d)
    this.syncRolloutStatus(all, newRS, d)
    return true
  }

  /** rolling.go `reconcileNewReplicaSet`: scale the new ReplicaSet to replicas, within replicas + maxSurge in all. */
  private reconcileNewReplicaSet(newRS: ReplicaSet, d: Deployment, all: ReplicaSet[]): boolean {
    if (newRS.spec.replicas === d.spec.replicas) return false
    const target = newRS.spec.replicas > d.spec.replicas ? d.spec.replicas : newRSNewReplicas(d, all, newRS)
    return this.scaleReplicaSet(newRS, target, d)[0]
  }

  /**
   * rolling.go `reconcileOldReplicaSets`: old ReplicaSets may lose as many pods as keeps replicas − maxUnavailable
   * available, counting the new ReplicaSet's unavailable pods (raw spec − status counts, as upstream: a status not
   * yet updated after a scale-down counts pods about to go). Unhealthy old pods go first. Undefined on error.
   */
  private reconcileOldReplicaSets(all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): boolean | undefined {
    if (replicaCount(oldRSs) === 0) return false
    const allPods = replicaCount(all)
    const minAvailable = d.spec.replicas - maxUnavailable(d)
    const newUnavailable = newRS.spec.replicas - (newRS.status.availableReplicas ?? 0)
    const maxScaledDown = allPods - minAvailable - newUnavailable
    if (maxScaledDown <= 0) return false
    const cleaned = this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown)
    if (cleaned === undefined) return undefined
    const scaledDown = this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned.rss, newRS], cleaned.rss, d)
    return cleaned.count + scaledDown > 0
  }

  /**
   * rolling.go `cleanupUnhealthyReplicas`: scale down old ReplicaSets by their unavailable replicas first. A
   * ReplicaSet reporting more available pods than it wants (a status from before its scale-down) makes upstream
   * fail the sync ("got invalid request to scale down"); undefined here.
   */
  private cleanupUnhealthyReplicas(oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): { rss: ReplicaSet[]; count: number } | undefined {
    const sorted = oldRSs.slice().sort(byCreation)
    let total = 0
    for (let i = 0; i < sorted.length; i++) {
      if (total >= maxCleanup) break
      const rs = sorted[i] as ReplicaSet
      if (rs.spec.replicas === 0) continue
      const avail = rs.status.availableReplicas ?? 0
      if (rs.spec.replicas === avail) continue
      const n = Math.min(maxCleanup - total, rs.spec.replicas - avail)
      if (n < 0) {
        recordAction(this.config.log, this.sim.now, ACTOR, "sync-failed", "ReplicaSet", rs.metadata.namespace, rs.metadata.name, `when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${rs.spec.replicas} -> ${rs.spec.replicas - n}`)
        return undefined
      }
      const [, updated] = this.scaleReplicaSet(rs, rs.spec.replicas - n, d)
      sorted[i] = updated
      total += n
    }
    return { rss: sorted, count: total }
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
    newRS = this.scaleReplicaSet(newRS, d.spec.replicas, d)[1]
    // recreate.go judges completeness by the status the Deployment carries now.
    if (deploymentComplete(d, d.status)) this.cleanupDeployment(oldRSs, d)
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
      if (!deepEqual(annotations, existing.metadata.annotations ?? {}) || existing.spec.minReadySeconds !== d.spec.minReadySeconds) {
        // sync.go `getNewReplicaSet` returns right after this update; the Deployment follows on the next sync.
        const r = this.store.update({ ...existing, metadata: { ...existing.metadata, annotations }, spec: { ...existing.spec, minReadySeconds: d.spec.minReadySeconds } })
        return { newRS: r.ok ? r.object : existing, oldRSs, deployment: d }
      }
      // sync.go: a Deployment that has a deadline but no Progressing condition yet starts counting now.
      const found: WorkloadCondition | undefined =
        hasProgressDeadline(d) && deploymentCondition(d.status, "Progressing") === undefined
          ? { type: "Progressing", status: "True", lastUpdateTime: timestampAt(this.sim.now), lastTransitionTime: timestampAt(this.sim.now), reason: FOUND_NEW_RS_REASON, message: `Found new replica set ${JSON.stringify(existing.metadata.name)}` }
          : undefined
      return { newRS: existing, oldRSs, deployment: this.syncDeploymentRevision(d, existing, found) }
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
    const cond: WorkloadCondition | undefined = hasProgressDeadline(d)
      ? {
          type: "Progressing",
          status: "True",
          lastUpdateTime: timestampAt(this.sim.now),
          lastTransitionTime: timestampAt(this.sim.now),
          reason: NEW_REPLICA_SET_REASON,
          message: `Created new replica set ${JSON.stringify(rs.metadata.name)}`,
        }
      : undefined
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
      status: cond === undefined ? live.status : setDeploymentCondition(live.status, cond),
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

  /** sync.go `calculateStatus`: counts from the ReplicaSets and the Available condition. */
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
    const base: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: actualReplicaCount(fresh),
      updatedReplicas: newFresh === undefined ? 0 : newFresh.status.replicas,
      readyReplicas: readyReplicaCount(fresh),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      ...(d.status.conditions !== undefined ? { conditions: d.status.conditions } : {}),
      ...(d.status.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    }
    return setDeploymentCondition(base, cond)
  }

  /**
   * progress.go `syncRolloutStatus`: status plus the Progressing condition — NewReplicaSetAvailable once complete,
   * ReplicaSetUpdated (lastUpdateTime refreshed) whenever the rollout made progress, ProgressDeadlineExceeded
   * (status False) when it made none for progressDeadlineSeconds; `requeueStuckDeployment` schedules the check.
   */
  private syncRolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d0: Deployment): void {
    const d = this.store.get("Deployment", d0.metadata.namespace, d0.metadata.name) ?? d0
    let status = this.calculateStatus(all, newRS, d)
    if (!hasProgressDeadline(d)) status = removeDeploymentCondition(status, "Progressing")
    const current = deploymentCondition(d.status, "Progressing")
    const isCompleteDeployment = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE_REASON
    if (hasProgressDeadline(d) && !isCompleteDeployment) {
      const now = timestampAt(this.sim.now)
      const what = newRS === undefined ? `Deployment ${JSON.stringify(d.metadata.name)}` : `ReplicaSet ${JSON.stringify(newRS.metadata.name)}`
      if (deploymentComplete(d, status)) {
        status = setDeploymentCondition(status, { type: "Progressing", status: "True", lastUpdateTime: now, lastTransitionTime: now, reason: NEW_RS_AVAILABLE_REASON, message: `${what} has successfully progressed.` })
      } else if (deploymentProgressing(d, status)) {
        // Progress refreshes lastUpdateTime even with the same reason (SetDeploymentCondition alone would not).
        const since = current?.status === "True" && current.lastTransitionTime !== undefined ? current.lastTransitionTime : now
        const cond: WorkloadCondition = { type: "Progressing", status: "True", lastUpdateTime: now, lastTransitionTime: since, reason: REPLICA_SET_UPDATED_REASON, message: `${what} is progressing.` }
        status = setDeploymentCondition(removeDeploymentCondition(status, "Progressing"), cond)
      } else if (deploymentTimedOut(d, status, this.sim.now)) {
        status = setDeploymentCondition(status, { type: "Progressing", status: "False", lastUpdateTime: now, lastTransitionTime: now, reason: TIMED_OUT_REASON, message: `${what} has timed out progressing.` })
      }
    }
    if (deepEqual(d.status, status)) {
      this.requeueStuckDeployment(d, status)
      return
    }
    this.writeStatus(d, status)
  }

  /**
   * progress.go `requeueStuckDeployment`: a rollout without progress is looked at again when its deadline passes
   * (lastUpdateTime + progressDeadlineSeconds − now, plus a second against skew; rate-limited when under a second).
   */
  private requeueStuckDeployment(d: Deployment, status: DeploymentStatus): void {
    const current = deploymentCondition(d.status, "Progressing")
    if (!hasProgressDeadline(d) || current === undefined) return
    if (deploymentComplete(d, status) || current.reason === TIMED_OUT_REASON) return
    const from = current.lastUpdateTime === undefined ? undefined : nanosOfTimestamp(current.lastUpdateTime)
    if (from === undefined) return
    const after = from + d.spec.progressDeadlineSeconds * NANOS_PER_SECOND - this.sim.now
    const key = keyOf(d)
    if (after < NANOS_PER_SECOND) this.addRateLimited(key)
    else this.loop.add(key, after + NANOS_PER_SECOND)
  }

  private writeStatus(d0: Deployment, status: DeploymentStatus): void {
    const d = this.store.get("Deployment", d0.metadata.namespace, d0.metadata.name)
    if (d === undefined || deepEqual(d.status, status)) return
    this.store.update({ ...d, status })
  }
}
