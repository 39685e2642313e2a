import { type Kind, type KubeObject, type ObjectOfKind, type Pod, type Service, matchesLabels } from "../../api/index"
import { type ApiStore, INDEX_CONTROLLER_UID, INDEX_SERVICE_SELECTOR, byNamespaceThenName } from "../../store/index"
import { isOwnedBy } from "./pods"

/**
 * The Services of the pod's namespace whose selector matches it, by name (endpointslice `ServiceSelectorCache`
 * `GetPodServiceMemberships`, the scheduler's `helper.DefaultSelector`). Candidates come from the store's
 * selector-pair index (a Service is filed under each `key=value` of its selector, `{}` under ""), so the cost is
 * that of the Services sharing a label with the pod, not of every Service.
 */
export const servicesSelecting = (store: ApiStore, pod: Pod): Service[] => {
  const ns = pod.metadata.namespace ?? "default"
  const hits = new Map<string, Service>()
  const consider = (value: string): void => {
    for (const svc of store.byIndex("Service", INDEX_SERVICE_SELECTOR, value)) {
      if ((svc.metadata.namespace ?? "default") !== ns || hits.has(svc.metadata.name)) continue
      if (svc.spec.selector !== undefined && matchesLabels(svc.spec.selector, pod.metadata.labels)) hits.set(svc.metadata.name, svc)
    }
  }
  consider("")
  const labels = pod.metadata.labels ?? {}
  for (const k in labels) consider(`${k}=${labels[k] as string}`)
  return [...hits.values()].sort(byNamespaceThenName)
}

/**
 * Objects of `kind` in `owner`'s namespace whose controller reference is `owner` (controller_utils.go
 * `FilterActive…`/`ClaimPods` over the owner index), in namespace/name order.
 */
export const ownedBy = <K extends Kind>(store: ApiStore, kind: K, owner: KubeObject): ObjectOfKind<K>[] => {
  const uid = owner.metadata.uid
  if (uid === undefined || uid === "") return []
  const ns = owner.metadata.namespace ?? "default"
  return store.byIndex(kind, INDEX_CONTROLLER_UID, uid).filter((o) => (o.metadata.namespace ?? "default") === ns && isOwnedBy(o, owner))
}

/** Objects of `kind` in `namespace` whose controller's uid is one of `uids`, in namespace/name order. */
export const controlledByAny = <K extends Kind>(store: ApiStore, kind: K, namespace: string, uids: Iterable<string | undefined>): ObjectOfKind<K>[] => {
  const out: ObjectOfKind<K>[] = []
  for (const uid of new Set(uids)) {
    if (uid === undefined || uid === "") continue
    for (const o of store.byIndex(kind, INDEX_CONTROLLER_UID, uid)) if ((o.metadata.namespace ?? "default") === namespace) out.push(o)
  }
  return out.sort(byNamespaceThenName)
}
