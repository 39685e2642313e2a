import { isLocalTo, type Endpoint } from "./endpoint"
import type { ServicePortInfo } from "./service-port"

/** The endpoints one node uses for one service port (pkg/proxy/topology.go CategorizeEndpoints). */
export interface CategorizedEndpoints {
  /** Usable endpoints for Cluster traffic policy (empty if the port never uses Cluster policy). */
  readonly clusterEndpoints: ReadonlyArray<Endpoint>
  /** Usable node-local endpoints for Local traffic policy (empty if the port never uses Local policy). */
  readonly localEndpoints: ReadonlyArray<Endpoint>
  /** The union of the two: every endpoint this node may DNAT to (one KUBE-SEP chain each). */
  readonly allReachableEndpoints: ReadonlyArray<Endpoint>
  /** Whether the service has a usable endpoint anywhere in the cluster. */
  readonly hasAnyEndpoints: boolean
}

const EMPTY: ReadonlyArray<Endpoint> = []

type TopologyMode = "" | "PreferSameZone"

/** topology.go topologyModeFromHints (zone hints; PreferSameNode is behind a feature gate and not modelled). */
const topologyModeFromHints = (endpoints: ReadonlyArray<Endpoint>, zone: string): TopologyMode => {
  let hasReady = false
  let allHaveZoneHints = true
  let hasForZone = false
  for (const ep of endpoints) {
    if (!ep.ready) continue
    hasReady = true
    if (ep.zoneHints === undefined || ep.zoneHints.size === 0) allHaveZoneHints = false
    else if (ep.zoneHints.has(zone)) hasForZone = true
  }
  return hasReady && allHaveZoneHints && hasForZone ? "PreferSameZone" : ""
}

/**
 * pkg/proxy/topology.go CategorizeEndpoints. "Usable" means ready; if there are none, serving-and-terminating
 * endpoints are used instead — decided separately for the cluster-wide and the node-local sets. `zone` is the
 * node's topology.kubernetes.io/zone label ("" if unset). Lists keep the input (`ip:port`) order.
 */
export const categorizeEndpoints = (
  endpoints: ReadonlyArray<Endpoint> | undefined,
  svc: ServicePortInfo,
  nodeName: string,
  zone: string,
): CategorizedEndpoints => {
  if (endpoints === undefined || endpoints.length === 0) {
    return { clusterEndpoints: EMPTY, localEndpoints: EMPTY, allReachableEndpoints: EMPTY, hasAnyEndpoints: false }
  }
  let hasAnyEndpoints = false
  let clusterEndpoints: ReadonlyArray<Endpoint> = EMPTY
  let topologyMode: TopologyMode = ""
  if (svc.usesClusterEndpoints) {
    topologyMode = topologyModeFromHints(endpoints, zone)
    clusterEndpoints = endpoints.filter((ep) => ep.ready && (topologyMode === "" || (ep.zoneHints?.has(zone) ?? false)))
    // All ready endpoints: share the caller's array rather than copying it.
    if (clusterEndpoints.length === endpoints.length) clusterEndpoints = endpoints
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating)
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true
  }
  if (!svc.usesLocalEndpoints) {
    return { clusterEndpoints, localEndpoints: EMPTY, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints }
  }
  let hasLocalReady = false
  let hasLocalServingTerminating = false
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true
      if (isLocalTo(ep, nodeName)) hasLocalReady = true
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true
      if (isLocalTo(ep, nodeName)) hasLocalServingTerminating = true
    }
  }
  let localEndpoints: ReadonlyArray<Endpoint> = EMPTY
  let useServingTerminating = false
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => isLocalTo(ep, nodeName) && ep.ready)
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true
    localEndpoints = endpoints.filter((ep) => isLocalTo(ep, nodeName) && ep.serving && ep.terminating)
  }
  if (!svc.usesClusterEndpoints) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints }
  }
  if (topologyMode === "" && !useServingTerminating) {
    // clusterEndpoints then holds every ready endpoint, a superset of localEndpoints.
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints }
  }
  // Upstream merges through a Go map (random order); we keep `ip:port` order, which is deterministic.
  const inLocal = new Set(localEndpoints)
  const all = endpoints.filter((ep) => clusterEndpoints.includes(ep) || inLocal.has(ep))
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: all, hasAnyEndpoints }
}
