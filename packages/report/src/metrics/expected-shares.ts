import type { EndpointsRecord } from "../records/schema"
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
export const usableEndpoints = (record: EndpointsRecord): string[] => {
  const ready = record.endpoints.filter((e) => e.ready)
  const usable = ready.length > 0 ? ready : record.endpoints.filter((e) => e.serving && e.terminating)
  return usable.map((e) => e.endpoint).sort()
}

/**
 * Expected shares at a time: the deciding node's `rules` shares when it has synced the service (the data plane's
 * real probabilities), else uniform over the usable endpoints of the latest `endpoints` record, else none.
 * Vectors are built once per source record and shared, so callers may count requests per vector.
 */
export class ExpectedShares {
  private readonly cache = new Map<object, ShareVector | null>()
  constructor(private readonly index: RunIndex) {}

  at(service: string, node: string | null, t: number): ShareVector | null {
    if (node !== null) {
      const rules = latestAt(this.index.rules.get(rulesKey(node, service)), t)
      if (rules !== undefined) return this.fromRules(rules)
    }
    const endpoints = latestAt(this.index.endpoints.get(service), t)
    return endpoints === undefined ? null : this.fromEndpoints(endpoints)
  }

  /**
   * `at` for one service port over requests in time order: per-node cursors instead of a search per request,
   * so a run of 1e6 requests costs one pass. Times passed must not decrease.
   */
  resolver(service: string): (node: string | null, t: number) => ShareVector | null {
    const byNode = new Map<string, { list: ReadonlyArray<RulesShares> | undefined; next: number }>()
    const endpoints = this.index.endpoints.get(service) ?? []
    let nextEndpoints = 0
    return (node, t) => {
      if (node !== null) {
        let cursor = byNode.get(node)
        if (cursor === undefined) byNode.set(node, (cursor = { list: this.index.rules.get(rulesKey(node, service)), next: 0 }))
        const list = cursor.list
        if (list !== undefined) {
          while (cursor.next < list.length && list[cursor.next]!.t <= t) cursor.next++
          if (cursor.next > 0) return this.fromRules(list[cursor.next - 1]!)
        }
      }
      while (nextEndpoints < endpoints.length && endpoints[nextEndpoints]!.t <= t) nextEndpoints++
      return nextEndpoints === 0 ? null : this.fromEndpoints(endpoints[nextEndpoints - 1]!)
    }
  }

  private fromRules(rules: RulesShares): ShareVector | null {
    const cached = this.cache.get(rules)
    if (cached !== undefined) return cached
    const endpoints = Object.keys(rules.shares).filter((e) => rules.shares[e]! > 0).sort()
    let total = 0
    for (const e of endpoints) total += rules.shares[e]!
    const vector: ShareVector | null =
      endpoints.length === 0 ? null : { source: "rules", endpoints, shares: endpoints.map((e) => rules.shares[e]! / total) }
    this.cache.set(rules, vector)
    return vector
  }

  private fromEndpoints(record: EndpointsRecord): ShareVector | null {
    const cached = this.cache.get(record)
    if (cached !== undefined) return cached
    const endpoints = usableEndpoints(record)
    const vector: ShareVector | null =
      endpoints.length === 0 ? null : { source: "endpoints", endpoints, shares: endpoints.map(() => 1 / endpoints.length) }
    this.cache.set(record, vector)
    return vector
  }
}
