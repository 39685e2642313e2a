import type { KubeObject, ObjectMeta, Service, ServicePort } from "../api/index"

/**
 * What `apply` keeps of the live object when the applied one replaces it. kubectl apply computes a three-way
 * merge against its last-applied annotation; kubesim approximates it: the applied object's spec, labels and
 * annotations replace the live ones, and everything the server or controllers own is kept:
 * - metadata: uid, creationTimestamp, generation (bumped by the store), deletionTimestamp and grace period,
 *   ownerReferences and finalizers when the applied object names none;
 * - status, always (apply never writes status);
 * - Service: clusterIP/clusterIPs and each port's nodePort (matched by port and protocol, the strategic merge key)
 *   and healthCheckNodePort, when the applied object leaves them unset (the allocators set them) and its type
 *   still needs them (strategy.go `dropTypeDependentFields`: back to ClusterIP drops the node ports);
 * - Pod: spec.nodeName when unset in the applied object (the scheduler's binding).
 * Not merged: list items or map keys added to spec by other writers (the applied spec wins as a whole).
 */
export const mergeApplied = (applied: KubeObject, live: KubeObject): KubeObject => {
  const metadata = mergeMeta(applied.metadata, live.metadata)
  switch (applied.kind) {
    case "Service": {
      const l = live as Service
      // pkg/registry/core/service/strategy.go `dropTypeDependentFields`: node ports the user did not set are
      // cleared when the type no longer needs them (NodePort/LoadBalancer → ClusterIP/ExternalName).
      const needsNodePorts = applied.spec.type === "NodePort" || applied.spec.type === "LoadBalancer"
      const ports = applied.spec.ports.map((p): ServicePort => {
        if (p.nodePort !== undefined || !needsNodePorts) return p
        const old = l.spec.ports.find((q) => q.port === p.port && q.protocol === p.protocol)
        return old?.nodePort === undefined ? p : { ...p, nodePort: old.nodePort }
      })
      const keepIP = applied.spec.clusterIP === undefined || applied.spec.clusterIP === ""
      const spec = {
        ...applied.spec,
        ports,
        ...(keepIP && l.spec.clusterIP !== undefined && applied.spec.type !== "ExternalName" ? { clusterIP: l.spec.clusterIP } : {}),
        ...(keepIP && l.spec.clusterIPs !== undefined && applied.spec.type !== "ExternalName" ? { clusterIPs: l.spec.clusterIPs } : {}),
        ...(applied.spec.healthCheckNodePort === undefined && l.spec.healthCheckNodePort !== undefined && applied.spec.type === "LoadBalancer" && applied.spec.externalTrafficPolicy === "Local"
          ? { healthCheckNodePort: l.spec.healthCheckNodePort }
          : {}),
      }
      return { ...applied, metadata, spec, status: l.status }
    }
    case "Pod": {
      const l = live as typeof applied
      const spec = applied.spec.nodeName === undefined && l.spec.nodeName !== undefined ? { ...applied.spec, nodeName: l.spec.nodeName } : applied.spec
      return { ...applied, metadata, spec, status: l.status }
    }
    case "EndpointSlice":
    case "ConfigMap":
    case "Secret":
    case "ServiceAccount":
      return { ...applied, metadata }
    default:
      return { ...applied, metadata, status: (live as typeof applied).status } as KubeObject
  }
}

const mergeMeta = (applied: ObjectMeta, live: ObjectMeta): ObjectMeta => {
  const out: { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] } = { ...applied, name: live.name }
  if (live.namespace !== undefined) out.namespace = live.namespace
  if (live.uid !== undefined) out.uid = live.uid
  if (live.creationTimestamp !== undefined) out.creationTimestamp = live.creationTimestamp
  if (live.generation !== undefined) out.generation = live.generation
  if (live.resourceVersion !== undefined) out.resourceVersion = live.resourceVersion
  if (live.deletionTimestamp !== undefined) out.deletionTimestamp = live.deletionTimestamp
  if (live.deletionGracePeriodSeconds !== undefined) out.deletionGracePeriodSeconds = live.deletionGracePeriodSeconds
  if (applied.ownerReferences === undefined && live.ownerReferences !== undefined) out.ownerReferences = live.ownerReferences
  if (applied.finalizers === undefined && live.finalizers !== undefined) out.finalizers = live.finalizers
  if (applied.generateName === undefined && live.generateName !== undefined) out.generateName = live.generateName
  return out
}
