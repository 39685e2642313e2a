import { chiSquareTest } from "../stats/chi-square"
import type { ChiSquare } from "../stats/chi-square"
import { coefficientOfVariation, maxMinRatio, normalisedEntropy } from "../stats/dispersion"
import { jainIndex } from "../stats/jain"
import type { ShareVector } from "./expected-shares"

/**
 * A service port's routed requests in columnar form (sorted by time): endpoint index, expected-share vector
 * index (−1: none known) and whether the request opened its connection (a load-balancing decision).
 */
export interface RoutedSample {
  readonly endpoints: ReadonlyArray<string>
  readonly vectors: ReadonlyArray<ShareVector>
  readonly t: Float64Array
  readonly endpoint: Int32Array
  readonly vector: Int32Array
  readonly decision: Uint8Array
}

/** Fairness of one slice [from, to) of a sample. */
export interface Fairness {
  readonly requests: number
  /** requests per endpoint index */
  readonly observed: Float64Array
  /** expected requests per endpoint index (Σ over requests of the share in force when each was routed) */
  readonly expected: Float64Array
  readonly jain: number | null
  readonly cv: number | null
  readonly maxMinRatio: number | null
  readonly entropy: number | null
  readonly chiSquare: ChiSquare
  /** load-balancing decisions (first request of each connection) the chi-square test counted */
  readonly decisions: number
  /** requests routed to an endpoint that had no expected share when they were routed */
  readonly unexpected: number
}

const addVector = (into: Float64Array, sample: RoutedSample, v: number, weight: number, index: ReadonlyMap<string, number>): void => {
  const vector = sample.vectors[v]!
  for (let k = 0; k < vector.endpoints.length; k++) into[index.get(vector.endpoints[k]!)!]! += weight * vector.shares[k]!
}

/**
 * Requests-per-endpoint fairness over the requests with index in [from, to). The allocation compared is
 * observed/expected per endpoint over the endpoints with an expected share (Jain's normalised throughput), so
 * an endpoint that existed for half the time is not "unfair" for getting half the traffic. The chi-square test
 * counts decisions only (keep-alive requests reuse their connection's backend and are not independent draws).
 * Requests with no known expected share count as if the share were uniform over the endpoints seen.
 */
export const fairness = (sample: RoutedSample, from: number, to: number): Fairness => {
  const n = sample.endpoints.length
  const index = new Map<string, number>()
  sample.endpoints.forEach((e, i) => index.set(e, i))
  const observed = new Float64Array(n)
  const expected = new Float64Array(n)
  const decided = new Float64Array(n)
  const decidedExpected = new Float64Array(n)
  const perVector = new Float64Array(sample.vectors.length)
  const perVectorDecisions = new Float64Array(sample.vectors.length)
  let unknown = 0
  let unknownDecisions = 0
  const seen = new Uint8Array(n)
  let unexpected = 0
  let decisions = 0
  for (let i = from; i < to; i++) {
    const e = sample.endpoint[i]!
    const v = sample.vector[i]!
    seen[e] = 1
    if (v >= 0 && !sample.vectors[v]!.endpoints.includes(sample.endpoints[e]!)) {
      unexpected++
      continue
    }
    observed[e]!++
    if (v < 0) unknown++
    else perVector[v]!++
    if (sample.decision[i] === 1) {
      decided[e]!++
      decisions++
      if (v < 0) unknownDecisions++
      else perVectorDecisions[v]!++
    }
  }
  for (let v = 0; v < perVector.length; v++) {
    if (perVector[v]! > 0) addVector(expected, sample, v, perVector[v]!, index)
    if (perVectorDecisions[v]! > 0) addVector(decidedExpected, sample, v, perVectorDecisions[v]!, index)
  }
  if (unknown > 0) {
    let k = 0
    for (let e = 0; e < n; e++) k += seen[e]!
    for (let e = 0; e < n; e++) {
      if (seen[e] === 1) {
        expected[e]! += unknown / k
        decidedExpected[e]! += unknownDecisions / k
      }
    }
  }
  const ratios: number[] = []
  const obs: number[] = []
  const exp: number[] = []
  for (let e = 0; e < n; e++) {
    if (expected[e]! > 0) ratios.push(observed[e]! / expected[e]!)
    if (decidedExpected[e]! > 0) {
      obs.push(decided[e]!)
      exp.push(decidedExpected[e]!)
    }
  }
  return {
    requests: to - from,
    observed,
    expected,
    jain: jainIndex(ratios),
    cv: coefficientOfVariation(ratios),
    maxMinRatio: maxMinRatio(ratios),
    entropy: normalisedEntropy(ratios),
    chiSquare: chiSquareTest(obs, exp),
    decisions,
    unexpected,
  }
}
