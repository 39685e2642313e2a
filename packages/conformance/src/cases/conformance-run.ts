import { NAMESPACE, PORT_NAME, type ConformanceCluster } from "../cluster/conformance-cluster"
import { KernelTopology } from "../kernel/kernel-topology"
import { loadNodeRules } from "../kernel/load-node-rules"
import type { NodeRules, NodeRuleSource, RuleSourceFactory } from "../rules/node-rules"

/**
 * One conformance session: the cluster's topology in real namespaces, kube-proxy (kubesim's proxier) per node,
 * and the rules of the first (full) sync loaded into each node's kernel.
 */
export class ConformanceRun {
  private constructor(
    readonly kernel: KernelTopology,
    private cluster: ConformanceCluster,
    private readonly proxies: ReadonlyMap<string, NodeRuleSource>,
    /** Each node's first, full sync: what kubesim predicts from. */
    readonly initialRules: ReadonlyMap<string, NodeRules>,
  ) {}

  static async start(cluster: ConformanceCluster, ruleSource: RuleSourceFactory): Promise<ConformanceRun> {
    const proxies = new Map(cluster.topology.nodes.map((n) => [n.name, ruleSource(cluster, n.name)] as const))
    const initial = new Map([...proxies].map(([node, p]) => [node, p.sync(cluster)] as const))
    const kernel = await KernelTopology.build(cluster.topology)
    return new ConformanceRun(kernel, cluster, proxies, initial)
  }

  get state(): ConformanceCluster {
    return this.cluster
  }

  /** Loads `node`'s initial rules into its kernel (case 2); throws iptables' error if they are rejected. */
  loadInitialRules(node: string): void {
    const rules = this.initialRules.get(node)
    if (rules === undefined) throw new Error(`no node "${node}" in this run`)
    loadNodeRules(this.kernel, node, rules)
  }

  /** Moves the cluster to `next`: every node's kube-proxy syncs and its payload goes into the kernel. */
  update(next: ConformanceCluster): ReadonlyMap<string, NodeRules> {
    this.cluster = next
    const written = new Map<string, NodeRules>()
    for (const [node, proxy] of this.proxies) {
      const rules = proxy.sync(next)
      loadNodeRules(this.kernel, node, rules)
      written.set(node, rules)
    }
    return written
  }

  teardown(): void {
    this.kernel.teardown()
  }
}

/** The ServicePortName kube-proxy uses in comments: "<namespace>/<name>:<port name>". */
export const spnOf = (service: string): string => `${NAMESPACE}/${service}:${PORT_NAME}`

export const clusterIpOf = (cluster: ConformanceCluster, service: string): string => {
  const s = cluster.services.find((x) => x.metadata.name === service)
  if (s === undefined) throw new Error(`no service "${service}" in the cluster`)
  return s.spec.clusterIP
}
