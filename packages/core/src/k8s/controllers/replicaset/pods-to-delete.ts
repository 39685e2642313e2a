import { type Pod, nanosOfTimestamp } from "../../api/index"
import type { Nanos } from "../../../sim/index"
import { isPodReady, podReadySince } from "../util/pods"

/** pkg/controller/controller_utils.go `podPhaseToOrdinal`: Pending < Unknown < Running (others count as Pending). */
const phaseOrdinal = (p: Pod): number => (p.status.phase === "Unknown" ? 1 : p.status.phase === "Running" ? 2 : 0)

/** core/v1 `PodDeletionCost` annotation: lower costs are deleted first; absent or malformed is 0. */
export const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"

const deletionCost = (p: Pod): number => {
  const v = p.metadata.annotations?.[POD_DELETION_COST]
  if (v === undefined || !/^-?\d+$/.test(v)) return 0
  return Number(v)
}

const maxRestarts = (p: Pod): number => {
  let m = 0
  for (const c of p.status.containerStatuses ?? []) if (c.restartCount > m) m = c.restartCount
  return m
}

/** controller_utils.go `logarithmicRankDiff`: compare floor(log2(age in ns)); non-positive ages rank -1. */
const logRankDiff = (t1: Nanos, t2: Nanos, now: Nanos): number => {
  const d1 = now - t1
  const d2 = now - t2
  const r1 = d1 > 0 ? Math.floor(Math.log2(d1)) : -1
  const r2 = d2 > 0 ? Math.floor(Math.log2(d2)) : -1
  return r1 - r2
}

const uidOrder = (a: Pod, b: Pod): number => {
  const ua = a.metadata.uid ?? ""
  const ub = b.metadata.uid ?? ""
  return ua < ub ? -1 : ua > ub ? 1 : 0
}

/**
 * controller_utils.go `ActivePodsWithRanks.Less` with LogarithmicScaleDown (on by default): the pod to delete first
 * sorts first. Unscheduled < scheduled; Pending < Unknown < Running; not ready < ready; lower deletion cost; more
 * related pods on the same node; ready for less time (log2 buckets, ties by UID); more restarts; newer (log2
 * buckets, ties by UID). Remaining ties fall back to the name so the order never depends on input order.
 */
export const compareForDeletion = (a: Pod, b: Pod, rankA: number, rankB: number, now: Nanos): number => {
  const na = a.spec.nodeName ?? ""
  const nb = b.spec.nodeName ?? ""
  if (na !== nb && (na === "" || nb === "")) return na === "" ? -1 : 1
  const pa = phaseOrdinal(a)
  const pb = phaseOrdinal(b)
  if (pa !== pb) return pa - pb
  const ra = isPodReady(a)
  const rb = isPodReady(b)
  if (ra !== rb) return ra ? 1 : -1
  const ca = deletionCost(a)
  const cb = deletionCost(b)
  if (ca !== cb) return ca - cb
  if (rankA !== rankB) return rankB - rankA
  if (ra && rb) {
    const ta = podReadySince(a)
    const tb = podReadySince(b)
    if (ta !== tb) {
      // afterOrZero: a zero (unknown) time sorts first.
      if (ta === undefined || tb === undefined) return ta === undefined ? -1 : 1
      const d = logRankDiff(ta, tb, now)
      if (d !== 0) return d
      const u = uidOrder(a, b)
      if (u !== 0) return u
    }
  }
  const xa = maxRestarts(a)
  const xb = maxRestarts(b)
  if (xa !== xb) return xb - xa
  const ka = a.metadata.creationTimestamp === undefined ? undefined : nanosOfTimestamp(a.metadata.creationTimestamp)
  const kb = b.metadata.creationTimestamp === undefined ? undefined : nanosOfTimestamp(b.metadata.creationTimestamp)
  if (ka !== kb) {
    if (ka === undefined || kb === undefined) return ka === undefined ? -1 : 1
    const d = logRankDiff(ka, kb, now)
    if (d !== 0) return d
    const u = uidOrder(a, b)
    if (u !== 0) return u
  }
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
}

/**
 * pkg/controller/replicaset/replica_set.go `getPodsToDelete`: rank each pod by how many related active pods
 * (`getPodsRankedByRelatedPodsOnSameNode`: the pods of every ReplicaSet of the same Deployment) share its node,
 * sort with `compareForDeletion`, take the first `diff`.
 */
export const podsToDelete = (pods: ReadonlyArray<Pod>, related: ReadonlyArray<Pod>, diff: number, now: Nanos): Pod[] => {
  if (diff >= pods.length) return pods.slice()
  const onNode = new Map<string, number>()
  for (const p of related) {
    const n = p.spec.nodeName ?? ""
    onNode.set(n, (onNode.get(n) ?? 0) + 1)
  }
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec.nodeName ?? "") ?? 0 }))
  ranked.sort((x, y) => compareForDeletion(x.p, y.p, x.rank, y.rank, now))
  return ranked.slice(0, diff).map((r) => r.p)
}
