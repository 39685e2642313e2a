import { NAMESPACE, PORT_NAME, type ConformanceCluster } from "../cluster/conformance-cluster"
import { KernelPlane } from "../kernel/kernel-plane"
import { KernelTopology } from "../kernel/kernel-topology"
import { KubesimPlane, KubesimTrafficPlane } from "../kubesim/kubesim-plane"
import type { NodeRules, NodeRuleSource, RuleSourceFactory } from "../rules/node-rules"
import type { RequestOutcome } from "../traffic/request-outcome"
import type { TrafficPlane } from "../traffic/traffic-plane"

/**
 * One conformance session: the cluster twice — in real network namespaces and in kubesim's data plane — with
 * kube-proxy (kubesim's proxier) per node writing the same rules into both.
 */
export class ConformanceRun {
  private constructor(
    readonly kernel: KernelTopology,
    readonly kubesim: KubesimPlane,
    private cluster: ConformanceCluster,
    private readonly proxies: ReadonlyMap<string, NodeRuleSource>,
    /** Each node's first, full sync: what kubesim predicts from. */
    readonly initialRules: ReadonlyMap<string, NodeRules>,
    /** The real kernel first, then kubesim: every case runs its traffic on both. */
    readonly planes: readonly [TrafficPlane, TrafficPlane],
  ) {}

  static async start(cluster: ConformanceCluster, ruleSource: RuleSourceFactory, seed: number | string): Promise<ConformanceRun> {
    const proxies = new Map(cluster.topology.nodes.map((n) => [n.name, ruleSource(cluster, n.name)] as const))
    const initial = new Map([...proxies].map(([node, p]) => [node, p.sync(cluster)] as const))
    const kubesim = new KubesimPlane(cluster.topology, seed)
    const kernel = await KernelTopology.build(cluster.topology)
    return new ConformanceRun(kernel, kubesim, cluster, proxies, initial, [new KernelPlane(kernel), new KubesimTrafficPlane(kubesim)])
  }

  get state(): ConformanceCluster {
    return this.cluster
  }

  private loaded: Map<string, unknown> | undefined

  /**
   * Loads every node's first sync into both planes, once; returns what each node's load threw (nothing when
   * all went in). The restore case reports these; `ready()` makes every other case stop on them.
   */
  loadInitialRules(): ReadonlyMap<string, unknown> {
    if (this.loaded !== undefined) return this.loaded
    this.loaded = new Map()
    for (const [node, rules] of this.initialRules) {
      for (const plane of this.planes) {
        try {
          plane.load(node, rules)
        } catch (e) {
          if (!this.loaded.has(node)) this.loaded.set(node, e)
        }
      }
    }
    return this.loaded
  }

  /** Throws the first load error, if kubesim's rules did not go into both planes. */
  ready(): void {
    for (const [node, e] of this.loadInitialRules()) {
      throw new Error(`the rules for ${node} did not load: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  /** kubesim's nat/filter Ruleset of `node` (with the initial rules loaded). */
  ruleset(node: string) {
    this.ready()
    return this.kubesim.fabric.ruleset(node)
  }

  /**
   * Moves the cluster to `next`: every node's kube-proxy syncs once, the payload goes into both planes, then
   * the sync's UDP conntrack cleanup runs in both (proxier.go: RestoreAll, then conntrack.CleanStaleEntries).
   */
  update(next: ConformanceCluster): ReadonlyMap<string, NodeRules> {
    const written = this.updateRules(next)
    this.cleanConntrack(written)
    return written
  }

  /** `update` without the conntrack cleanup, for a case that looks at the rules' effect before it. */
  updateRules(next: ConformanceCluster): ReadonlyMap<string, NodeRules> {
    this.cluster = next
    const written = new Map<string, NodeRules>()
    for (const [node, proxy] of this.proxies) {
      const rules = proxy.sync(next)
      for (const plane of this.planes) plane.load(node, rules)
      written.set(node, rules)
    }
    return written
  }

  /** The UDP conntrack cleanup those syncs asked for, in both planes. */
  cleanConntrack(written: ReadonlyMap<string, NodeRules>): void {
    for (const [node, rules] of written) {
      if (rules.conntrack === undefined) continue
      for (const plane of this.planes) plane.cleanConntrack(node, rules.conntrack)
    }
  }

  /** Runs `leg` on the kernel, then on kubesim. */
  async onBoth<T>(leg: (plane: TrafficPlane) => Promise<T>): Promise<readonly [T, T]> {
    const kernel = await leg(this.planes[0])
    const kubesim = await leg(this.planes[1])
    return [kernel, kubesim]
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

/** Who answered a request: the pod, or the error. */
export const servedBy = (o: RequestOutcome): string => ("pod" in o ? o.pod : o.error)

/** The pods behind `service`'s EndpointSlice in `cluster`, in slice order. */
export const endpointPods = (cluster: ConformanceCluster, service: string): ReadonlyArray<string> => {
  const slice = cluster.endpointSlices.find((s) => s.metadata.labels["kubernetes.io/service-name"] === service)
  if (slice === undefined) throw new Error(`no EndpointSlice for service "${service}"`)
  return slice.endpoints.map((e) => cluster.topology.pods.find((p) => p.ip === e.addresses[0])!.name)
}
