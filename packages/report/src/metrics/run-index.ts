import type {
  ActionRecord,
  DnsRecord,
  EndpointsRecord,
  PhaseRecord,
  RequestRecord,
  RunRecord,
  ServiceRecord,
} from "../records/schema"

/** One node's shares for one service port from one `rules` record: the data plane's real probabilities. */
export interface RulesShares {
  readonly t: number
  readonly shares: Readonly<Record<string, number>>
}

/**
 * A run's records sorted into the order every metric reads them in, so metrics do not depend on file order:
 * requests by (t, id); state records (service, endpoints, rules) by t, keeping file order among equal times
 * (the writer's order is the true order); actions, phases and DNS queries by time then content.
 */
export interface RunIndex {
  readonly requests: ReadonlyArray<RequestRecord>
  readonly dns: ReadonlyArray<DnsRecord>
  readonly actions: ReadonlyArray<ActionRecord>
  readonly phases: ReadonlyArray<PhaseRecord>
  /** service port → its `service` records in time order. */
  readonly services: ReadonlyMap<string, ReadonlyArray<ServiceRecord>>
  /** service port → its `endpoints` records in time order. */
  readonly endpoints: ReadonlyMap<string, ReadonlyArray<EndpointsRecord>>
  /** `node\u0000service port` → that node's shares for the service, in time order. */
  readonly rules: ReadonlyMap<string, ReadonlyArray<RulesShares>>
  /** From `run-end` if present, else the latest time seen. */
  readonly end: number
  readonly traceHash: string | null
}

export const rulesKey = (node: string, service: string): string => `${node}\u0000${service}`

const byTime = (a: { t: number }, b: { t: number }): number => a.t - b.t
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

export const indexRun = (records: ReadonlyArray<RunRecord>): RunIndex => {
  const requests: RequestRecord[] = []
  const dns: DnsRecord[] = []
  const actions: ActionRecord[] = []
  const phases: PhaseRecord[] = []
  const services = new Map<string, ServiceRecord[]>()
  const endpoints = new Map<string, EndpointsRecord[]>()
  const rules = new Map<string, RulesShares[]>()
  let end = 0
  let runEnd: number | null = null
  let traceHash: string | null = null
  for (const r of records) {
    if (r.t > end) end = r.t
    switch (r.kind) {
      case "request":
        requests.push(r)
        if (r.end !== null && r.end > end) end = r.end
        break
      case "dns":
        dns.push(r)
        break
      case "action":
        actions.push(r)
        break
      case "phase":
        phases.push(r)
        break
      case "service":
        push(services, r.service, r)
        break
      case "endpoints":
        push(endpoints, r.service, r)
        break
      case "rules":
        for (const service of Object.keys(r.shares)) push(rules, rulesKey(r.node, service), { t: r.t, shares: r.shares[service]! })
        break
      case "run-end":
        runEnd = r.t
        traceHash = r.traceHash
        break
      case "drop":
        break
    }
  }
  requests.sort((a, b) => a.t - b.t || a.id - b.id)
  dns.sort((a, b) => a.t - b.t || cmp(a.client, b.client) || a.lookup - b.lookup || cmp(a.name, b.name) || cmp(a.qtype, b.qtype))
  actions.sort((a, b) => a.t - b.t || cmp(a.actor, b.actor) || cmp(a.verb, b.verb) || cmp(a.object, b.object))
  phases.sort((a, b) => a.t - b.t || cmp(a.name, b.name))
  for (const list of services.values()) list.sort(byTime)
  for (const list of endpoints.values()) list.sort(byTime)
  for (const list of rules.values()) list.sort(byTime)
  return { requests, dns, actions, phases, services, endpoints, rules, end: runEnd ?? end, traceHash }
}

/** The last entry with `t ≤ at` in a time-sorted list (binary search), or undefined. */
export const latestAt = <T extends { readonly t: number }>(list: ReadonlyArray<T> | undefined, at: number): T | undefined => {
  if (list === undefined) return undefined
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]!.t <= at) lo = mid + 1
    else hi = mid
  }
  return lo === 0 ? undefined : list[lo - 1]
}
