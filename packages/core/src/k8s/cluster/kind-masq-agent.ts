import { applyRestore, type Ruleset, type TableShareCache } from "../../net/index"

/**
 * kind's CNI daemon (kindnetd) keeps pod traffic to anything outside the cluster's pod network masqueraded to
 * the node's address (kubernetes-sigs/kind images/kindnetd/cmd/kindnetd/masq.go `SyncRules`, noMasqueradeCIDRs =
 * `POD_SUBNET`): a `KIND-MASQ-AGENT` nat chain that RETURNs for the pod subnet and MASQUERADEs the rest, jumped to
 * from POSTROUTING for every non-LOCAL destination. Without it a pod's datagram to a host on the nodes' network
 * (CoreDNS forwarding to the upstream resolver) leaves with the pod's source address, which nothing outside the
 * cluster routes back to. The rules are what `iptables-save -t nat` shows on a kind node (go-iptables
 * AppendUnique; kube-proxy's `-I POSTROUTING -j KUBE-POSTROUTING` lands before them).
 */
export const kindMasqAgentPayload = (podSubnet: string): string =>
  [
    "*nat",
    ":KIND-MASQ-AGENT - [0:0]",
    '-A POSTROUTING -m addrtype ! --dst-type LOCAL -m comment --comment "kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain" -j KIND-MASQ-AGENT',
    `-A KIND-MASQ-AGENT -d ${podSubnet} -m comment --comment "kind-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN`,
    '-A KIND-MASQ-AGENT -m comment --comment "kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)" -j MASQUERADE',
    "COMMIT",
    "",
  ].join("\n")

/**
 * Writes kindnetd's masquerade rules into a node's ruleset (as its first sync does when the node comes up). With
 * the cluster's `tableCache` every node's nat table starts as one shared table (and kube-proxy's restores onto it
 * are then shared as long as the nodes are in step).
 */
export const installKindMasqAgent = (ruleset: Ruleset, podSubnet: string, tableCache?: TableShareCache): void => {
  applyRestore(ruleset, kindMasqAgentPayload(podSubnet), { noflush: true, ...(tableCache !== undefined ? { tableCache } : {}) })
}
