import type { ResolvedIptablesConfig } from "../iptables/config"
import {
  CLUSTER_IPS_CHECK_CHAIN,
  CLUSTER_IPS_SET,
  FIREWALL_CHECK_CHAIN,
  FIREWALL_IPS_MAP,
  KUBE_PROXY_TABLE,
  MARK_MASQ_CHAIN,
  MASQUERADING_CHAIN,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  NODEPORT_ENDPOINTS_CHECK_CHAIN,
  NODEPORT_IPS_SET,
  REJECT_CHAIN,
  SERVICE_ENDPOINTS_CHECK_CHAIN,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  SERVICES_CHAIN,
} from "./names"

const P = `ip ${KUBE_PROXY_TABLE}`

/**
 * proxier.go nftablesBaseChains: filtering runs on pre-DNAT addresses (priority dstnat-10 = -110 at prerouting
 * and output) and at the input/forward/output filter hooks; nat at dstnat/srcnat.
 */
export const NFT_BASE_CHAINS: ReadonlyArray<readonly [name: string, type: "filter" | "nat", hook: string, priority: number]> = [
  ["filter-prerouting-pre-dnat", "filter", "prerouting", -110],
  ["filter-output-pre-dnat", "filter", "output", -110],
  ["filter-forward", "filter", "forward", 0],
  ["filter-input", "filter", "input", 0],
  ["filter-output", "filter", "output", 0],
  ["nat-output", "nat", "output", -100],
  ["nat-postrouting", "nat", "postrouting", 100],
  ["nat-prerouting", "nat", "prerouting", -100],
]

/** proxier.go nftablesJumpChains: `ct state new` checks before DNAT and at the filter hooks; services and masquerading. */
const JUMP_CHAINS: ReadonlyArray<readonly [dst: string, src: string, extra: string]> = [
  [NODEPORT_ENDPOINTS_CHECK_CHAIN, "filter-input", "ct state new"],
  [SERVICE_ENDPOINTS_CHECK_CHAIN, "filter-input", "ct state new"],
  [SERVICE_ENDPOINTS_CHECK_CHAIN, "filter-forward", "ct state new"],
  [SERVICE_ENDPOINTS_CHECK_CHAIN, "filter-output", "ct state new"],
  [FIREWALL_CHECK_CHAIN, "filter-prerouting-pre-dnat", "ct state new"],
  [FIREWALL_CHECK_CHAIN, "filter-output-pre-dnat", "ct state new"],
  [CLUSTER_IPS_CHECK_CHAIN, "filter-forward", "ct state new"],
  [CLUSTER_IPS_CHECK_CHAIN, "filter-output", "ct state new"],
  [SERVICES_CHAIN, "nat-output", ""],
  [SERVICES_CHAIN, "nat-prerouting", ""],
  [MASQUERADING_CHAIN, "nat-postrouting", ""],
]

/**
 * proxier.go setupNFTables, for a full sync: the table, its sets and maps (flushed, to be refilled), the base
 * chains and the fixed chains (flushed and rewritten), in the order upstream adds them.
 */
export const setupNFTables = (lines: string[], cfg: ResolvedIptablesConfig, serviceCIDRs: ReadonlyArray<string>): void => {
  const add = (l: string) => lines.push(l)
  add(`add table ${P} { comment "rules for kube-proxy" ; }`)
  const created = new Set<string>()
  const ensureChain = (chain: string, spec = "") => {
    if (created.has(chain)) return
    created.add(chain)
    add(`add chain ${P} ${chain}${spec}`)
    add(`flush chain ${P} ${chain}`)
  }
  for (const [name, type, hook, prio] of NFT_BASE_CHAINS) ensureChain(name, ` { type ${type} hook ${hook} priority ${prio} ; }`)
  for (const [dst, src, extra] of JUMP_CHAINS) {
    ensureChain(dst)
    add(`add rule ${P} ${src} ${extra === "" ? "" : `${extra} `}jump ${dst}`)
  }
  for (const chain of [SERVICES_CHAIN, MASQUERADING_CHAIN, MARK_MASQ_CHAIN]) ensureChain(chain)

  const mark = cfg.masqueradeMark
  add(`add rule ${P} ${MARK_MASQ_CHAIN} mark set mark or ${mark}`)
  add(`add rule ${P} ${MASQUERADING_CHAIN} mark and ${mark} == 0 return`)
  add(`add rule ${P} ${MASQUERADING_CHAIN} mark set mark xor ${mark}`)
  add(`add rule ${P} ${MASQUERADING_CHAIN} masquerade fully-random`)

  add(`add set ${P} ${CLUSTER_IPS_SET} { type ipv4_addr ; comment "Active ClusterIPs" ; }`)
  add(`flush set ${P} ${CLUSTER_IPS_SET}`)
  add(`add rule ${P} ${CLUSTER_IPS_CHECK_CHAIN} ip daddr @${CLUSTER_IPS_SET} reject comment "Reject traffic to invalid ports of ClusterIPs"`)
  if (serviceCIDRs.length > 0) {
    add(`add rule ${P} ${CLUSTER_IPS_CHECK_CHAIN} ip daddr { ${serviceCIDRs.join(" , ")} } drop comment "Drop traffic to unallocated ClusterIPs"`)
  }

  // nodeport-ips: only when --nodeport-addresses restricts NodePorts (add then delete so it is gone otherwise).
  add(`add set ${P} ${NODEPORT_IPS_SET} { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`)
  if (cfg.nodePortMatchAll) add(`delete set ${P} ${NODEPORT_IPS_SET}`)
  else {
    add(`flush set ${P} ${NODEPORT_IPS_SET}`)
    for (const ip of cfg.nodePortIPs) if (!ip.startsWith("127.")) add(`add element ${P} ${NODEPORT_IPS_SET} { ${ip} }`)
  }

  const maps: ReadonlyArray<readonly [string, string, string]> = [
    [NO_ENDPOINT_SERVICES_MAP, "ipv4_addr . inet_proto . inet_service", "vmap to drop or reject packets to services with no endpoints"],
    [NO_ENDPOINT_NODEPORTS_MAP, "inet_proto . inet_service", "vmap to drop or reject packets to service nodeports with no endpoints"],
    [FIREWALL_IPS_MAP, "ipv4_addr . inet_proto . inet_service", "destinations that are subject to LoadBalancerSourceRanges"],
    [SERVICE_IPS_MAP, "ipv4_addr . inet_proto . inet_service", "ClusterIP, ExternalIP and LoadBalancer IP traffic"],
    [SERVICE_NODEPORTS_MAP, "inet_proto . inet_service", "NodePort traffic"],
  ]
  for (const [name, type, comment] of maps) {
    add(`add map ${P} ${name} { type ${type} : verdict ; comment "${comment}" ; }`)
    add(`flush map ${P} ${name}`)
  }

  add(`add chain ${P} ${REJECT_CHAIN} { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`)
  add(`flush chain ${P} ${REJECT_CHAIN}`)
  add(`add rule ${P} ${REJECT_CHAIN} reject`)

  add(`add rule ${P} ${FIREWALL_CHECK_CHAIN} ip daddr . meta l4proto . th dport vmap @${FIREWALL_IPS_MAP}`)
  add(`add rule ${P} ${SERVICE_ENDPOINTS_CHECK_CHAIN} ip daddr . meta l4proto . th dport vmap @${NO_ENDPOINT_SERVICES_MAP}`)
  add(`add rule ${P} ${SERVICES_CHAIN} ip daddr . meta l4proto . th dport vmap @${SERVICE_IPS_MAP}`)
  if (cfg.nodePortMatchAll) {
    const local = "fib daddr type local ip daddr != 127.0.0.0/8"
    add(`add rule ${P} ${NODEPORT_ENDPOINTS_CHECK_CHAIN} ${local} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`)
    add(`add rule ${P} ${SERVICES_CHAIN} ${local} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`)
  } else {
    add(`add rule ${P} ${NODEPORT_ENDPOINTS_CHECK_CHAIN} ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`)
    add(`add rule ${P} ${SERVICES_CHAIN} ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`)
  }
}
