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

type TopologyMode = "" | "PreferSameZone" | "PreferSameNode"

/**
 * topology.go topologyModeFromHints, with the PreferSameTrafficDistribution gate on (beta, default on, in 1.34):
 * PreferSameNode if every ready endpoint has a node hint and one is for this node; else PreferSameZone if every
 * ready endpoint has a zone hint and one is for this node's zone; else "" (cluster-wide).
 */
const topologyModeFromHints = (endpoints: ReadonlyArray<Endpoint>, nodeName: string, zone: string): TopologyMode => {
  let hasReady = false
  let allHaveNodeHints = true
  let hasForNode = false
  let allHaveZoneHints = true
  let hasForZone = false
  for (const ep of endpoints) {
    if (!ep.ready) continue
    hasReady = true
    if (ep.nodeHints === undefined || ep.nodeHints.size === 0) allHaveNodeHints = false
    else if (ep.nodeHints.has(nodeName)) hasForNode = true
    if (ep.zoneHints === undefined || ep.zoneHints.size === 0) allHaveZoneHints = false
    else if (ep.zoneHints.has(zone)) hasForZone = true
  }
  if (!hasReady) return ""
  if (allHaveNodeHints && hasForNode) return "PreferSameNode"
  return allHaveZoneHints && hasForZone ? "PreferSameZone" : ""
}

/** topology.go availableForTopology (no fallback here: that was decided by the mode). */
const availableForTopology = (ep: Endpoint, mode: TopologyMode, nodeName: string, zone: string): boolean =>
  mode === "" ? true : mode === "PreferSameNode" ? (ep.nodeHints?.has(nodeName) ?? false) : (ep.zoneHints?.has(zone) ?? false)

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
    topologyMode = topologyModeFromHints(endpoints, nodeName, zone)
    const mode = topologyMode
    clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, mode, nodeName, zone))
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
