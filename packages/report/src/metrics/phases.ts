import type { RequestRecord } from "../records/schema"
import type { PodSample } from "./distribution"
import { spreadOf } from "./distribution"
import type { ShareVector } from "./expected-shares"
import { latestAt } from "./run-index"
import type { RunIndex } from "./run-index"
import type { PhaseDistribution } from "./report-types"
import { stickinessOf } from "./stickiness"
import { requestTotals } from "./totals"

/**
 * The rows `keep` (ascending indices) of a sample, as a sample of their own. The decision flags are the whole
 * sample's: a keep-alive connection opened in one phase and reused in the next is not a new load-balancing
 * decision there. Vectors are renumbered to those the rows use, so the slice's `expectedFrom` is its own.
 */
export const subSample = (sample: PodSample, keep: ReadonlyArray<number>): PodSample => {
  const n = keep.length
  const t = new Float64Array(n)
  const endpoint = new Int32Array(n)
  const vector = new Int32Array(n)
  const decision = new Uint8Array(n)
  const renumber = new Int32Array(sample.vectors.length).fill(-1)
  const vectors: ShareVector[] = []
  for (let k = 0; k < n; k++) {
    const i = keep[k]!
    t[k] = sample.t[i]!
    endpoint[k] = sample.endpoint[i]!
    decision[k] = sample.decision[i]!
    const v = sample.vector[i]!
    if (v < 0) vector[k] = -1
    else {
      if (renumber[v] === -1) {
        renumber[v] = vectors.length
        vectors.push(sample.vectors[v]!)
      }
      vector[k] = renumber[v]!
    }
  }
  return { endpoints: sample.endpoints, pods: sample.pods, vectors, t, endpoint, vector, decision }
}

interface PhaseGroup {
  readonly phase: string | null
  readonly requests: RequestRecord[]
  /** indices into the service port's routed sample */
  readonly routed: number[]
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * A service port's distribution per phase label. `requests` are the service port's requests in (t, id) order
 * and `sample` their routed sample (built from the same list). Phases are ordered by when they began (their
 * earliest `phase` record, else their first request), the unlabelled group first among equals, then by name.
 */
export const phaseDistributions = (
  index: RunIndex,
  service: string,
  requests: ReadonlyArray<RequestRecord>,
  sample: PodSample,
): PhaseDistribution[] => {
  const groups = new Map<string | null, PhaseGroup>()
  let routed = 0
  for (const r of requests) {
    let group = groups.get(r.phase)
    if (group === undefined) groups.set(r.phase, (group = { phase: r.phase, requests: [], routed: [] }))
    group.requests.push(r)
    if (r.endpoint !== null) group.routed.push(routed++)
  }
  const began = new Map<string, number>()
  for (const p of index.phases) if (!began.has(p.name)) began.set(p.name, p.t)
  const order = (g: PhaseGroup): number => (g.phase === null ? undefined : began.get(g.phase)) ?? g.requests[0]!.t
  const sorted = [...groups.values()].sort(
    (a, b) => order(a) - order(b) || (a.phase === null ? -1 : b.phase === null ? 1 : cmp(a.phase, b.phase)),
  )
  return sorted.map((g) => {
    const spread = spreadOf(subSample(sample, g.routed), g.requests, false)
    const clients = stickinessOf(index, service, g.requests)
    let sticky = 0
    for (const c of clients) sticky += c.stickiness
    return {
      phase: g.phase,
      start: g.phase === null ? null : (began.get(g.phase) ?? null),
      sessionAffinity: latestAt(index.services.get(service), g.requests[g.requests.length - 1]!.t)?.sessionAffinity ?? null,
      requests: requestTotals(g.requests),
      routed: spread.routed,
      byPod: spread.byPod,
      byEndpoint: spread.byEndpoint,
      expectedFrom: spread.expectedFrom,
      endpoints: spread.endpoints,
      jain: spread.fairness.jain,
      chiSquare: spread.fairness.chiSquare,
      decisions: spread.fairness.decisions,
      unexpected: spread.fairness.unexpected,
      meanStickiness: clients.length === 0 ? null : sticky / clients.length,
      clients,
    }
  })
}
