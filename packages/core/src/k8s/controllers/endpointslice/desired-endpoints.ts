import type { Endpoint, EndpointPort, Node, Pod, Service, ServicePort } from "../../api/index"
import { isPodReady } from "../util/pods"

/** core/v1 `LabelTopologyZone`. */
export const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone"

/**
 * endpointslice/utils.go `findPort` (from pkg/api/v1/pod): a numeric targetPort is itself; a named one is the
 * containerPort of the first container port with that name and the Service port's protocol; undefined if none.
 */
export const findPort = (pod: Pod, sp: ServicePort): number | undefined => {
  const t = sp.targetPort
  if (typeof t === "number") return t
  for (const c of pod.spec.containers) for (const p of c.ports ?? []) if (p.name === t && p.protocol === sp.protocol) return p.containerPort
  return undefined
}

/** utils.go `getEndpointPorts`: one EndpointPort per Service port whose target resolves on this pod. */
export const endpointPorts = (svc: Service, pod: Pod): EndpointPort[] => {
  const out: EndpointPort[] = []
  for (const sp of svc.spec.ports) {
    const port = findPort(pod, sp)
    if (port === undefined) continue
    out.push({ name: sp.name ?? "", port, protocol: sp.protocol, ...(sp.appProtocol !== undefined ? { appProtocol: sp.appProtocol } : {}) })
  }
  return out
}

/** The pod's IPv4 addresses (`getEndpointAddresses` for addressType IPv4). */
export const podAddresses = (pod: Pod): string[] => {
  const ips = pod.status.podIPs?.map((p) => p.ip) ?? (pod.status.podIP !== undefined && pod.status.podIP !== "" ? [pod.status.podIP] : [])
  return ips.filter((ip) => !ip.includes(":"))
}

/**
 * endpointslice/util `ShouldPodBeInEndpoints` (terminating pods included, as with EndpointSliceTerminatingCondition):
 * the pod has an IP and is not in a terminal phase.
 */
export const shouldPodBeInEndpoints = (pod: Pod): boolean =>
  podAddresses(pod).length > 0 && pod.status.phase !== "Succeeded" && pod.status.phase !== "Failed"

/**
 * utils.go `podToEndpoint`: serving = pod Ready; terminating = deletionTimestamp set; ready = serving && !terminating
 * (or always, with publishNotReadyAddresses); nodeName; zone from the node's topology label; hostname when the pod's
 * subdomain names the Service (`ShouldSetHostname`).
 */
export const podToEndpoint = (pod: Pod, node: Node | undefined, svc: Service): Endpoint => {
  const serving = isPodReady(pod)
  const terminating = pod.metadata.deletionTimestamp !== undefined
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating)
  const zone = node?.metadata.labels?.[LABEL_TOPOLOGY_ZONE]
  const hostname = pod.spec.hostname !== undefined && pod.spec.hostname !== "" && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace ? pod.spec.hostname : undefined
  return {
    addresses: podAddresses(pod),
    conditions: { ready, serving, terminating },
    ...(hostname !== undefined ? { hostname } : {}),
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, ...(pod.metadata.uid !== undefined ? { uid: pod.metadata.uid } : {}) },
    ...(pod.spec.nodeName !== undefined && pod.spec.nodeName !== "" ? { nodeName: pod.spec.nodeName } : {}),
    ...(zone !== undefined && zone !== "" ? { zone } : {}),
  }
}

/** endpointslice/util `endpointHash` identity: addresses, hostname and the target pod. */
export const endpointIdentity = (e: Endpoint): string =>
  `${e.addresses.join(",")}|${e.hostname ?? ""}|${e.targetRef?.namespace ?? ""}/${e.targetRef?.name ?? ""}`
