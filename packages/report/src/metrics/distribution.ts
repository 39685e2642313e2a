import type { RequestRecord } from "../records/schema"
import type { ExpectedShares, ShareVector } from "./expected-shares"
import { fairness } from "./fairness"
import type { Fairness, RoutedSample } from "./fairness"
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

/** A routed sample with the pod name of each endpoint index (null if no record named it). */
export type PodSample = RoutedSample & { readonly pods: ReadonlyArray<string | null> }

/** Builds the columnar sample of a service port's routed requests (time-sorted) with their expected shares. */
export const routedSample = (
  index: RunIndex,
  service: string,
  requests: ReadonlyArray<RequestRecord>,
  expected: ExpectedShares,
): PodSample => {
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
    const vector = sharesAt(r)
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

/** Where a sample's expected shares came from: one source, both, or none known for some requests. */
const expectedSource = (sample: RoutedSample): ServiceReport["expectedFrom"] => {
  const sources = new Set(sample.vectors.map((v) => v.source))
  let unknown = false
  for (let i = 0; i < sample.vector.length; i++) if (sample.vector[i]! < 0) unknown = true
  return sources.size === 0 ? "none" : sources.size === 1 && !unknown ? [...sources][0]! : "mixed"
}

/** Observed against expected spread of a sample: what the whole-run and the per-phase reports share. */
export interface Spread {
  readonly fairness: Fairness
  readonly routed: number
  readonly byPod: Record<string, number>
  readonly byEndpoint: Record<string, number>
  readonly expectedFrom: ServiceReport["expectedFrom"]
  readonly endpoints: ReadonlyArray<EndpointRow>
}

/**
 * The spread of a sample whose routed requests are `requests` (those with an endpoint, in the sample's order).
 * `allEndpoints` keeps a row for every endpoint of the sample; otherwise only endpoints that received requests
 * or had an expected share are listed (a phase sees only the endpoints of its time).
 */
export const spreadOf = (
  sample: PodSample,
  requests: ReadonlyArray<RequestRecord>,
  allEndpoints: boolean,
): Spread => {
  const whole = fairness(sample, 0, sample.t.length)
  const byPod = new Map<string, number>()
  const byEndpoint = new Map<string, number>()
  for (const r of requests) {
    if (r.endpoint === null) continue
    bump(byEndpoint, r.endpoint)
    if (r.pod !== null) bump(byPod, r.pod)
  }
  let observedTotal = 0
  let expectedTotal = 0
  for (let e = 0; e < sample.endpoints.length; e++) {
    observedTotal += byEndpoint.get(sample.endpoints[e]!) ?? 0
    expectedTotal += whole.expected[e]!
  }
  const endpoints: EndpointRow[] = []
  sample.endpoints.forEach((endpoint, e) => {
    const requests = byEndpoint.get(endpoint) ?? 0
    if (!allEndpoints && requests === 0 && !(whole.expected[e]! > 0)) return
    endpoints.push({
      endpoint,
      pod: sample.pods[e]!,
      requests,
      share: observedTotal === 0 ? 0 : requests / observedTotal,
      expectedShare: expectedTotal === 0 ? 0 : whole.expected[e]! / expectedTotal,
      expected: whole.expected[e]!,
    })
  })
  return {
    fairness: whole,
    routed: sample.t.length,
    byPod: sortedRecord(byPod),
    byEndpoint: sortedRecord(byEndpoint),
    expectedFrom: expectedSource(sample),
    endpoints,
  }
}

/** The distribution part of a service port's report, from the sample of its routed requests. */
export const distributionOf = (
  index: RunIndex,
  requests: ReadonlyArray<RequestRecord>,
  sample: PodSample,
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
  const spread = spreadOf(sample, requests, true)
  const whole = spread.fairness
  return {
    routed: spread.routed,
    byPod: spread.byPod,
    byEndpoint: spread.byEndpoint,
    expectedFrom: spread.expectedFrom,
    endpoints: spread.endpoints,
    jain: whole.jain,
    cv: whole.cv,
    maxMinRatio: whole.maxMinRatio,
    entropy: whole.entropy,
    chiSquare: whole.chiSquare,
    decisions: whole.decisions,
    unexpected: whole.unexpected,
    idle: spread.endpoints.filter((row) => row.expected > 0 && row.requests === 0).map((row) => row.endpoint),
    windows: fairnessWindows(sample, index.end, windows),
  }
}
