import { type KubeObject, type OwnerReference, type Pod, type PodSpec, type PodTemplateSpec, nanosOfTimestamp, podQosClass } from "../../api/index"
import { NANOS_PER_SECOND, type Nanos } from "../../../sim/index"

/** pkg/api/v1/pod/util.go `IsPodReady`: the Ready condition is True. */
export const isPodReady = (pod: Pod): boolean => {
  const cs = pod.status.conditions
  if (cs === undefined) return false
  for (const c of cs) if (c.type === "Ready") return c.status === "True"
  return false
}

/** When the pod last became Ready (the Ready condition's lastTransitionTime), or undefined when not ready. */
export const podReadySince = (pod: Pod): Nanos | undefined => {
  const cs = pod.status.conditions
  if (cs === undefined) return undefined
  for (const c of cs) {
    if (c.type === "Ready" && c.status === "True") return c.lastTransitionTime === undefined ? undefined : nanosOfTimestamp(c.lastTransitionTime)
  }
  return undefined
}

/**
 * pkg/api/v1/pod/util.go `IsPodAvailable`: ready, and ready for at least minReadySeconds (upstream compares
 * `lastTransitionTime + minReadySeconds < now`; timestamps have whole seconds).
 */
export const isPodAvailable = (pod: Pod, minReadySeconds: number, now: Nanos): boolean => {
  if (!isPodReady(pod)) return false
  if (minReadySeconds === 0) return true
  const since = podReadySince(pod)
  return since !== undefined && since + minReadySeconds * NANOS_PER_SECOND < now
}

/** pkg/controller/controller_utils.go `IsPodActive`: not Succeeded, not Failed, not being deleted. */
export const isPodActive = (pod: Pod): boolean =>
  pod.status.phase !== "Succeeded" && pod.status.phase !== "Failed" && pod.metadata.deletionTimestamp === undefined

export const isTerminating = (o: KubeObject): boolean => o.metadata.deletionTimestamp !== undefined

/** meta/v1 `GetControllerOf`: the owner reference with controller: true. */
export const controllerOf = (o: KubeObject): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller === true)

/** meta/v1 `NewControllerRef`. */
export const controllerRef = (owner: KubeObject): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name,
  uid: owner.metadata.uid ?? "",
  controller: true,
  blockOwnerDeletion: true,
})

export const isOwnedBy = (o: KubeObject, owner: KubeObject): boolean => {
  const r = controllerOf(o)
  return r !== undefined && r.uid === owner.metadata.uid && r.kind === owner.kind
}

/** `namespace/name`, the work queue key of a namespaced object (client-go `MetaNamespaceKeyFunc`). */
export const keyOf = (o: KubeObject): string => (o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`)

export const splitKey = (key: string): [string | undefined, string] => {
  const i = key.indexOf("/")
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)]
}

/** Replaces (or adds) the condition of the same type, keeping lastTransitionTime when the status did not change. */
export const setCondition = <C extends { readonly type: string; readonly status: string; readonly lastTransitionTime?: string }>(
  conditions: ReadonlyArray<C> | undefined,
  next: C,
): C[] => {
  const out: C[] = []
  let placed = false
  for (const c of conditions ?? []) {
    if (c.type !== next.type) out.push(c)
    else {
      out.push(c.status === next.status && c.lastTransitionTime !== undefined ? { ...next, lastTransitionTime: c.lastTransitionTime } : next)
      placed = true
    }
  }
  if (!placed) out.push(next)
  return out
}

/**
 * controller_utils.go `GetPodFromTemplate`: a pod of `owner` named `name`, with the template's labels (plus
 * `labels`), annotations and spec (as `spec` rewrites it); status as the API server sets it on create (Pending, QoS).
 */
export const podFromTemplate = (
  template: PodTemplateSpec,
  owner: KubeObject,
  name: string,
  options: { readonly generateName?: string; readonly labels?: Readonly<Record<string, string>>; readonly spec?: (s: PodSpec) => PodSpec } = {},
): Pod => {
  const spec = options.spec === undefined ? template.spec : options.spec(template.spec)
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      ...(options.generateName !== undefined ? { generateName: options.generateName } : {}),
      namespace: owner.metadata.namespace ?? "default",
      labels: { ...(template.metadata.labels ?? {}), ...(options.labels ?? {}) },
      ...(template.metadata.annotations !== undefined ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec,
    status: { phase: "Pending", qosClass: podQosClass(spec) },
  }
}
