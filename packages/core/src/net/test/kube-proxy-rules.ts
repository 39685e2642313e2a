/**
 * Pieces of kube-proxy's iptables-restore payload (pkg/proxy/iptables/proxier.go `syncProxyRules`) shared by the
 * test fixtures that write such rules by hand (net's test cluster, apps' test support).
 */

/** The nat table's own chains, declared before any service's. */
export const NAT_BASE_CHAINS: ReadonlyArray<string> = [":KUBE-SERVICES - [0:0]", ":KUBE-POSTROUTING - [0:0]", ":KUBE-MARK-MASQ - [0:0]"]

/** The nat table's fixed rules: jumps from the built-in chains, KUBE-MARK-MASQ's mark, masquerade of marked traffic. */
export const NAT_BASE_RULES: ReadonlyArray<string> = [
  "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
  "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
  "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
  "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000",
  "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
  "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000",
  "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE",
]

/** proxier.go `computeProbability` (`%0.10f` of 1/rest): the match picking one of `rest` endpoints; none for the last. */
export const statisticMatch = (rest: number): string => (rest > 1 ? ` -m statistic --mode random --probability ${(1 / rest).toFixed(10)}` : "")

/** An endpoint chain's two rules: hairpin traffic from the endpoint itself is marked for masquerade, then DNAT. */
export const endpointChainRules = (chain: string, comment: string, ip: string, destination: string, proto: string): string[] => [
  `-A ${chain} -m comment --comment "${comment}" -s ${ip}/32 -j KUBE-MARK-MASQ`,
  `-A ${chain} -m comment --comment "${comment}" -m ${proto} -p ${proto} -j DNAT --to-destination ${destination}`,
]
