import type { UpdateEndpointsMapResult } from "../endpoints-change-tracker"
import type { UpdateServiceMapResult } from "../service-change-tracker"
import type { ProxyState } from "../shared-state"
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from "./chain-names"
import type { ResolvedIptablesConfig } from "./config"
import { hasNodeHints, type IptablesRenderCache } from "./render-cache"
import { chainLine, type ServicePortRules } from "./service-rules"

/** proxier.go largeClusterEndpointsThreshold. */
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000

/** What of a state the iptables payload depends on besides the node-class configuration. */
interface StateFacts {
  readonly totalEndpoints: number
  /** Some port's rules depend on the node (Local policy, node hints) or on its IP (loadBalancerSourceRanges). */
  readonly byNode: boolean
  readonly byNodeIP: boolean
}

/** Every service port's rules for one state and one class of nodes, in the order the payload writes them. */
export interface StateRules {
  /** The node class: everything besides the state that shapes the payload. */
  readonly key: string
  readonly largeClusterMode: boolean
  readonly totalEndpoints: number
  readonly ports: ReadonlyArray<{ readonly nn: string; readonly rules: ServicePortRules }>
  /** proxier.go activeNATChains. */
  readonly active: ReadonlySet<string>
  readonly noLocalInternal: number
  readonly noLocalExternal: number
}

/** One sync's output, shared by every node of the same class making the same step. */
export interface SyncPayload {
  readonly payload: string
  /** Lines of the payload (the sync cost model's input). */
  readonly lines: number
  readonly filterRulesLast: number
  /** nat rule lines written, `-X` lines included. */
  readonly natRuleLines: number
  /** nat rules of unchanged services left in place (partial syncs). */
  readonly skippedNatRules: number
}

const factsOf = (state: ProxyState): StateFacts => {
  let f = state.memo.get("iptables:facts") as StateFacts | undefined
  if (f !== undefined) return f
  let totalEndpoints = 0
  let byNode = false
  let byNodeIP = false
  for (const [key, svc] of state.svcPortMap) {
    const eps = state.endpointsMap.get(key)
    totalEndpoints += eps?.length ?? 0
    if (svc.usesLocalEndpoints || hasNodeHints(eps)) byNode = true
    if (svc.loadBalancerSourceRanges.length > 0) byNodeIP = true
  }
  f = { totalEndpoints, byNode, byNodeIP }
  state.memo.set("iptables:facts", f)
  return f
}

/** What of the configuration shapes the whole payload (the render cache's fingerprint covers the per-port rules). */
export const payloadFingerprint = (cfg: ResolvedIptablesConfig): string =>
  [cfg.fingerprint, cfg.masqueradeMark, cfg.randomFully, cfg.nodePortMatchAll, cfg.nodePortIPs.join(","), cfg.conntrackTCPLiberal].join("|")

/**
 * The rendered rules of every service port of `state` for this node's class, built once per (state, class):
 * a class is the payload fingerprint, plus the node's name when some port's rules depend on which endpoints are
 * local, plus its IP when some port has loadBalancerSourceRanges (the render cache's own keys).
 */
export const stateRules = (state: ProxyState, cfg: ResolvedIptablesConfig, fingerprint: string, cache: IptablesRenderCache): StateRules => {
  const facts = factsOf(state)
  const largeClusterMode = facts.totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD
  const key = `${fingerprint}|${largeClusterMode ? "L" : ""}|${facts.byNode ? cfg.nodeName : ""}|${facts.byNodeIP ? cfg.nodeIP : ""}`
  const memoKey = `iptables:rules:${key}`
  let r = state.memo.get(memoKey) as StateRules | undefined
  if (r !== undefined) return r
  const ports: Array<{ readonly nn: string; readonly rules: ServicePortRules }> = []
  let noLocalInternal = 0
  let noLocalExternal = 0
  for (const k of state.sortedKeys) {
    const svc = state.svcPortMap.get(k)
    if (svc === undefined) continue
    const rules = cache.rules(svc, state.endpointsMap.get(k), cfg, largeClusterMode)
    if (rules.noLocalInternal) noLocalInternal++
    if (rules.noLocalExternal) noLocalExternal++
    ports.push({ nn: `${svc.name.namespace}/${svc.name.name}`, rules })
  }
  // activeNATChains is read only to find stale chains (in large clusters once per syncPeriod): built when asked.
  let active: Set<string> | undefined
  r = {
    key,
    largeClusterMode,
    totalEndpoints: facts.totalEndpoints,
    ports,
    get active(): ReadonlySet<string> {
      if (active === undefined) {
        active = new Set()
        for (const p of ports) for (const chain of p.rules.activeChains) active.add(chain)
      }
      return active
    },
    noLocalInternal,
    noLocalExternal,
  }
  state.memo.set(memoKey, r)
  return r
}

/**
 * proxier.go syncProxyRules' payload: the filter and nat tables, each service port's filter rules and
 * KUBE-SERVICES entries always, its own chains on full syncs or when the Service or its endpoints changed
 * (`updates` undefined: a full sync), stale chains deleted, then the trailing rules.
 */
export const buildPayload = (
  r: StateRules,
  cfg: ResolvedIptablesConfig,
  updates: { readonly services: UpdateServiceMapResult; readonly endpoints: UpdateEndpointsMapResult } | undefined,
  deleted: ReadonlyArray<string>,
): SyncPayload => {
  const filterChains: string[] = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL].map(chainLine)
  const filterRules: string[] = []
  const natChains: string[] = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ].map(chainLine)
  const natRules: string[] = []
  const mark = cfg.masqueradeMark

  // The kubernetes-specific postrouting and mark chains, whole, so a mark change is one flush away.
  natRules.push(`-A ${KUBE_POSTROUTING} -m mark ! --mark ${mark}/${mark} -j RETURN`)
  // Clear the mark so a packet re-traversing the stack is not masqueraded twice.
  natRules.push(`-A ${KUBE_POSTROUTING} -j MARK --xor-mark ${mark}`)
  natRules.push(
    `-A ${KUBE_POSTROUTING} -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${cfg.randomFully ? " --random-fully" : ""}`,
  )
  natRules.push(`-A ${KUBE_MARK_MASQ} -j MARK --or-mark ${mark}`)

  if (cfg.localhostNodePorts) {
    // route_localnet=1 (needed for localhost NodePorts) opens a hole (kubernetes#90259); this rule closes it.
    filterChains.push(chainLine(KUBE_FIREWALL))
    filterRules.push(
      `-A ${KUBE_FIREWALL} -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    )
  }

  let skippedNatRules = 0
  for (const { nn, rules } of r.ports) {
    for (const line of rules.filterRules) filterRules.push(line)
    for (const line of rules.natFrontRules) natRules.push(line)
    if (updates !== undefined && !updates.services.updatedServices.has(nn) && !updates.endpoints.updatedServices.has(nn)) {
      // Unchanged since the last sync: its chains are already right in the kernel.
      skippedNatRules += rules.natRules.length
      continue
    }
    for (const line of rules.natChains) natChains.push(line)
    for (const line of rules.natRules) natRules.push(line)
  }

  for (const chain of deleted) {
    natChains.push(chainLine(chain))
    natRules.push(`-X ${chain}`)
  }

  // Finally, tail-call to the nodePorts chain; this must be after all other service portal rules.
  const lastComment = `-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"`
  if (cfg.nodePortMatchAll) {
    // Block localhost NodePorts unless route_localnet was set for them.
    const dst = cfg.localhostNodePorts ? "-m addrtype --dst-type LOCAL" : "-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8"
    natRules.push(`-A ${KUBE_SERVICES} ${lastComment} ${dst} -j ${KUBE_NODEPORTS}`)
  } else {
    for (const ip of cfg.nodePortIPs) {
      if (ip.startsWith("127.") && !cfg.localhostNodePorts) continue
      natRules.push(`-A ${KUBE_SERVICES} ${lastComment} -d ${ip} -j ${KUBE_NODEPORTS}`)
    }
  }

  // Drop INVALID packets, which would otherwise reset connections (kubernetes#74839), unless conntrack is liberal.
  if (!cfg.conntrackTCPLiberal) {
    const nfacct = cfg.nfacct ? " -m nfacct --nfacct-name ct_state_invalid_dropped_pkts" : ""
    filterRules.push(`-A ${KUBE_FORWARD} -m conntrack --ctstate INVALID${nfacct} -j DROP`)
  }
  // Forward marked traffic even when the FORWARD policy is not ACCEPT, and the rest of its connection.
  filterRules.push(`-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`)
  filterRules.push(
    `-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  )

  const payload =
    "*filter\n" + joinLines(filterChains) + joinLines(filterRules) + "COMMIT\n*nat\n" + joinLines(natChains) + joinLines(natRules) + "COMMIT\n"
  return {
    payload,
    // Two table lines, two COMMITs, and the chains and rules.
    lines: 4 + filterChains.length + filterRules.length + natChains.length + natRules.length,
    filterRulesLast: filterRules.length,
    natRuleLines: natRules.length,
    skippedNatRules,
  }
}

const joinLines = (lines: ReadonlyArray<string>): string => (lines.length === 0 ? "" : lines.join("\n") + "\n")
