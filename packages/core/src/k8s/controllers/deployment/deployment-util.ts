import { type Deployment, type PodTemplateSpec, type ReplicaSet, deepEqual } from "../../api/index"
import { resolveFenceposts } from "../util/int-or-percent"

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

/**
 * deployment_util.go `GetAvailableReplicaCountForReplicaSets`, each ReplicaSet's count capped at its spec.replicas:
 * a ReplicaSet just scaled down still reports the pods it is about to delete, and since it deletes unavailable
 * pods first, no more than spec.replicas of them stay available. (Upstream sums the raw counts; the cap keeps a
 * stale status from letting two scale-downs in a row breach maxUnavailable.)
 */
export const availableReplicaCount = (rss: ReadonlyArray<ReplicaSet>): number =>
  rss.reduce((n, rs) => n + Math.min(rs.status.availableReplicas ?? 0, rs.spec.replicas), 0)

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
