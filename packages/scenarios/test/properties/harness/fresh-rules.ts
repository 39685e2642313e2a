import { type cluster, net, nodeProxy, proxy } from "@kubesim/core"

/**
 * The node's ruleset with everything kube-proxy owns taken out (every KUBE-* chain and every rule jumping to
 * one), as the node was before kube-proxy first started: the base a freshly started kube-proxy writes onto.
 */
const withoutKubeProxy = (rs: net.Ruleset): net.Ruleset => {
  const kept = net
    .renderSave(rs)
    .split("\n")
    .filter((l) => !/^:KUBE-/.test(l) && !/^-A KUBE-/.test(l) && !/ -j KUBE-/.test(l))
    .join("\n")
  return net.parseSave(kept)
}

/**
 * What a freshly started kube-proxy writes on `node` for the API state now: a new iptables proxier with the
 * node's own configuration, fed the store's Services and EndpointSlices as its informers' initial lists, whose
 * first (full) sync lands on the node's ruleset stripped of kube-proxy's rules. Returned as iptables-save text
 * (no counters), to compare with `iptables-save` of the live node.
 */
export const freshKubeProxyRules = (c: cluster.Cluster, node: cluster.ClusterNode): string => {
  const base = withoutKubeProxy(node.ruleset)
  const sink = new nodeProxy.NodeRuleset(node.host, base)
  const live = node.proxy.options
  const p = new proxy.IptablesProxier(
    { nodeName: live.nodeName, nodeIPs: live.nodeIPs, clusterCIDR: live.clusterCIDR, nfacct: false, ...(live.syncPeriod !== undefined ? { syncPeriod: live.syncPeriod } : {}) },
    { now: () => c.sim.now, sink: { restore: (payload, jumps) => sink.apply(payload, jumps), natChains: () => sink.natChains() } },
  )
  for (const s of c.store.list("Service")) p.onServiceAdd(s)
  for (const s of c.store.list("EndpointSlice")) p.onEndpointSliceAdd(s)
  p.onServiceSynced()
  p.onEndpointSlicesSynced()
  return net.renderSave(base)
}

/** Lines only in `a` (prefixed `-`) and only in `b` (`+`), in order: a short diff for a failure message. */
export const lineDiff = (a: string, b: string, limit = 12): string[] => {
  const inA = new Set(a.split("\n"))
  const inB = new Set(b.split("\n"))
  const out = [...[...inA].filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...[...inB].filter((l) => !inA.has(l)).map((l) => `+ ${l}`)]
  return out.length > limit ? [...out.slice(0, limit), `… ${out.length - limit} more`] : out
}
