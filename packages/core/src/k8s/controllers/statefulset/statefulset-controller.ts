import { type Pod, type PodTemplateSpec, type StatefulSet, type StatefulSetStatus, deepEqual } from "../../api/index"
import type { ApiStore } from "../../store/index"
import type { Simulation } from "../../../sim/index"
import { recordAction } from "../util/actions"
import type { ControllerConfig } from "../util/controller-config"
import { controllerOf, isPodAvailable, isPodReady, isTerminating, keyOf, podFromTemplate, splitKey } from "../util/pods"
import { computeHash } from "../util/template-hash"
import { ControllerLoop } from "../util/controller-loop"
import { controlledByAny } from "../util/selecting"

export type StatefulSetControllerConfig = ControllerConfig

const ACTOR = "statefulset-controller"

/** apps/v1 labels a StatefulSet's pods carry (stateful_set_utils.go). */
export const STATEFULSET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
export const CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash"

/** stateful_set_utils.go `getParentNameAndOrdinal`: `<set>-<ordinal>`. */
const ordinalOf = (set: StatefulSet, pod: Pod): number | undefined => {
  const prefix = `${set.metadata.name}-`
  const rest = pod.metadata.name.startsWith(prefix) ? pod.metadata.name.slice(prefix.length) : ""
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined
}

/** stateful_set_utils.go `isRunningAndReady`. */
const runningAndReady = (p: Pod): boolean => p.status.phase === "Running" && isPodReady(p)
const failed = (p: Pod): boolean => p.status.phase === "Failed" || p.status.phase === "Succeeded"
const revisionOf = (p: Pod): string | undefined => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]

/**
 * The StatefulSet controller (pkg/controller/statefulset, stateful_set_control.go `updateStatefulSet`): pods
 * `<set>-<ordinal>` for ordinals [ordinals.start, start + replicas), each with hostname = its name and subdomain =
 * spec.serviceName, so the headless Service gives it the DNS name `<pod>.<service>.<ns>.svc.<zone>`.
 * OrderedReady creates one pod at a time in ordinal order, each once its predecessors are Running and Ready, and
 * removes surplus pods from the highest ordinal down, one at a time; Parallel creates and removes all at once.
 * Failed pods are deleted and recreated. RollingUpdate replaces pods whose revision is not the update revision from
 * the highest ordinal down to `partition`, one at a time, each after the previous is healthy; OnDelete waits.
 * Revisions are `<set>-<hash of the template>` (as ControllerRevision names); the templates of earlier revisions are
 * remembered by the controller instead of stored as ControllerRevision objects.
 */
export class StatefulSetController {
  private readonly loop: ControllerLoop
  /** ControllerRevisions, kept in memory: set uid → revision name → template. */
  private readonly revisions = new Map<string, Map<string, PodTemplateSpec>>()

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: StatefulSetControllerConfig = {},
  ) {
    this.loop = new ControllerLoop(sim, store, ACTOR, (key) => this.sync(key), config)
  }

  start(): void {
    this.loop.start("StatefulSetController")
    this.loop.watch("StatefulSet", (e) => {
      if (e.type === "DELETED") this.revisions.delete(e.object.metadata.uid ?? "")
      this.loop.add(keyOf(e.object))
    }, true)
    this.loop.watch("Pod", (e) => {
      const ref = controllerOf(e.object)
      if (ref !== undefined && ref.kind === "StatefulSet") this.loop.add(`${e.object.metadata.namespace}/${ref.name}`)
    })
  }

  /** stateful_set.go `sync` → stateful_set_control.go `UpdateStatefulSet`. */
  sync(key: string): void {
    const [ns, name] = splitKey(key)
    const set = this.store.get("StatefulSet", ns, name)
    if (set === undefined || set.metadata.deletionTimestamp !== undefined) return
    const pods = controlledByAny(this.store, "Pod", set.metadata.namespace ?? "default", [set.metadata.uid])
    // stateful_set_control.go `getStatefulSetRevisions`: the collision count (0 until a collision) is always hashed.
    const updateRevision = `${set.metadata.name}-${computeHash(set.spec.template, set.status.collisionCount ?? 0)}`
    const known = this.revisions.get(set.metadata.uid ?? "") ?? new Map<string, PodTemplateSpec>()
    known.set(updateRevision, set.spec.template)
    this.revisions.set(set.metadata.uid ?? "", known)
    const currentRevision = set.status.currentRevision ?? updateRevision
    this.updateStatefulSet(set, pods, currentRevision, updateRevision, known)
    this.writeStatus(set, pods, currentRevision, updateRevision)
  }

  private updateStatefulSet(set: StatefulSet, pods: Pod[], currentRevision: string, updateRevision: string, known: Map<string, PodTemplateSpec>): void {
    const start = set.spec.ordinalsStart
    const end = start + set.spec.replicas
    const replicas = new Map<number, Pod>()
    const condemned: Array<[number, Pod]> = []
    for (const p of pods) {
      const o = ordinalOf(set, p)
      if (o === undefined) continue
      if (o >= start && o < end) replicas.set(o, p)
      else condemned.push([o, p])
    }
    condemned.sort((a, b) => a[0] - b[0])
    const monotonic = set.spec.podManagementPolicy === "OrderedReady"
    const partition = set.spec.updateStrategy.type === "RollingUpdate" ? set.spec.updateStrategy.rollingUpdate.partition : 0
    // `newVersionedStatefulSetPod`: ordinals below the partition keep the current revision.
    const revisionFor = (o: number): string => (set.spec.updateStrategy.type === "RollingUpdate" && o - start < partition && known.has(currentRevision) ? currentRevision : updateRevision)

    for (let o = start; o < end; o++) {
      let pod = replicas.get(o)
      // `processReplica`: a failed or succeeded pod is deleted, to be recreated.
      if (pod !== undefined && failed(pod) && !isTerminating(pod)) {
        this.deletePod(set, pod, "failed")
        replicas.delete(o)
        pod = undefined
        if (monotonic) return
        continue
      }
      if (pod === undefined) {
        const rev = revisionFor(o)
        this.createPod(set, o, rev, known.get(rev) ?? set.spec.template)
        if (monotonic) return
        continue
      }
      if (!monotonic) continue
      // OrderedReady: wait for this pod to be Running and Ready (and available) before touching the next.
      if (isTerminating(pod) || !runningAndReady(pod) || !isPodAvailable(pod, set.spec.minReadySeconds, this.sim.now)) return
    }

    // Scale down from the highest ordinal; OrderedReady one at a time, after the rest is healthy (an unhealthy
    // condemned pod blocks unless it is the first unhealthy pod of the set).
    const firstUnhealthy = condemned.find(([, p]) => !runningAndReady(p) || isTerminating(p))?.[1]
    for (let i = condemned.length - 1; i >= 0; i--) {
      const pod = (condemned[i] as [number, Pod])[1]
      if (isTerminating(pod)) {
        if (monotonic) return
        continue
      }
      if (monotonic && !runningAndReady(pod) && pod !== firstUnhealthy) return
      this.deletePod(set, pod, "scale down")
      if (monotonic) return
    }

    if (set.spec.updateStrategy.type === "OnDelete") return
    // Rolling update: highest ordinal first, down to the partition; one pod at a time.
    for (let o = end - 1; o >= start + partition; o--) {
      const pod = replicas.get(o)
      if (pod === undefined) return
      if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) {
        this.deletePod(set, pod, `update to revision ${updateRevision}`)
        return
      }
      if (!runningAndReady(pod) || isTerminating(pod)) return
    }
  }

  /** stateful_set_utils.go `newStatefulSetPod` + `updateIdentity`: name, hostname, subdomain, identity labels. */
  private createPod(set: StatefulSet, ordinal: number, revision: string, template: PodTemplateSpec): void {
    const ns = set.metadata.namespace ?? "default"
    const name = `${set.metadata.name}-${ordinal}`
    const pod = podFromTemplate(template, set, name, {
      labels: { [CONTROLLER_REVISION_HASH_LABEL]: revision, [STATEFULSET_POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
      spec: (s) => ({ ...s, hostname: name, ...(set.spec.serviceName !== "" ? { subdomain: set.spec.serviceName } : {}) }),
    })
    const r = this.store.create(pod)
    // stateful_set_control.go event text: "create Pod web-0 in StatefulSet web successful".
    if (r.ok) recordAction(this.config.log, this.sim.now, ACTOR, "create", "Pod", ns, name, `create Pod ${name} in StatefulSet ${set.metadata.name} successful`)
    else recordAction(this.config.log, this.sim.now, ACTOR, "create-failed", "StatefulSet", ns, set.metadata.name, r.message)
  }

  private deletePod(set: StatefulSet, pod: Pod, why: string): void {
    const r = this.store.delete("Pod", pod.metadata.namespace, pod.metadata.name)
    if (r.ok) recordAction(this.config.log, this.sim.now, ACTOR, "delete", "Pod", pod.metadata.namespace, pod.metadata.name, `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful (${why})`)
  }

  /**
   * stateful_set_control.go `computeReplicaStatus` over the pods seen at the start of the sync, and
   * `completeRollingUpdate`: the current revision becomes the update revision once every pod runs it and is ready.
   */
  private writeStatus(set: StatefulSet, pods: Pod[], currentRevision: string, updateRevision: string): void {
    let replicas = 0
    let ready = 0
    let available = 0
    let current = 0
    let updated = 0
    for (const p of pods) {
      if (ordinalOf(set, p) === undefined) continue
      replicas++
      if (runningAndReady(p) && !isTerminating(p)) {
        ready++
        if (isPodAvailable(p, set.spec.minReadySeconds, this.sim.now)) available++
      }
      if (isTerminating(p)) continue
      const rev = revisionOf(p)
      if (rev === currentRevision) current++
      if (rev === updateRevision) updated++
    }
    let status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas,
      readyReplicas: ready,
      currentReplicas: current,
      updatedReplicas: updated,
      availableReplicas: available,
      currentRevision,
      updateRevision,
      collisionCount: set.status.collisionCount ?? 0,
    }
    if (set.spec.updateStrategy.type === "RollingUpdate" && updated === replicas && ready === replicas) {
      status = { ...status, currentReplicas: updated, currentRevision: updateRevision }
    }
    const live = this.store.get("StatefulSet", set.metadata.namespace, set.metadata.name)
    if (live !== undefined && !deepEqual(live.status, status)) this.store.update({ ...live, status })
  }
}
