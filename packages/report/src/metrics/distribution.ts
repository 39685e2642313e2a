import type { RequestRecord } from "../records/schema"
import type { ExpectedShares, ShareVector } from "./expected-shares"
import { fairness } from "./fairness"
import type { RoutedSample } from "./fairness"
import type { RunIndex } from "./run-index"
import type { EndpointRow, FairnessWindow, ServiceReport } from "./report-types"

export interface WindowOptions {
  readonly width: number
  readonly step: number
}

const sortedRecord = (map: ReadonlyMap<string, number>): Record<string, number> =>
  Object.fromEntries([...map.keys()].sort().map((k) => [k, map.get(k)!]))

const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1)
}

/** Builds the columnar sample of a service port's routed requests (time-sorted) with their expected shares. */
export const routedSample = (
  index: RunIndex,
  service: string,
  requests: ReadonlyArray<RequestRecord>,
  expected: ExpectedShares,
): RoutedSample & { readonly pods: ReadonlyArray<string | null> } => {
  const routed = requests.filter((r) => r.endpoint !== null)
  const n = routed.length
  const vectors: ShareVector[] = []
  const vectorIndex = new Map<ShareVector, number>()
  const perRequestVector = new Int32Array(n)
  const names = new Set<string>()
  const decision = new Uint8Array(n)
  const times = new Float64Array(n)
  // Connection ids per client IP: the first request seen on a connection is the load-balancing decision.
  const seenConnections = new Map<string, Set<number>>()
  const sharesAt = expected.resolver(service)
  for (let i = 0; i < n; i++) {
    const r = routed[i]!
    times[i] = r.t
    names.add(r.endpoint!)
    const vector = sharesAt(r.node, r.t)
    if (vector === null) perRequestVector[i] = -1
    else {
      let v = vectorIndex.get(vector)
      if (v === undefined) {
        v = vectors.length
        vectors.push(vector)
        vectorIndex.set(vector, v)
        for (const e of vector.endpoints) names.add(e)
      }
      perRequestVector[i] = v
    }
    let connections = seenConnections.get(r.clientIp)
    if (connections === undefined) seenConnections.set(r.clientIp, (connections = new Set()))
    if (!connections.has(r.connection)) {
      connections.add(r.connection)
      decision[i] = 1
    }
  }
  const endpoints = [...names].sort()
  const at = new Map<string, number>()
  endpoints.forEach((e, i) => at.set(e, i))
  // Pod names per endpoint: the latest the endpoints records or requests gave (an IP may be reused later).
  const pods: Array<string | null> = endpoints.map(() => null)
  for (const record of index.endpoints.get(service) ?? []) for (const e of record.endpoints) {
    const i = at.get(e.endpoint)
    if (i !== undefined) pods[i] = e.pod
  }
  const endpointOf = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const r = routed[i]!
    const e = at.get(r.endpoint!)!
    endpointOf[i] = e
    if (r.pod !== null) pods[e] = r.pod
  }
  return {
    endpoints,
    vectors,
    t: times,
    endpoint: endpointOf,
    vector: perRequestVector,
    decision,
    pods,
  }
}

const lowerBound = (t: Float64Array, at: number): number => {
  let lo = 0
  let hi = t.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (t[mid]! < at) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Fairness over sliding windows [k·step, k·step + width) covering [0, end]. */
export const fairnessWindows = (sample: RoutedSample, end: number, options: WindowOptions): FairnessWindow[] => {
  const out: FairnessWindow[] = []
  for (let start = 0; start < Math.max(end, 1); start += options.step) {
    const stop = start + options.width
    const f = fairness(sample, lowerBound(sample.t, start), lowerBound(sample.t, stop))
    out.push({ start, end: stop, requests: f.requests, jain: f.jain, pValue: f.chiSquare.pValue })
    if (stop >= end) break
  }
  return out
}

/** The distribution part of a service port's report. */
export const distributionOf = (
  index: RunIndex,
  service: string,
  requests: ReadonlyArray<RequestRecord>,
  expected: ExpectedShares,
  windows: WindowOptions,
): Pick<
  ServiceReport,
  | "routed"
  | "byPod"
  | "byEndpoint"
  | "expectedFrom"
  | "endpoints"
  | "jain"
  | "cv"
  | "maxMinRatio"
  | "entropy"
  | "chiSquare"
  | "decisions"
  | "unexpected"
  | "idle"
  | "windows"
> => {
  const sample = routedSample(index, service, requests, expected)
  const whole = fairness(sample, 0, sample.t.length)
  const byPod = new Map<string, number>()
  const byEndpoint = new Map<string, number>()
  for (const r of requests) {
    if (r.endpoint === null) continue
    bump(byEndpoint, r.endpoint)
    if (r.pod !== null) bump(byPod, r.pod)
  }
  const sources = new Set(sample.vectors.map((v) => v.source))
  let unknown = false
  for (let i = 0; i < sample.vector.length; i++) if (sample.vector[i]! < 0) unknown = true
  const expectedFrom =
    sources.size === 0 ? "none" : sources.size === 1 && !unknown ? [...sources][0]! : "mixed"
  let observedTotal = 0
  let expectedTotal = 0
  for (let e = 0; e < sample.endpoints.length; e++) {
    observedTotal += byEndpoint.get(sample.endpoints[e]!) ?? 0
    expectedTotal += whole.expected[e]!
  }
  const endpoints: EndpointRow[] = sample.endpoints.map((endpoint, e) => ({
    endpoint,
    pod: sample.pods[e]!,
    requests: byEndpoint.get(endpoint) ?? 0,
    share: observedTotal === 0 ? 0 : (byEndpoint.get(endpoint) ?? 0) / observedTotal,
    expectedShare: expectedTotal === 0 ? 0 : whole.expected[e]! / expectedTotal,
    expected: whole.expected[e]!,
  }))
  return {
    routed: sample.t.length,
    byPod: sortedRecord(byPod),
    byEndpoint: sortedRecord(byEndpoint),
    expectedFrom,
    endpoints,
    jain: whole.jain,
    cv: whole.cv,
    maxMinRatio: whole.maxMinRatio,
    entropy: whole.entropy,
    chiSquare: whole.chiSquare,
    decisions: whole.decisions,
    unexpected: whole.unexpected,
    idle: endpoints.filter((row) => row.expected > 0 && row.requests === 0).map((row) => row.endpoint),
    windows: fairnessWindows(sample, index.end, windows),
  }
}
