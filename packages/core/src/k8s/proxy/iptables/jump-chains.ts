import { KUBE_EXTERNAL_SERVICES, KUBE_FIREWALL, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_PROXY_FIREWALL, KUBE_SERVICES } from "./chain-names"

/**
 * A rule kube-proxy keeps at the top of a built-in chain with `iptables -I <chain>` if it is not there yet
 * (utiliptables EnsureRule(Prepend, …)); ensured on full syncs only. The node applies these with its netfilter.
 */
export interface JumpRule {
  readonly table: "filter" | "nat"
  /** The built-in chain (INPUT, FORWARD, OUTPUT, PREROUTING, POSTROUTING). */
  readonly srcChain: string
  /** The kube-proxy chain jumped to; ensured to exist (EnsureChain) before the rule. */
  readonly dstChain: string
  /** The rule's arguments after `-A <srcChain>`, as kube-proxy passes them (comment quoted). */
  readonly args: string
}

const NEW = "-m conntrack --ctstate NEW "
const jump = (table: "filter" | "nat", srcChain: string, dstChain: string, comment: string, extra: string): JumpRule => ({
  table,
  srcChain,
  dstChain,
  args: `${extra}${comment === "" ? "" : `-m comment --comment "${comment}" `}-j ${dstChain}`,
})

/** proxier.go iptablesJumpChains followed by iptablesKubeletJumpChains, in upstream's order. */
export const IPTABLES_JUMP_RULES: ReadonlyArray<JumpRule> = [
  jump("filter", "INPUT", KUBE_EXTERNAL_SERVICES, "kubernetes externally-visible service portals", NEW),
  jump("filter", "FORWARD", KUBE_EXTERNAL_SERVICES, "kubernetes externally-visible service portals", NEW),
  jump("filter", "INPUT", KUBE_NODEPORTS, "kubernetes health check service ports", ""),
  jump("filter", "FORWARD", KUBE_SERVICES, "kubernetes service portals", NEW),
  jump("filter", "OUTPUT", KUBE_SERVICES, "kubernetes service portals", NEW),
  jump("filter", "FORWARD", KUBE_FORWARD, "kubernetes forwarding rules", ""),
  jump("filter", "INPUT", KUBE_PROXY_FIREWALL, "kubernetes load balancer firewall", NEW),
  jump("filter", "OUTPUT", KUBE_PROXY_FIREWALL, "kubernetes load balancer firewall", NEW),
  jump("filter", "FORWARD", KUBE_PROXY_FIREWALL, "kubernetes load balancer firewall", NEW),
  jump("nat", "OUTPUT", KUBE_SERVICES, "kubernetes service portals", ""),
  jump("nat", "PREROUTING", KUBE_SERVICES, "kubernetes service portals", ""),
  jump("nat", "POSTROUTING", KUBE_POSTROUTING, "kubernetes postrouting rules", ""),
  jump("filter", "INPUT", KUBE_FIREWALL, "", ""),
  jump("filter", "OUTPUT", KUBE_FIREWALL, "", ""),
]
