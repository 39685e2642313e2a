import type { Endpoint, Service } from "../../api/index"

/** core/v1 ServiceTrafficDistribution values (1.31 PreferClose; 1.33+ PreferSameZone, PreferSameNode). */
export const TRAFFIC_DISTRIBUTION_PREFER_CLOSE = "PreferClose"
export const TRAFFIC_DISTRIBUTION_PREFER_SAME_ZONE = "PreferSameZone"
export const TRAFFIC_DISTRIBUTION_PREFER_SAME_NODE = "PreferSameNode"

/** core/v1 AnnotationTopologyMode and the deprecated DeprecatedAnnotationTopologyAwareHints. */
export const ANNOTATION_TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"
export const ANNOTATION_TOPOLOGY_AWARE_HINTS = "service.kubernetes.io/topology-aware-hints"

/**
 * reconciler.go `hintsEnabled`: the topology annotation (or its deprecated predecessor) is set and not
 * "Disabled"/"disabled". Such a Service is the topology cache's (`Auto` hints), not trafficDistribution's.
 */
export const topologyAnnotationEnabled = (svc: Service): boolean => {
  const a = svc.metadata.annotations ?? {}
  let v = a[ANNOTATION_TOPOLOGY_MODE] ?? ""
  if (v === "") v = a[ANNOTATION_TOPOLOGY_AWARE_HINTS] ?? ""
  return v !== "" && v !== "disabled" && v !== "Disabled"
}

/**
 * The hint heuristic a Service asks for (staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go
 * ReconcileHints): PreferClose, PreferSameZone and PreferSameNode are `preferCloseHeuristic` (PreferSameNode also
 * writing node hints); anything else — no field, an unknown value, or the topology annotation set
 * (reconciler.go: `canUseTrafficDistribution` is false and RemoveHintsFromSlices runs) — is the default heuristic,
 * which removes hints.
 */
export interface HintHeuristic {
  /** `needsUpdate`: an unchanged slice whose endpoints' hints are missing, wrong or stale. */
  needsUpdate(endpoints: ReadonlyArray<Endpoint>): boolean
  /** `update`: the endpoints with their hints set (a new array; untouched endpoints are shared). */
  update(endpoints: ReadonlyArray<Endpoint>): Endpoint[]
}

const withoutHints = (e: Endpoint): Endpoint => {
  if (e.hints === undefined) return e
  const { hints: _, ...rest } = e
  return rest
}

/** defaultHeuristic: cluster-wide routing, so any hint goes. */
const DEFAULT_HEURISTIC: HintHeuristic = {
  needsUpdate: (endpoints) => endpoints.some((e) => e.hints !== undefined),
  update: (endpoints) => endpoints.map(withoutHints),
}

const sameNames = (list: ReadonlyArray<{ readonly name: string }> | undefined, want: string): boolean => list !== undefined && list.length === 1 && list[0]?.name === want

/** preferCloseHeuristic: every ready endpoint hinted for its own zone (and, for PreferSameNode, its node). */
const preferClose = (nodeHints: boolean): HintHeuristic => ({
  needsUpdate: (endpoints) => {
    for (const e of endpoints) {
      // endpointReady: Conditions.Ready set and true.
      if (e.conditions.ready !== true) continue
      if (e.zone !== undefined) {
        if (!sameNames(e.hints?.forZones, e.zone)) return true
      } else if ((e.hints?.forZones?.length ?? 0) > 0) return true
      if (e.nodeName !== undefined && nodeHints) {
        if (!sameNames(e.hints?.forNodes, e.nodeName)) return true
      } else if ((e.hints?.forNodes?.length ?? 0) > 0) return true
    }
    return false
  },
  update: (endpoints) =>
    endpoints.map((e) => {
      if (e.conditions.ready !== true) return e
      const forZones = e.zone !== undefined ? [{ name: e.zone }] : undefined
      const forNodes = e.nodeName !== undefined && nodeHints ? [{ name: e.nodeName }] : undefined
      if (forZones === undefined && forNodes === undefined) return withoutHints(e)
      return { ...withoutHints(e), hints: { ...(forZones !== undefined ? { forZones } : {}), ...(forNodes !== undefined ? { forNodes } : {}) } }
    }),
})

const PREFER_ZONE = preferClose(false)
const PREFER_NODE = preferClose(true)

/** The heuristic reconciler.go applies to `svc`'s slices (see HintHeuristic). */
export const hintHeuristicFor = (svc: Service): HintHeuristic => {
  if (topologyAnnotationEnabled(svc)) return DEFAULT_HEURISTIC
  switch (svc.spec.trafficDistribution) {
    case TRAFFIC_DISTRIBUTION_PREFER_CLOSE:
    case TRAFFIC_DISTRIBUTION_PREFER_SAME_ZONE:
      return PREFER_ZONE
    case TRAFFIC_DISTRIBUTION_PREFER_SAME_NODE:
      return PREFER_NODE
    default:
      return DEFAULT_HEURISTIC
  }
}

/** endpointslice/util EndpointsEqualBeyondHash ignores hints: compare endpoints without them. */
export const endpointWithoutHints = withoutHints
