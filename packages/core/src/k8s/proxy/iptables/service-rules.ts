import type { Endpoint } from "../endpoint"
import type { ServicePortInfo } from "../service-port"
import { cidrContains } from "../ip"
import { categorizeEndpoints } from "../topology"
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  servicePortChains,
  servicePortEndpointChain,
  type ServicePortChains,
} from "./chain-names"
import type { ResolvedIptablesConfig } from "./config"
import type { ProbabilityCache } from "./probability"

/**
 * Everything one service port contributes to a restore payload, split as syncProxyRules splits it: the parts
 * rewritten on every sync (filter rules, KUBE-SERVICES / KUBE-NODEPORTS jumps) and the per-service chains that
 * a partial sync skips when neither the Service nor its endpoints changed.
 */
export interface ServicePortRules {
  readonly filterRules: ReadonlyArray<string>
  readonly natFrontRules: ReadonlyArray<string>
  readonly natChains: ReadonlyArray<string>
  readonly natRules: ReadonlyArray<string>
  /** Chains this service port keeps alive (proxier.go activeNATChains). */
  readonly activeChains: ReadonlyArray<string>
  /** No local endpoints for Local internal / external traffic (sync_proxy_rules_no_local_endpoints_total). */
  readonly noLocalInternal: boolean
  readonly noLocalExternal: boolean
}

/** utiliptables.MakeChainLine. */
export const chainLine = (chain: string): string => `:${chain} - [0:0]`

// Chain names and endpoint-chain names are pure functions of the service port; computed once per record.
const chainsOf = new WeakMap<ServicePortInfo, ServicePortChains>()
const sepChainsOf = new WeakMap<ServicePortInfo, Map<string, string>>()

/** KUBE-SVC chain name → the service port key it was computed for (names are hashes of the port; never reused). */
const portKeyOfClusterChain = new Map<string, string>()

export const chainsFor = (svc: ServicePortInfo): ServicePortChains => {
  let c = chainsOf.get(svc)
  if (c === undefined) {
    chainsOf.set(svc, (c = servicePortChains(svc.name.text, svc.protocolLower)))
    portKeyOfClusterChain.set(c.cluster, svc.name.key)
  }
  return c
}

/** The service port key whose KUBE-SVC chain is `chain`, if a port with that chain was ever rendered. */
export const servicePortKeyOfChain = (chain: string): string | undefined => portKeyOfClusterChain.get(chain)

export const endpointChainFor = (svc: ServicePortInfo, ep: Endpoint): string => {
  let m = sepChainsOf.get(svc)
  if (m === undefined) sepChainsOf.set(svc, (m = new Map()))
  let c = m.get(ep.text)
  if (c === undefined) m.set(ep.text, (c = servicePortEndpointChain(svc.name.text, svc.protocolLower, ep.text)))
  return c
}

/** The per-service-port body of pkg/proxy/iptables/proxier.go syncProxyRules, for one node. */
export const renderServicePort = (
  svc: ServicePortInfo,
  allEndpoints: ReadonlyArray<Endpoint> | undefined,
  cfg: ResolvedIptablesConfig,
  largeClusterMode: boolean,
  probabilities: ProbabilityCache,
): ServicePortRules => {
  const proto = svc.protocolLower
  const spn = svc.name.text
  const chains = chainsFor(svc)
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = categorizeEndpoints(
    allEndpoints,
    svc,
    cfg.nodeName,
    cfg.zone,
  )

  const clusterPolicyChain = chains.cluster
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && svc.usesClusterEndpoints
  const localPolicyChain = chains.local
  const usesLocalPolicyChain = localEndpoints.length > 0 && svc.usesLocalEndpoints

  let internalPolicyChain = clusterPolicyChain
  let hasInternalEndpoints = hasEndpoints
  if (svc.internalPolicyLocal) {
    internalPolicyChain = localPolicyChain
    if (localEndpoints.length === 0) hasInternalEndpoints = false
  }
  const internalTrafficChain = internalPolicyChain

  let externalPolicyChain = clusterPolicyChain
  let hasExternalEndpoints = hasEndpoints
  if (svc.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain
    if (localEndpoints.length === 0) hasExternalEndpoints = false
  }
  const externalTrafficChain = chains.external
  // Based on hasEndpoints, not hasExternalEndpoints: the short-circuit rules are needed even without local endpoints.
  const usesExternalTrafficChain = hasEndpoints && svc.externallyAccessible

  const fwChain = chains.firewall
  const usesFWChain = hasEndpoints && svc.loadBalancerVIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0
  const loadBalancerTrafficChain = usesFWChain ? fwChain : externalTrafficChain

  let internalFilterTarget = ""
  let internalFilterComment = ""
  let externalFilterTarget = ""
  let externalFilterComment = ""
  let noLocalInternal = false
  let noLocalExternal = false
  if (!hasEndpoints) {
    internalFilterTarget = "REJECT"
    internalFilterComment = `"${spn} has no endpoints"`
    externalFilterTarget = "REJECT"
    externalFilterComment = internalFilterComment
  } else {
    if (!hasInternalEndpoints) {
      internalFilterTarget = "DROP"
      internalFilterComment = `"${spn} has no local endpoints"`
      noLocalInternal = true
    }
    if (!hasExternalEndpoints) {
      externalFilterTarget = "DROP"
      externalFilterComment = `"${spn} has no local endpoints"`
      noLocalExternal = true
    }
  }

  const filterRules: string[] = []
  const front: string[] = []
  const natChains: string[] = []
  const natRules: string[] = []
  const active: string[] = []
  const match = `-m ${proto} -p ${proto}`
  const dport = `--dport ${svc.port}`

  // Capture the clusterIP.
  if (hasInternalEndpoints) {
    front.push(`-A ${KUBE_SERVICES} -m comment --comment "${spn} cluster IP" ${match} -d ${svc.clusterIP} ${dport} -j ${internalTrafficChain}`)
  } else {
    filterRules.push(`-A ${KUBE_SERVICES} -m comment --comment ${internalFilterComment} ${match} -d ${svc.clusterIP} ${dport} -j ${internalFilterTarget}`)
  }

  // Capture externalIPs.
  for (const externalIP of svc.externalIPs) {
    if (hasEndpoints) {
      front.push(`-A ${KUBE_SERVICES} -m comment --comment "${spn} external IP" ${match} -d ${externalIP} ${dport} -j ${externalTrafficChain}`)
    }
    if (!hasExternalEndpoints) {
      filterRules.push(`-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} ${match} -d ${externalIP} ${dport} -j ${externalFilterTarget}`)
    }
  }

  // Capture load-balancer ingress.
  for (const lbip of svc.loadBalancerVIPs) {
    if (hasEndpoints) {
      front.push(`-A ${KUBE_SERVICES} -m comment --comment "${spn} loadbalancer IP" ${match} -d ${lbip} ${dport} -j ${loadBalancerTrafficChain}`)
    }
    if (usesFWChain) {
      filterRules.push(`-A ${KUBE_PROXY_FIREWALL} -m comment --comment "${spn} traffic not accepted by ${fwChain}" ${match} -d ${lbip} ${dport} -j DROP`)
    }
  }
  if (!hasExternalEndpoints) {
    for (const lbip of svc.loadBalancerVIPs) {
      filterRules.push(`-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} ${match} -d ${lbip} ${dport} -j ${externalFilterTarget}`)
    }
  }

  // Capture nodeports. NodePorts are not subject to loadBalancerSourceRanges.
  if (svc.nodePort !== 0) {
    if (hasEndpoints) {
      if (cfg.localhostNodePorts && cfg.nfacct) {
        front.push(
          `-A ${KUBE_NODEPORTS} -m comment --comment ${spn} ${match} -d 127.0.0.0/8 --dport ${svc.nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${externalTrafficChain}`,
        )
      }
      front.push(`-A ${KUBE_NODEPORTS} -m comment --comment ${spn} ${match} --dport ${svc.nodePort} -j ${externalTrafficChain}`)
    }
    if (!hasExternalEndpoints) {
      filterRules.push(
        `-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} -m addrtype --dst-type LOCAL ${match} --dport ${svc.nodePort} -j ${externalFilterTarget}`,
      )
    }
  }

  // Capture healthCheckNodePorts, whether or not the node has local endpoints.
  if (svc.healthCheckNodePort !== 0) {
    filterRules.push(`-A ${KUBE_NODEPORTS} -m comment --comment "${spn} health check node port" -m tcp -p tcp --dport ${svc.healthCheckNodePort} -j ACCEPT`)
  }

  // Set up internal traffic handling.
  if (hasInternalEndpoints) {
    const args = `-m comment --comment "${spn} cluster IP" ${match} -d ${svc.clusterIP} ${dport}`
    if (cfg.masqueradeAll) {
      natRules.push(`-A ${internalTrafficChain} ${args} -j ${KUBE_MARK_MASQ}`)
    } else if (cfg.localDetectorCIDR !== undefined) {
      // Masquerade off-cluster traffic to a service VIP (it may bounce to another node).
      natRules.push(`-A ${internalTrafficChain} ${args} ! -s ${cfg.localDetectorCIDR} -j ${KUBE_MARK_MASQ}`)
    }
  }

  // Set up external traffic handling.
  if (usesExternalTrafficChain) {
    natChains.push(chainLine(externalTrafficChain))
    active.push(externalTrafficChain)
    if (!svc.externalPolicyLocal) {
      natRules.push(`-A ${externalTrafficChain} -m comment --comment "masquerade traffic for ${spn} external destinations" -j ${KUBE_MARK_MASQ}`)
    } else {
      if (cfg.localDetectorCIDR !== undefined) {
        natRules.push(
          `-A ${externalTrafficChain} -m comment --comment "pod traffic for ${spn} external destinations" -s ${cfg.localDetectorCIDR} -j ${clusterPolicyChain}`,
        )
      }
      natRules.push(
        `-A ${externalTrafficChain} -m comment --comment "masquerade LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`,
      )
      natRules.push(
        `-A ${externalTrafficChain} -m comment --comment "route LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${clusterPolicyChain}`,
      )
    }
    if (hasExternalEndpoints) natRules.push(`-A ${externalTrafficChain} -j ${externalPolicyChain}`)
  }

  // Set up the firewall chain (loadBalancerSourceRanges).
  if (usesFWChain) {
    natChains.push(chainLine(fwChain))
    active.push(fwChain)
    const args = `-A ${fwChain} -m comment --comment "${spn} loadbalancer IP"`
    let allowFromNode = false
    for (const cidr of svc.loadBalancerSourceRanges) {
      natRules.push(`${args} -s ${cidr.text} -j ${externalTrafficChain}`)
      if (cidrContains(cidr, cfg.nodeIP)) allowFromNode = true
    }
    // A VIP bound locally loops node-originated requests back with the VIP as source: allow those.
    if (allowFromNode) for (const lbip of svc.loadBalancerVIPs) natRules.push(`${args} -s ${lbip} -j ${externalTrafficChain}`)
    natRules.push(`-A ${fwChain} -m comment --comment "other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL"`)
  }

  if (usesClusterPolicyChain) {
    natChains.push(chainLine(clusterPolicyChain))
    active.push(clusterPolicyChain)
    writeServiceToEndpointRules(natRules, svc, clusterPolicyChain, clusterEndpoints, largeClusterMode, probabilities)
  }
  if (usesLocalPolicyChain) {
    natChains.push(chainLine(localPolicyChain))
    active.push(localPolicyChain)
    writeServiceToEndpointRules(natRules, svc, localPolicyChain, localEndpoints, largeClusterMode, probabilities)
  }

  // Generate the per-endpoint chains.
  const comment = largeClusterMode ? "" : ` -m comment --comment ${spn}`
  for (const ep of allReachableEndpoints) {
    const sep = endpointChainFor(svc, ep)
    natChains.push(chainLine(sep))
    active.push(sep)
    // Hairpin: traffic that loops back to its originator is SNATed.
    natRules.push(`-A ${sep}${comment} -s ${ep.ip} -j ${KUBE_MARK_MASQ}`)
    const affinity = svc.sessionAffinityType === "ClientIP" ? ` -m recent --name ${sep} --set` : ""
    natRules.push(`-A ${sep}${comment}${affinity} ${match} -j DNAT --to-destination ${ep.text}`)
  }

  return { filterRules, natFrontRules: front, natChains, natRules, activeChains: active, noLocalInternal, noLocalExternal }
}

/** proxier.go writeServiceToEndpointRules: affinity checks first, then the random cascade. */
const writeServiceToEndpointRules = (
  out: string[],
  svc: ServicePortInfo,
  svcChain: string,
  endpoints: ReadonlyArray<Endpoint>,
  largeClusterMode: boolean,
  probabilities: ProbabilityCache,
): void => {
  const spn = svc.name.text
  if (svc.sessionAffinityType === "ClientIP") {
    for (const ep of endpoints) {
      const sep = endpointChainFor(svc, ep)
      const comment = largeClusterMode ? "" : ` -m comment --comment "${spn} -> ${ep.text}"`
      out.push(`-A ${svcChain}${comment} -m recent --name ${sep} --rcheck --seconds ${svc.stickyMaxAgeSeconds} --reap -j ${sep}`)
    }
  }
  const n = endpoints.length
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i] as Endpoint
    const comment = largeClusterMode ? "" : ` -m comment --comment "${spn} -> ${ep.text}"`
    // Rule i of n matches with probability 1/(n−i) of what reaches it; the last always matches.
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probabilities.get(n - i)}` : ""
    out.push(`-A ${svcChain}${comment}${stat} -j ${endpointChainFor(svc, ep)}`)
  }
}
