import type { Kind } from "../api/index"
import type { IndexFunc } from "./kind-index"

/**
 * The indexes every ApiStore keeps, by kind (client-go informers register the same through `AddIndexers`:
 * cache.NamespaceIndex, controller-manager's owner and node indexes, kube-proxy's service-name label). Values are
 * strings; an object may be filed under several or none.
 */

/** The controller owner reference's uid (meta/v1 `GetControllerOf`): "which pods does this ReplicaSet own". */
export const INDEX_CONTROLLER_UID = "metadata.ownerReferences.controller.uid"
/** Pods by `spec.nodeName` (the kubelet's and the scheduler's view of one node). Unbound pods: not filed. */
export const INDEX_POD_NODE = "spec.nodeName"
/** Pods by `status.podIP`. */
export const INDEX_POD_IP = "status.podIP"
/** Services by each `spec.selector` pair `key=value`; a Service with an empty selector `{}` is filed under "". */
export const INDEX_SERVICE_SELECTOR = "spec.selector"
/** Services by every address that reaches them: clusterIP, externalIPs, load-balancer ingress IPs. */
export const INDEX_SERVICE_IP = "service.ip"
/** Services by each port's nodePort (decimal). */
export const INDEX_SERVICE_NODE_PORT = "spec.ports.nodePort"
/** EndpointSlices by the `namespace/name` of each Pod an endpoint refers to (targetRef). */
export const INDEX_SLICE_POD = "endpoints.targetRef"

const controllerUid: IndexFunc = (o) => {
  for (const r of o.metadata.ownerReferences ?? []) if (r.controller === true) return r.uid === undefined || r.uid === "" ? [] : [r.uid]
  return []
}

const podNode: IndexFunc = (o) => (o.kind === "Pod" && o.spec.nodeName !== undefined && o.spec.nodeName !== "" ? [o.spec.nodeName] : [])

const podIp: IndexFunc = (o) => (o.kind === "Pod" && o.status.podIP !== undefined && o.status.podIP !== "" ? [o.status.podIP] : [])

const serviceSelector: IndexFunc = (o) => {
  if (o.kind !== "Service" || o.spec.selector === undefined) return []
  const out: string[] = []
  for (const k in o.spec.selector) out.push(`${k}=${o.spec.selector[k] as string}`)
  return out.length === 0 ? [""] : out
}

const serviceIp: IndexFunc = (o) => {
  if (o.kind !== "Service") return []
  const out = new Set<string>()
  if (o.spec.clusterIP !== undefined && o.spec.clusterIP !== "") out.add(o.spec.clusterIP)
  for (const ip of o.spec.externalIPs ?? []) out.add(ip)
  for (const i of o.status.loadBalancer.ingress ?? []) if (i.ip !== undefined) out.add(i.ip)
  return [...out]
}

const serviceNodePort: IndexFunc = (o) => {
  if (o.kind !== "Service") return []
  const out: string[] = []
  for (const p of o.spec.ports) if (p.nodePort !== undefined && !out.includes(String(p.nodePort))) out.push(String(p.nodePort))
  return out
}

const slicePods: IndexFunc = (o) => {
  if (o.kind !== "EndpointSlice") return []
  const ns = o.metadata.namespace ?? "default"
  const out = new Set<string>()
  for (const e of o.endpoints) {
    const r = e.targetRef
    if (r !== undefined && (r.kind === undefined || r.kind === "Pod") && r.name !== undefined) out.add(`${r.namespace ?? ns}/${r.name}`)
  }
  return [...out]
}

/** The index functions a kind starts with. */
export const defaultIndexers = (kind: Kind): ReadonlyArray<readonly [string, IndexFunc]> => {
  const common: Array<readonly [string, IndexFunc]> = [[INDEX_CONTROLLER_UID, controllerUid]]
  switch (kind) {
    case "Pod":
      return [...common, [INDEX_POD_NODE, podNode], [INDEX_POD_IP, podIp]]
    case "Service":
      return [...common, [INDEX_SERVICE_SELECTOR, serviceSelector], [INDEX_SERVICE_IP, serviceIp], [INDEX_SERVICE_NODE_PORT, serviceNodePort]]
    case "EndpointSlice":
      return [...common, [INDEX_SLICE_POD, slicePods]]
    default:
      return common
  }
}

