import {
  IPSET_COMMENTS,
  IPSET_WITH_IPTABLES_CHAIN,
  IPVS_FILTER_CHAINS,
  IPVS_NAT_CHAINS,
  KUBE_CLUSTER_IP,
  KUBE_EXTERNAL_IP,
  KUBE_EXTERNAL_IP_LOCAL,
  KUBE_FORWARD,
  KUBE_HEALTH_CHECK_NODE_PORT,
  KUBE_IPVS_FILTER,
  KUBE_IPVS_IPS,
  KUBE_IPVS_OUT_FILTER,
  KUBE_LOAD_BALANCER,
  KUBE_LOAD_BALANCER_SET,
  KUBE_MARK_MASQ,
  KUBE_NODE_PORT,
  KUBE_POSTROUTING,
  KUBE_SERVICES,
  KUBE_SOURCE_RANGES_FIREWALL,
} from "./names"

/** What writeIptablesRules reads besides the sets' emptiness. */
export interface IpvsIptablesConfig {
  readonly masqueradeAll: boolean
  /** The ClusterCIDR local-traffic detector's CIDR; undefined: no detector. */
  readonly localDetectorCIDR: string | undefined
  readonly masqueradeMark: string
  readonly randomFully: boolean
}

/** An LB ingress ip:port/protocol the node may not reach (its IP is outside loadBalancerSourceRanges). */
export interface LbNoNodeAccess {
  readonly ip: string
  readonly protocol: string
  readonly port: number
}

const comment = (set: string): string => `"${IPSET_COMMENTS.get(set) ?? ""}"`

/**
 * The iptables-restore payload of pkg/proxy/ipvs/proxier.go syncProxyRules: the chain lines of
 * createAndLinkKubeChain, then writeIptablesRules (nat rules, filter rules), written natChains, natRules,
 * filterChains, filterRules. `nonEmpty(set)` says whether an ipset has entries after this sync.
 */
export const writeIpvsIptablesRules = (cfg: IpvsIptablesConfig, nonEmpty: (set: string) => boolean, lbNoNodeAccess: ReadonlyArray<LbNoNodeAccess>): string => {
  const nat: string[] = ["*nat", ...IPVS_NAT_CHAINS.map((c) => `:${c} - [0:0]`)]
  const filterChains: string[] = ["*filter", ...IPVS_FILTER_CHAINS.map((c) => `:${c} - [0:0]`)]
  const filter: string[] = []
  // Dismiss connects to localhost early in the service chain.
  nat.push(`-A ${KUBE_SERVICES} -s 127.0.0.0/8 -j RETURN`)
  for (const s of IPSET_WITH_IPTABLES_CHAIN) {
    if (!nonEmpty(s.set)) continue
    const proto = s.protocol === "" ? "" : ` -p ${s.protocol}`
    const line = `-A ${s.from}${proto} -m comment --comment ${comment(s.set)} -m set --match-set ${s.set} ${s.matchType} -j ${s.to}`
    ;(s.table === "filter" ? filter : nat).push(line)
  }
  if (nonEmpty(KUBE_CLUSTER_IP)) {
    const args = `-A ${KUBE_SERVICES} -m comment --comment ${comment(KUBE_CLUSTER_IP)} -m set --match-set ${KUBE_CLUSTER_IP}`
    if (cfg.masqueradeAll) nat.push(`${args} dst,dst -j ${KUBE_MARK_MASQ}`)
    else if (cfg.localDetectorCIDR !== undefined) nat.push(`${args} dst,dst ! -s ${cfg.localDetectorCIDR} -j ${KUBE_MARK_MASQ}`)
    // Without a detector: masquerade node-originated traffic whose source is a Service VIP (kube-ipvs0 holds them all).
    else nat.push(`${args} src,dst -j ${KUBE_MARK_MASQ}`)
  }
  // externalIPRules: traffic not from a bridge nor a local process, and traffic to external IPs that are local.
  const externalIPRules = (args: string): void => {
    nat.push(`${args} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`)
    nat.push(`${args} -m addrtype --dst-type LOCAL -j ACCEPT`)
  }
  if (nonEmpty(KUBE_EXTERNAL_IP)) {
    const args = `-A ${KUBE_SERVICES} -m comment --comment ${comment(KUBE_EXTERNAL_IP)} -m set --match-set ${KUBE_EXTERNAL_IP} dst,dst`
    nat.push(`${args} -j ${KUBE_MARK_MASQ}`)
    externalIPRules(args)
  }
  if (nonEmpty(KUBE_EXTERNAL_IP_LOCAL)) {
    externalIPRules(`-A ${KUBE_SERVICES} -m comment --comment ${comment(KUBE_EXTERNAL_IP_LOCAL)} -m set --match-set ${KUBE_EXTERNAL_IP_LOCAL} dst,dst`)
  }
  nat.push(`-A ${KUBE_SERVICES} -m addrtype --dst-type LOCAL -j ${KUBE_NODE_PORT}`)
  nat.push(`-A ${KUBE_LOAD_BALANCER} -j ${KUBE_MARK_MASQ}`)
  filter.push(`-A ${KUBE_SOURCE_RANGES_FIREWALL} -j DROP`)
  for (const e of lbNoNodeAccess) {
    filter.push(`-A ${KUBE_IPVS_OUT_FILTER} -s ${e.ip} -m ipvs --vaddr ${e.ip} --vproto ${e.protocol} --vport ${e.port} -j DROP`)
  }
  // acceptIPVSTraffic: the Service addresses are accepted at the end of KUBE-SERVICES.
  for (const set of [KUBE_CLUSTER_IP, KUBE_LOAD_BALANCER_SET]) {
    if (nonEmpty(set)) nat.push(`-A ${KUBE_SERVICES} -m set --match-set ${set} dst,dst -j ACCEPT`)
  }
  const mark = cfg.masqueradeMark
  filter.push(`-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`)
  filter.push(`-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`)
  filter.push(`-A ${KUBE_NODE_PORT} -m comment --comment ${comment(KUBE_HEALTH_CHECK_NODE_PORT)} -m set --match-set ${KUBE_HEALTH_CHECK_NODE_PORT} dst -j ACCEPT`)
  // KUBE-IPVS-FILTER: no other port of a Service address reaches the host (kubernetes/kubernetes#72236).
  filter.push(`-A ${KUBE_IPVS_FILTER} -m set --match-set ${KUBE_LOAD_BALANCER_SET} dst,dst -j RETURN`)
  filter.push(`-A ${KUBE_IPVS_FILTER} -m set --match-set ${KUBE_CLUSTER_IP} dst,dst -j RETURN`)
  filter.push(`-A ${KUBE_IPVS_FILTER} -m set --match-set ${KUBE_EXTERNAL_IP} dst,dst -j RETURN`)
  filter.push(`-A ${KUBE_IPVS_FILTER} -m set --match-set ${KUBE_EXTERNAL_IP_LOCAL} dst,dst -j RETURN`)
  filter.push(`-A ${KUBE_IPVS_FILTER} -m set --match-set ${KUBE_HEALTH_CHECK_NODE_PORT} dst -j RETURN`)
  filter.push(`-A ${KUBE_IPVS_FILTER} -m conntrack --ctstate NEW -m set --match-set ${KUBE_IPVS_IPS} dst -j REJECT`)
  nat.push(`-A ${KUBE_POSTROUTING} -m mark ! --mark ${mark}/${mark} -j RETURN`)
  nat.push(`-A ${KUBE_POSTROUTING} -j MARK --xor-mark ${mark}`)
  nat.push(`-A ${KUBE_POSTROUTING} -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${cfg.randomFully ? " --random-fully" : ""}`)
  nat.push(`-A ${KUBE_MARK_MASQ} -j MARK --or-mark ${mark}`)
  filter.push("COMMIT")
  nat.push("COMMIT")
  return `${nat.join("\n")}\n${filterChains.join("\n")}\n${filter.join("\n")}\n`
}
