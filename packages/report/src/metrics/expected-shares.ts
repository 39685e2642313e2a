import type { EndpointsRecord, ServiceRecord } from "../records/schema"
import { latestAt, rulesKey } from "./run-index"
import type { RulesShares, RunIndex } from "./run-index"

/** Where an expected share came from. */
export type ShareSource = "rules" | "endpoints"

/** The probability each endpoint (`ip:port`, sorted) had of being chosen for one new connection. */
export interface ShareVector {
  readonly source: ShareSource
  readonly endpoints: ReadonlyArray<string>
  readonly shares: ReadonlyArray<number>
}

/**
 * The endpoints kube-proxy load-balances over: the ready ones, or if none is ready the serving-terminating ones
 * (pkg/proxy/topology.go, CategorizeEndpoints: fallback to serving+terminating when no endpoint is ready).
 */
export const usableEndpoints = (record: EndpointsRecord, node?: string): string[] => {
  const candidates = node === undefined ? record.endpoints : record.endpoints.filter((e) => e.node === node)
  const ready = candidates.filter((e) => e.ready)
  const usable = ready.length > 0 ? ready : candidates.filter((e) => e.serving && e.terminating)
  return usable.map((e) => e.endpoint).sort()
}

/**
 * How a request entered the Service: its ClusterIP, a node's NodePort, or from outside through a load-balancer
 * ingress (or external) IP. kube-proxy applies `externalTrafficPolicy` to the last two only (pkg/proxy/iptables
 * proxier.go: KUBE-EXT-… chains jump to the local endpoints, KUBE-SVL-…, when the policy is Local).
 */
export type EntryPath = "cluster-ip" | "node-port" | "load-balancer"

// The ClusterIP destination and NodePort suffix of a service record, built once per record (not per request).
const addresses = new WeakMap<ServiceRecord, { readonly cluster: string; readonly nodePort: string | null }>()

export const entryPathOf = (service: ServiceRecord | undefined, dst: string): EntryPath => {
  if (service === undefined) return "cluster-ip"
  let a = addresses.get(service)
  if (a === undefined) addresses.set(service, (a = { cluster: `${service.clusterIP}:${service.port}`, nodePort: service.nodePort === null ? null : `:${service.nodePort}` }))
  if (dst === a.cluster) return "cluster-ip"
  if (a.nodePort !== null && dst.endsWith(a.nodePort)) return "node-port"
  return service.type === "LoadBalancer" || service.type === "NodePort" ? "load-balancer" : "cluster-ip"
}

/** What a share vector depends on besides the time: the routing node (null if unknown) and the destination. */
export interface RouteKey {
  readonly node: string | null
  readonly t: number
  readonly dst: string
}

/**
 * Expected shares of a request, by how it entered the Service:
 * - ClusterIP, and external entries under `externalTrafficPolicy: Cluster`: the deciding node's `rules` shares
 *   when it has synced the service (the data plane's real probabilities), else uniform over the usable endpoints
 *   of the latest `endpoints` record, else none. A load-balanced request names no node (the cloud LB picked
 *   one): the mean of the nodes' rules shares (the LB spreads flows evenly over healthy nodes; under Cluster all
 *   up nodes are healthy).
 * - NodePort under `Local`: uniform over the addressed node's usable local endpoints (ready, else
 *   serving-terminating: CategorizeEndpoints' local set); none if it has none — such a request is dropped by
 *   design (KUBE-EXT-… has no endpoint), so it is not expected anywhere.
 * - Load balancer under `Local`: the LB spreads flows evenly over the nodes passing its health check, the nodes
 *   with a ready local endpoint (pkg/proxy/healthcheck service_health.go answers 503 without one), and each
 *   node over its own endpoints: share = 1/(healthy nodes) × 1/(that node's usable local endpoints). The LB's
 *   health-check lag (seconds) is not modelled here: right after a node gains or loses its last pod, traffic
 *   lands where this does not expect it.
 * Vectors are built once per source record (and node, for local sets) and shared, so callers may count
 * requests per vector.
 */
export class ExpectedShares {
  private readonly cache = new Map<object, ShareVector | null>()
  private readonly localCache = new Map<object, Map<string, ShareVector | null>>()
  constructor(private readonly index: RunIndex) {}

  /**
   * Expected shares per request of one service port over requests in time order: per-node cursors instead of a
   * search per request, so a run of 1e6 requests costs one pass. Times passed must not decrease.
   */
  resolver(service: string): (route: RouteKey) => ShareVector | null {
    const byNode = new Map<string, { list: ReadonlyArray<RulesShares> | undefined; next: number }>()
    const endpoints = this.index.endpoints.get(service) ?? []
    const serviceRecords = this.index.services.get(service)
    let nextEndpoints = 0
    let current: EndpointsRecord | undefined
    const rulesOf = (node: string, t: number): RulesShares | undefined => {
      let cursor = byNode.get(node)
      if (cursor === undefined) byNode.set(node, (cursor = { list: this.index.rules.get(rulesKey(node, service)), next: 0 }))
      const list = cursor.list
      if (list === undefined) return undefined
      while (cursor.next < list.length && list[cursor.next]!.t <= t) cursor.next++
      return cursor.next > 0 ? list[cursor.next - 1] : undefined
    }
    const ruleNodes = [...this.index.rules.keys()].filter((k) => k.endsWith(`\u0000${service}`)).map((k) => k.slice(0, k.indexOf("\u0000"))).sort()
    return ({ node, t, dst }) => {
      while (nextEndpoints < endpoints.length && endpoints[nextEndpoints]!.t <= t) current = endpoints[nextEndpoints++]
      const config = latestAt(serviceRecords, t)
      const path = entryPathOf(config, dst)
      const local = path !== "cluster-ip" && config?.externalTrafficPolicy === "Local"
      if (local) {
        if (current === undefined) return null
        return path === "node-port" ? (node === null ? null : this.localTo(current, node)) : this.acrossHealthyNodes(current)
      }
      if (node === null && path === "load-balancer") {
        const rules = ruleNodes.flatMap((n) => rulesOf(n, t) ?? [])
        if (rules.length > 0) return this.meanOfRules(rules)
      }
      if (node !== null) {
        const rules = rulesOf(node, t)
        if (rules !== undefined) return this.fromRules(rules)
      }
      return current === undefined ? null : this.fromEndpoints(current)
    }
  }

  private fromRules(rules: RulesShares): ShareVector | null {
    const cached = this.cache.get(rules)
    if (cached !== undefined) return cached
    const vector = this.vector("rules", Object.keys(rules.shares).map((e) => [e, rules.shares[e]!]))
    this.cache.set(rules, vector)
    return vector
  }

  // One vector per distinct list of rules records (the records are shared objects, so identity is a fine key).
  private readonly meanCache = new Map<string, { records: ReadonlyArray<RulesShares>; vector: ShareVector | null }[]>()
  private meanOfRules(records: ReadonlyArray<RulesShares>): ShareVector | null {
    if (records.length === 1) return this.fromRules(records[0]!)
    const key = records.map((r) => r.t).join(",")
    const bucket = this.meanCache.get(key) ?? []
    const hit = bucket.find((b) => b.records.length === records.length && b.records.every((r, i) => r === records[i]))
    if (hit !== undefined) return hit.vector
    const sum = new Map<string, number>()
    for (const r of records) {
      const vector = this.fromRules(r)
      if (vector === null) continue
      vector.endpoints.forEach((e, i) => sum.set(e, (sum.get(e) ?? 0) + vector.shares[i]!))
    }
    const vector = this.vector("rules", [...sum])
    bucket.push({ records: [...records], vector })
    this.meanCache.set(key, bucket)
    return vector
  }

  private fromEndpoints(record: EndpointsRecord): ShareVector | null {
    const cached = this.cache.get(record)
    if (cached !== undefined) return cached
    const vector = this.vector("endpoints", usableEndpoints(record).map((e) => [e, 1]))
    this.cache.set(record, vector)
    return vector
  }

  private localTo(record: EndpointsRecord, node: string): ShareVector | null {
    return this.cachedLocal(record, `node ${node}`, () => this.vector("endpoints", usableEndpoints(record, node).map((e) => [e, 1])))
  }

  private acrossHealthyNodes(record: EndpointsRecord): ShareVector | null {
    return this.cachedLocal(record, "lb", () => {
      const healthy = [...new Set(record.endpoints.filter((e) => e.ready).map((e) => e.node))].sort()
      const weights: Array<[string, number]> = []
      for (const n of healthy) {
        const local = usableEndpoints(record, n)
        for (const e of local) weights.push([e, 1 / healthy.length / local.length])
      }
      return this.vector("endpoints", weights)
    })
  }

  private cachedLocal(record: EndpointsRecord, key: string, build: () => ShareVector | null): ShareVector | null {
    let byKey = this.localCache.get(record)
    if (byKey === undefined) this.localCache.set(record, (byKey = new Map()))
    if (byKey.has(key)) return byKey.get(key)!
    const vector = build()
    byKey.set(key, vector)
    return vector
  }

  /** Normalised over the entries with weight > 0, endpoints sorted; null if none. */
  private vector(source: ShareSource, weights: ReadonlyArray<readonly [string, number]>): ShareVector | null {
    const positive = weights.filter(([, w]) => w > 0).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    let total = 0
    for (const [, w] of positive) total += w
    return positive.length === 0 ? null : { source, endpoints: positive.map(([e]) => e), shares: positive.map(([, w]) => w / total) }
  }
}
