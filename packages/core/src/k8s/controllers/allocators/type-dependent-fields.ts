import type { Service } from "../../api/index"

/** strategy.go `needsClusterIP`: every type but ExternalName, unless headless. */
export const needsClusterIP = (s: Service): boolean => s.spec.type !== "ExternalName" && s.spec.clusterIP !== "None"

/** pkg/registry/core/service/storage/alloc.go `needsNodePort`: NodePort and LoadBalancer. */
export const needsNodePort = (s: Service): boolean => s.spec.type === "NodePort" || s.spec.type === "LoadBalancer"

/** alloc.go `shouldAllocateNodePorts`: NodePort always; LoadBalancer unless allocateLoadBalancerNodePorts is false. */
export const shouldAllocateNodePorts = (s: Service): boolean =>
  s.spec.type === "NodePort" || (s.spec.type === "LoadBalancer" && s.spec.allocateLoadBalancerNodePorts !== false)

/** `needsHCNodePort`: a LoadBalancer with externalTrafficPolicy Local gets a health-check node port. */
export const needsHealthCheckNodePort = (s: Service): boolean => s.spec.type === "LoadBalancer" && s.spec.externalTrafficPolicy === "Local"

const sameNodePorts = (a: Service, b: Service): boolean =>
  a.spec.ports.length === b.spec.ports.length && a.spec.ports.every((p, i) => p.nodePort === b.spec.ports[i]?.nodePort)

/**
 * pkg/registry/core/service/strategy.go `dropTypeDependentFields`: when an update switches to a type that does not
 * need cluster IPs, node ports or a health-check node port, values carried over unchanged from the old object
 * (as kubectl apply's merge carries them) are dropped rather than rejected; values the user changed are kept (and
 * validation judges them).
 */
export const dropTypeDependentFields = (next: Service, old: Service): Service => {
  let spec = next.spec
  if (needsClusterIP(old) && !needsClusterIP(next) && spec.clusterIP === old.spec.clusterIP && spec.clusterIP !== "None") {
    const { clusterIP: _a, clusterIPs: _b, ...rest } = spec
    spec = next.spec.type === "ExternalName" ? rest : { ...rest }
  }
  if (needsNodePort(old) && !needsNodePort(next) && sameNodePorts(next, old)) {
    spec = { ...spec, ports: spec.ports.map(({ nodePort: _n, ...p }) => p) }
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(next) && spec.healthCheckNodePort === old.spec.healthCheckNodePort) {
    const { healthCheckNodePort: _h, ...rest } = spec
    spec = rest
  }
  return spec === next.spec ? next : { ...next, spec }
}
