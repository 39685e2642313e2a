import { type Deployment, type DeploymentStatus, type PodTemplateSpec, type ReplicaSet, type WorkloadCondition, deepEqual } from "../../api/index"
import { resolveFenceposts } from "../util/int-or-percent"
import { nanosOfTimestamp } from "../../api/index"
import { NANOS_PER_SECOND, type Nanos } from "../../../sim/index"

/** deployment_util.go annotation keys. */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
/** apps/v1 `DefaultDeploymentUniqueLabelKey`. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash"
/** kubectl's last-applied annotation, never copied to ReplicaSets. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
const SKIPPED = new Set([LAST_APPLIED, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, "deprecated.deployment.rollback.to"])

/** deployment_util.go `MaxUnavailable`: 0 unless rolling with replicas > 0; at most replicas. */
export const maxUnavailable = (d: Deployment): number => {
  if (d.spec.strategy.type !== "RollingUpdate" || d.spec.replicas === 0) return 0
  const ru = d.spec.strategy.rollingUpdate
  const { unavailable } = resolveFenceposts(ru.maxSurge, ru.maxUnavailable, d.spec.replicas)
  return unavailable > d.spec.replicas ? d.spec.replicas : unavailable
}

/** deployment_util.go `MaxSurge`: 0 unless rolling. */
export const maxSurge = (d: Deployment): number => {
  if (d.spec.strategy.type !== "RollingUpdate") return 0
  const ru = d.spec.strategy.rollingUpdate
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, d.spec.replicas).surge
}

export const replicaCount = (rss: ReadonlyArray<ReplicaSet>): number => rss.reduce((n, rs) => n + rs.spec.replicas, 0)
export const actualReplicaCount = (rss: ReadonlyArray<ReplicaSet>): number => rss.reduce((n, rs) => n + rs.status.replicas, 0)
export const readyReplicaCount = (rss: ReadonlyArray<ReplicaSet>): number => rss.reduce((n, rs) => n + (rs.status.readyReplicas ?? 0), 0)

/** deployment_util.go `GetAvailableReplicaCountForReplicaSets`: the raw sum of status.availableReplicas. */
export const availableReplicaCount = (rss: ReadonlyArray<ReplicaSet>): number => rss.reduce((n, rs) => n + (rs.status.availableReplicas ?? 0), 0)

/** deployment_util.go `NewRSNewReplicas`. */
export const newRSNewReplicas = (d: Deployment, all: ReadonlyArray<ReplicaSet>, newRS: ReplicaSet): number => {
  if (d.spec.strategy.type === "Recreate") return d.spec.replicas
  const maxTotal = d.spec.replicas + maxSurge(d)
  const current = replicaCount(all)
  if (current >= maxTotal) return newRS.spec.replicas
  const up = Math.min(maxTotal - current, d.spec.replicas - newRS.spec.replicas)
  return newRS.spec.replicas + up
}

/** deployment_util.go `Revision`: the revision annotation as a number (0 when absent or malformed). */
export const revisionOf = (rs: ReplicaSet): number => {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION]
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0
}

/** deployment_util.go `MaxRevision`. */
export const maxRevision = (rss: ReadonlyArray<ReplicaSet>): number => rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0)

const withoutHash = (t: PodTemplateSpec): PodTemplateSpec => {
  const labels = t.metadata.labels
  if (labels === undefined || !(POD_TEMPLATE_HASH_LABEL in labels)) return t
  const { [POD_TEMPLATE_HASH_LABEL]: _h, ...rest } = labels
  return { ...t, metadata: { ...t.metadata, labels: rest } }
}

/** deployment_util.go `EqualIgnoreHash`: templates equal once the pod-template-hash label is removed. */
export const equalIgnoreHash = (a: PodTemplateSpec, b: PodTemplateSpec): boolean => deepEqual(withoutHash(a), withoutHash(b))

const created = (rs: ReplicaSet): string => rs.metadata.creationTimestamp ?? ""

/** controller_utils.go `ReplicaSetsByCreationTimestamp`: oldest first, ties by name. */
export const byCreation = (a: ReplicaSet, b: ReplicaSet): number =>
  created(a) !== created(b) ? (created(a) < created(b) ? -1 : 1) : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0

/** deployment_util.go `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's. */
export const findNewReplicaSet = (d: Deployment, rss: ReadonlyArray<ReplicaSet>): ReplicaSet | undefined =>
  rss.slice().sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template))

/** Deployment annotations copied to its ReplicaSets (`copyDeploymentAnnotationsToReplicaSet`). */
export const copiedAnnotations = (d: Deployment): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIPPED.has(k)) out[k] = v
  return out
}

/** deployment_util.go `SetReplicasAnnotations`: desired-replicas and max-replicas (replicas + maxSurge). */
export const replicasAnnotations = (d: Deployment): Record<string, string> => ({
  [DESIRED_REPLICAS_ANNOTATION]: String(d.spec.replicas),
  [MAX_REPLICAS_ANNOTATION]: String(d.spec.replicas + maxSurge(d)),
})

/** deployment_util.go `IsSaturated`: the new ReplicaSet has all the replicas, all available. */
export const isSaturated = (d: Deployment, rs: ReplicaSet | undefined): boolean => {
  if (rs === undefined) return false
  const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]
  return desired === String(d.spec.replicas) && rs.spec.replicas === d.spec.replicas && (rs.status.availableReplicas ?? 0) === d.spec.replicas
}

/** Go's `integer.RoundToInt32`: round half away from zero. */
const roundHalfAway = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x))

/** deployment_util.go `GetReplicaSetProportion` / `getReplicaSetFraction`. */
export const replicaSetProportion = (rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number => {
  if (rs.spec.replicas === 0 || toAdd === 0 || toAdd === added) return 0
  let fraction: number
  if (d.spec.replicas === 0) fraction = -rs.spec.replicas
  else {
    const maxNow = d.spec.replicas + maxSurge(d)
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? "0")
    const before = Number.isInteger(annotated) && annotated > 0 ? annotated : (d.status.replicas ?? 0)
    fraction = before === 0 ? 0 : roundHalfAway((rs.spec.replicas * maxNow) / before) - rs.spec.replicas
  }
  const allowed = toAdd - added
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed)
}

/** deployment_util.go condition reasons (Progressing, Available). */
export const NEW_REPLICA_SET_REASON = "NewReplicaSetCreated"
export const FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
export const NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
export const REPLICA_SET_UPDATED_REASON = "ReplicaSetUpdated"
export const TIMED_OUT_REASON = "ProgressDeadlineExceeded"
export const PAUSED_DEPLOY_REASON = "DeploymentPaused"
export const RESUMED_DEPLOY_REASON = "DeploymentResumed"

/** Go's math.MaxInt32: a progressDeadlineSeconds that means "no deadline" (`HasProgressDeadline`). */
const MAX_INT32 = 2147483647

/** deployment_util.go `HasProgressDeadline`. */
export const hasProgressDeadline = (d: Deployment): boolean => d.spec.progressDeadlineSeconds !== MAX_INT32

/** deployment_util.go `GetDeploymentCondition`. */
export const deploymentCondition = (s: DeploymentStatus, type: string): WorkloadCondition | undefined => s.conditions?.find((c) => c.type === type)

/**
 * deployment_util.go `SetDeploymentCondition`: no change when status and reason are the same; keeps
 * lastTransitionTime when only the reason changes; the condition moves to the end of the list.
 */
export const setDeploymentCondition = (s: DeploymentStatus, cond: WorkloadCondition): DeploymentStatus => {
  const cur = deploymentCondition(s, cond.type)
  if (cur !== undefined && cur.status === cond.status && cur.reason === cond.reason) return s
  const next = cur !== undefined && cur.status === cond.status && cur.lastTransitionTime !== undefined ? { ...cond, lastTransitionTime: cur.lastTransitionTime } : cond
  return { ...s, conditions: [...(s.conditions ?? []).filter((c) => c.type !== cond.type), next] }
}

/** deployment_util.go `RemoveDeploymentCondition`. */
export const removeDeploymentCondition = (s: DeploymentStatus, type: string): DeploymentStatus => {
  if (s.conditions === undefined || !s.conditions.some((c) => c.type === type)) return s
  const rest = s.conditions.filter((c) => c.type !== type)
  const { conditions: _c, ...others } = s
  return rest.length === 0 ? others : { ...others, conditions: rest }
}

/** deployment_util.go `DeploymentComplete`. */
export const deploymentComplete = (d: Deployment, s: DeploymentStatus): boolean =>
  s.updatedReplicas === d.spec.replicas && s.replicas === d.spec.replicas && s.availableReplicas === d.spec.replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)

/** deployment_util.go `DeploymentProgressing`: more updated, fewer old, more ready or more available replicas. */
export const deploymentProgressing = (d: Deployment, s: DeploymentStatus): boolean => {
  const o = d.status
  const oldNew = (s.replicas ?? 0) - (s.updatedReplicas ?? 0)
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0)
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || oldNew < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0)
}

/**
 * deployment_util.go `DeploymentTimedOut`: the Progressing condition's lastUpdateTime is more than
 * progressDeadlineSeconds before `now` (strictly: `from.Add(delta).Before(now)`).
 */
export const deploymentTimedOut = (d: Deployment, s: DeploymentStatus, now: Nanos): boolean => {
  if (!hasProgressDeadline(d)) return false
  const c = deploymentCondition(s, "Progressing")
  if (c === undefined || c.reason === NEW_RS_AVAILABLE_REASON) return false
  if (c.reason === TIMED_OUT_REASON) return true
  const from = c.lastUpdateTime === undefined ? undefined : nanosOfTimestamp(c.lastUpdateTime)
  if (from === undefined) return false
  return from + d.spec.progressDeadlineSeconds * NANOS_PER_SECOND < now
}
