import type { ConformanceCluster } from "../cluster/conformance-cluster"
import type { NodeRules, NodeRuleSource, RuleSourceFactory } from "../rules/node-rules"
import { IptablesProxier, type IptablesRuleSink, type JumpRule } from "./core-bridge"

/**
 * kube-proxy for one node, as kubesim's iptables proxier: `sync` diffs the cluster against the last state it
 * was given (adds/updates/deletes Services and EndpointSlices by name, like the informers), runs
 * syncProxyRules and returns what it wrote. The proxier's clock stands still (no FullSyncPeriod resyncs).
 */
class ProxierRuleSource implements NodeRuleSource {
  private readonly proxier: IptablesProxier
  private last: NodeRules | undefined
  private services = new Map<string, ConformanceCluster["services"][number]>()
  private slices = new Map<string, ConformanceCluster["endpointSlices"][number]>()
  private started = false

  constructor(
    cluster: ConformanceCluster,
    private readonly nodeName: string,
  ) {
    const node = cluster.topology.nodes.find((n) => n.name === nodeName)
    if (node === undefined) throw new Error(`no node "${nodeName}" in the cluster`)
    const sink: IptablesRuleSink = {
      restore: (payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined) => {
        this.last = { payload, jumpRules: jumpRules ?? [] }
      },
      // Called after the restore when a UDP port's endpoints changed: the cleanup belongs to this sync.
      cleanConntrack: (targets) => {
        if (this.last !== undefined) this.last = { ...this.last, conntrack: targets }
      },
    }
    this.proxier = new IptablesProxier(
      {
        nodeName,
        nodeIPs: [node.ip],
        clusterCIDR: cluster.clusterCidr,
        // The conformance machines' kernels lack nfacct (reference notes); iptables ≥ 1.6.2 has --random-fully.
        nfacct: false,
        randomFully: true,
        interfaceAddresses: ["127.0.0.1", node.ip],
      },
      { now: () => 0, sink },
    )
  }

  sync(cluster: ConformanceCluster): NodeRules {
    const key = (m: { namespace: string; name: string }) => `${m.namespace}/${m.name}`
    const nextServices = new Map(cluster.services.map((s) => [key(s.metadata), s]))
    const nextSlices = new Map(cluster.endpointSlices.map((s) => [key(s.metadata), s]))
    for (const [k, s] of nextServices) {
      const old = this.services.get(k)
      if (old === undefined) this.proxier.onServiceAdd(s)
      else if (old !== s) this.proxier.onServiceUpdate(old, s)
    }
    for (const [k, s] of this.services) if (!nextServices.has(k)) this.proxier.onServiceDelete(s)
    for (const [k, s] of nextSlices) {
      const old = this.slices.get(k)
      if (old === undefined) this.proxier.onEndpointSliceAdd(s)
      else if (old !== s) this.proxier.onEndpointSliceUpdate(old, s)
    }
    for (const [k, s] of this.slices) if (!nextSlices.has(k)) this.proxier.onEndpointSliceDelete(s)
    this.services = nextServices
    this.slices = nextSlices
    this.last = undefined
    if (!this.started) {
      this.started = true
      this.proxier.onServiceSynced()
      this.proxier.onEndpointSlicesSynced()
    } else {
      this.proxier.syncProxyRules()
    }
    const result = this.proxier.lastResult
    if (result !== undefined && !result.success) throw new Error(`kubesim proxier sync failed: ${result.error}`)
    if (this.last === undefined) throw new Error(`kubesim proxier on ${this.nodeName} wrote nothing`)
    return this.last
  }
}

/** kubesim's iptables proxier as the conformance suite's source of kube-proxy rules. */
export const kubesimRuleSource: RuleSourceFactory = (cluster, nodeName) => new ProxierRuleSource(cluster, nodeName)
