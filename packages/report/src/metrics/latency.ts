import type { RequestRecord } from "../records/schema"
import { nearestRank } from "../stats/percentile"
import type { Latency } from "./report-types"

/** Nearest-rank latency percentiles of the successful requests (failed ones measure timeouts, not service). */
export const latencyOf = (requests: ReadonlyArray<RequestRecord>): Latency => {
  let n = 0
  for (const r of requests) if (r.outcome === "ok" && r.latency !== null) n++
  const values = new Float64Array(n)
  let i = 0
  for (const r of requests) if (r.outcome === "ok" && r.latency !== null) values[i++] = r.latency
  values.sort()
  return {
    count: n,
    p50: nearestRank(values, 0.5),
    p90: nearestRank(values, 0.9),
    p99: nearestRank(values, 0.99),
    max: nearestRank(values, 1),
  }
}
