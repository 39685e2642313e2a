import type { RequestRecord } from "../records/schema"
import { wilsonInterval } from "../stats/proportion"
import { failureCauses } from "./report-types"
import type { ByCause, FailureCause, RequestTotals } from "./report-types"

export const emptyByCause = (): Record<FailureCause, number> => ({
  refused: 0,
  reset: 0,
  timeout: 0,
  rejected: 0,
  dns: 0,
  unreachable: 0,
  other: 0,
})

/** A failed request's cause as one of the documented ones, `other` otherwise. */
export const causeOf = (r: RequestRecord): FailureCause => {
  const c = r.cause
  return c !== null && (failureCauses as ReadonlyArray<string>).includes(c) ? (c as FailureCause) : "other"
}

/** Counts requests by outcome and failed requests by cause. */
export const requestTotals = (requests: ReadonlyArray<RequestRecord>): RequestTotals => {
  const byCause: ByCause = emptyByCause()
  let ok = 0
  let failed = 0
  let inFlight = 0
  for (const r of requests) {
    if (r.outcome === "ok") ok++
    else if (r.outcome === "failed") {
      failed++
      byCause[causeOf(r)]++
    } else inFlight++
  }
  return { total: requests.length, byOutcome: { ok, failed, "in-flight": inFlight }, byCause, failedShare: wilsonInterval(failed, requests.length) }
}
