import type { Endpoint } from "../endpoint"
import type { ServicePortInfo } from "../service-port"
import { cidrContains } from "../ip"
import { categorizeEndpoints } from "../topology"
import type { ResolvedIptablesConfig } from "../iptables/config"
import {
  CLUSTER_IPS_SET,
  FIREWALL_IPS_MAP,
  MARK_MASQ_CHAIN,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  REJECT_CHAIN,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  nftChainsFor,
  nftEndpointNames,
} from "./names"

/** One chain a service port owns, with its rules in order. */
export interface NftChainRules {
  readonly name: string
  readonly rules: ReadonlyArray<string>
}

/**
 * What one service port contributes to the kube-proxy table: its chains (written whole when the service or its
 * endpoints changed), its map and set elements (kept incrementally), and its affinity sets.
 */
export interface NftServicePortRules {
  readonly chains: ReadonlyArray<NftChainRules>
  /** `<set> { <element> }` — the text after `add element ip kube-proxy `. */
  readonly elements: ReadonlyArray<string>
  readonly affinitySets: ReadonlyArray<{ readonly name: string; readonly timeoutSeconds: number }>
  readonly noLocalInternal: boolean
  readonly noLocalExternal: boolean
}

/** The per-service-port body of pkg/proxy/nftables/proxier.go syncProxyRules, for one node. */
export const renderNftServicePort = (svc: ServicePortInfo, allEndpoints: ReadonlyArray<Endpoint> | undefined, cfg: ResolvedIptablesConfig): NftServicePortRules => {
  const proto = svc.protocolLower
  const spn = svc.name.text
  const names = nftChainsFor(svc)
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = categorizeEndpoints(allEndpoints, svc, cfg.nodeName, cfg.zone)
  const chains = new Map<string, string[]>()
  const ensure = (name: string): string[] => {
    let r = chains.get(name)
    if (r === undefined) chains.set(name, (r = []))
    return r
  }
  for (const ep of allReachableEndpoints) ensure(nftEndpointNames(svc, ep).chain)

  const clusterPolicyChain = names.cluster
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && svc.usesClusterEndpoints
  if (usesClusterPolicyChain) ensure(clusterPolicyChain)
  const localPolicyChain = names.local
  const usesLocalPolicyChain = localEndpoints.length > 0 && svc.usesLocalEndpoints
  if (usesLocalPolicyChain) ensure(localPolicyChain)

  let internalTrafficChain = clusterPolicyChain
  let hasInternalEndpoints = hasEndpoints
  if (svc.internalPolicyLocal) {
    internalTrafficChain = localPolicyChain
    if (localEndpoints.length === 0) hasInternalEndpoints = false
  }
  let externalPolicyChain = clusterPolicyChain
  let hasExternalEndpoints = hasEndpoints
  if (svc.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain
    if (localEndpoints.length === 0) hasExternalEndpoints = false
  }
  const externalTrafficChain = names.external
  // Based on hasEndpoints, not hasExternalEndpoints: the short-circuit rules are needed even without local endpoints.
  const usesExternalTrafficChain = hasEndpoints && svc.externallyAccessible
  if (usesExternalTrafficChain) ensure(externalTrafficChain)

  let internalVerdict = ""
  let externalVerdict = ""
  let noLocalInternal = false
  let noLocalExternal = false
  if (!hasEndpoints) {
    internalVerdict = `goto ${REJECT_CHAIN}`
    externalVerdict = `goto ${REJECT_CHAIN}`
  } else {
    if (!hasInternalEndpoints) {
      internalVerdict = "drop"
      noLocalInternal = true
    }
    if (!hasExternalEndpoints) {
      externalVerdict = "drop"
      noLocalExternal = true
    }
  }

  const elements: string[] = []
  const port = svc.port
  // Every active ClusterIP, for cluster-ips-check's "wrong port" reject.
  elements.push(`${CLUSTER_IPS_SET} { ${svc.clusterIP} }`)
  if (hasInternalEndpoints) elements.push(`${SERVICE_IPS_MAP} { ${svc.clusterIP} . ${proto} . ${port} : goto ${internalTrafficChain} }`)
  else elements.push(`${NO_ENDPOINT_SERVICES_MAP} { ${svc.clusterIP} . ${proto} . ${port} comment "${spn}" : ${internalVerdict} }`)

  for (const ip of svc.externalIPs) {
    if (hasEndpoints) elements.push(`${SERVICE_IPS_MAP} { ${ip} . ${proto} . ${port} : goto ${externalTrafficChain} }`)
    if (!hasExternalEndpoints) elements.push(`${NO_ENDPOINT_SERVICES_MAP} { ${ip} . ${proto} . ${port} comment "${spn}" : ${externalVerdict} }`)
  }

  const usesFWChain = svc.loadBalancerVIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0
  const fwChain = names.firewall
  if (usesFWChain) {
    const sources = svc.loadBalancerSourceRanges.map((c) => c.text)
    // For VIP-like load balancers a request from the node to the VIP loops back with the VIP as its source.
    if (svc.loadBalancerSourceRanges.some((c) => cidrContains(c, cfg.nodeIP))) for (const lbip of svc.loadBalancerVIPs) sources.push(lbip)
    ensure(fwChain).push(`ip saddr != { ${sources.join(" , ")} } drop`)
  }
  for (const lbip of svc.loadBalancerVIPs) {
    if (hasEndpoints) elements.push(`${SERVICE_IPS_MAP} { ${lbip} . ${proto} . ${port} : goto ${externalTrafficChain} }`)
    if (usesFWChain) elements.push(`${FIREWALL_IPS_MAP} { ${lbip} . ${proto} . ${port} : goto ${fwChain} }`)
  }
  if (!hasExternalEndpoints) {
    for (const lbip of svc.loadBalancerVIPs) elements.push(`${NO_ENDPOINT_SERVICES_MAP} { ${lbip} . ${proto} . ${port} comment "${spn}" : ${externalVerdict} }`)
  }
  // NodePorts are not subject to loadBalancerSourceRanges.
  if (svc.nodePort !== 0) {
    if (hasEndpoints) elements.push(`${SERVICE_NODEPORTS_MAP} { ${proto} . ${svc.nodePort} : goto ${externalTrafficChain} }`)
    if (!hasExternalEndpoints) elements.push(`${NO_ENDPOINT_NODEPORTS_MAP} { ${proto} . ${svc.nodePort} comment "${spn}" : ${externalVerdict} }`)
  }

  // Internal traffic: masquerade off-cluster sources reaching the ClusterIP (they may have been routed in).
  if (hasInternalEndpoints) {
    if (cfg.masqueradeAll) ensure(internalTrafficChain).push(`ip daddr ${svc.clusterIP} jump ${MARK_MASQ_CHAIN}`)
    else if (cfg.localDetectorCIDR !== undefined) ensure(internalTrafficChain).push(`ip daddr ${svc.clusterIP} ip saddr != ${cfg.localDetectorCIDR} jump ${MARK_MASQ_CHAIN}`)
  }

  if (usesExternalTrafficChain) {
    const ext = ensure(externalTrafficChain)
    if (!svc.externalPolicyLocal) {
      // Non-local endpoints may be on another node: masquerade.
      ext.push(`jump ${MARK_MASQ_CHAIN}`)
    } else {
      // Pod → external destination is subject to neither traffic policy (as if it went out to the LB and back).
      if (cfg.localDetectorCIDR !== undefined) ext.push(`ip saddr ${cfg.localDetectorCIDR} goto ${clusterPolicyChain} comment "short-circuit pod traffic"`)
      // Traffic from the node itself has a local source address: masquerade it and send it to any endpoint.
      ext.push(`fib saddr type local jump ${MARK_MASQ_CHAIN} comment "masquerade local traffic"`)
      ext.push(`fib saddr type local goto ${clusterPolicyChain} comment "short-circuit local traffic"`)
    }
    if (hasExternalEndpoints) ext.push(`goto ${externalPolicyChain}`)
  }

  const affinitySets: Array<{ name: string; timeoutSeconds: number }> = []
  const affinity = svc.sessionAffinityType === "ClientIP"
  if (affinity) for (const ep of allReachableEndpoints) affinitySets.push({ name: nftEndpointNames(svc, ep).affinity, timeoutSeconds: svc.stickyMaxAgeSeconds })

  if (usesClusterPolicyChain) writeServiceToEndpointRules(ensure(clusterPolicyChain), svc, clusterEndpoints, affinity)
  if (usesLocalPolicyChain) writeServiceToEndpointRules(ensure(localPolicyChain), svc, localEndpoints, affinity)

  for (const ep of allReachableEndpoints) {
    const n = nftEndpointNames(svc, ep)
    const r = ensure(n.chain)
    // Hairpin: a pod reaching itself through the Service must be masqueraded.
    r.push(`ip saddr ${ep.ip} jump ${MARK_MASQ_CHAIN}`)
    if (affinity) r.push(`update @${n.affinity} { ip saddr }`)
    r.push(`meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`)
  }

  return { chains: [...chains].map(([name, rules]) => ({ name, rules })), elements, affinitySets, noLocalInternal, noLocalExternal }
}

/** proxier.go writeServiceToEndpointRules: affinity lookups, then one numgen vmap over the endpoints. */
const writeServiceToEndpointRules = (rules: string[], svc: ServicePortInfo, endpoints: ReadonlyArray<Endpoint>, affinity: boolean): void => {
  if (affinity) for (const ep of endpoints) {
    const n = nftEndpointNames(svc, ep)
    rules.push(`ip saddr @${n.affinity} goto ${n.chain}`)
  }
  const elems = endpoints.map((ep, i) => `${i} : goto ${nftEndpointNames(svc, ep).chain}`)
  rules.push(`numgen random mod ${endpoints.length} vmap { ${elems.join(" , ")} }`)
}
