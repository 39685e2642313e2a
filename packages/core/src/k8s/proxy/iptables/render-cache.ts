import type { Endpoint } from "../endpoint"
import type { ServicePortInfo } from "../service-port"
import type { ResolvedIptablesConfig } from "./config"
import { ProxyStateStore } from "../shared-state"
import { ProbabilityCache } from "./probability"
import { renderServicePort, type ServicePortRules } from "./service-rules"

const nodeHinted = new WeakMap<ReadonlyArray<Endpoint>, boolean>()

/** Whether any endpoint of the (shared, immutable) list carries node hints; memoised per list. */
export const hasNodeHints = (endpoints: ReadonlyArray<Endpoint> | undefined): boolean => {
  if (endpoints === undefined) return false
  let v = nodeHinted.get(endpoints)
  if (v === undefined) nodeHinted.set(endpoints, (v = endpoints.some((e) => e.nodeHints !== undefined)))
  return v
}

interface Entry {
  readonly endpoints: ReadonlyArray<Endpoint> | undefined
  readonly rules: ServicePortRules
}

/**
 * Rendered per-service-port rules, shared by every node's proxier. A port's rules depend on the node only
 * when it uses Local traffic policy (which endpoints are local) or has loadBalancerSourceRanges (whether the
 * node IP is inside one); otherwise a thousand nodes render it once. Keyed by the identity of the (shared,
 * immutable) ServicePortInfo and endpoint list, so a change to either renders afresh and the old entry is
 * collected with its record.
 */
export class IptablesRenderCache {
  private readonly byPort = new WeakMap<ServicePortInfo, Map<string, Entry>>()
  readonly probabilities = new ProbabilityCache()
  /** The proxiers' shared ServicePortMap / EndpointsMap states (and the payloads derived from them). */
  readonly states = new ProxyStateStore()
  hits = 0
  misses = 0

  rules(
    svc: ServicePortInfo,
    endpoints: ReadonlyArray<Endpoint> | undefined,
    cfg: ResolvedIptablesConfig,
    largeClusterMode: boolean,
  ): ServicePortRules {
    let key = largeClusterMode ? `${cfg.fingerprint}|L` : cfg.fingerprint
    // Local policy and node hints (PreferSameNode) make the endpoints this node uses its own.
    if (svc.usesLocalEndpoints || hasNodeHints(endpoints)) key += `|node=${cfg.nodeName}`
    if (svc.loadBalancerSourceRanges.length > 0) key += `|ip=${cfg.nodeIP}`
    let entries = this.byPort.get(svc)
    if (entries === undefined) this.byPort.set(svc, (entries = new Map()))
    const hit = entries.get(key)
    if (hit !== undefined && hit.endpoints === endpoints) {
      this.hits++
      return hit.rules
    }
    this.misses++
    const rules = renderServicePort(svc, endpoints, cfg, largeClusterMode, this.probabilities)
    entries.set(key, { endpoints, rules })
    return rules
  }
}
