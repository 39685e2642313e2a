import type { ActionRecord, RequestRecord } from "../records/schema"
import type { ActionRef, ErrorWindow } from "./report-types"
import { causeOf, emptyByCause } from "./totals"

export interface ErrorWindowOptions {
  /** a failure issued within this long after a window's recovery reopens it (a flap is one incident) */
  readonly gap: number
  /** how far before a window's start an action may be and still be taken as its trigger */
  readonly lookback: number
}

const ref = (a: ActionRecord): ActionRef => ({ t: a.t, actor: a.actor, verb: a.verb, object: a.object })

/** Latest action with t ≤ at and t ≥ at − lookback, preferring the scenario's own actions over controllers'. */
const triggerOf = (actions: ReadonlyArray<ActionRecord>, at: number, lookback: number): ActionRecord | null => {
  let any: ActionRecord | null = null
  for (let i = actions.length - 1; i >= 0; i--) {
    const a = actions[i]!
    if (a.t > at) continue
    if (a.t < at - lookback) break
    if (a.actor === "scenario") return a
    if (any === null) any = a
  }
  return any
}

/** Index of the first request started at or after t (requests sorted by t). */
const firstAtOrAfter = (requests: ReadonlyArray<RequestRecord>, t: number): number => {
  let lo = 0
  let hi = requests.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (requests[mid]!.t < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

interface Span {
  readonly start: number
  lastFailure: number
  recoveredAt: number | null
}

/**
 * Error windows as an SRE reads an outage off request logs, by request *start* time only (a failure's client
 * timeout is how long the client waited, not how long the service was down): a window opens at the first failed
 * request and closes at the first successful request started after its last failure (`recoveredAt`). A failure
 * started before that success, or within `gap` after it, belongs to the same window (a flapping backend is one
 * incident). A window with no success after it is open to the run's end (`recoveredAt` null).
 * `timeToRecover` = recoveredAt − start: from the first failure a user saw, not from the churn action (an action can
 * precede its first failure by seconds, e.g. a killed pod's endpoints linger until the kubelet reports it).
 * `requests` and `actions` must be sorted by time (RunIndex order).
 */
export const errorWindows = (
  requests: ReadonlyArray<RequestRecord>,
  actions: ReadonlyArray<ActionRecord>,
  end: number,
  options: ErrorWindowOptions,
): ErrorWindow[] => {
  const spans: Span[] = []
  for (const r of requests) {
    const open = spans[spans.length - 1]
    if (r.outcome === "failed") {
      if (open !== undefined && (open.recoveredAt === null || r.t <= open.recoveredAt + options.gap)) {
        open.lastFailure = r.t
        open.recoveredAt = null
      } else spans.push({ start: r.t, lastFailure: r.t, recoveredAt: null })
    } else if (r.outcome === "ok" && open !== undefined && open.recoveredAt === null && r.t > open.lastFailure) open.recoveredAt = r.t
  }
  return spans.map((s) => {
    const stop = s.recoveredAt ?? Math.max(end, s.lastFailure)
    const byCause = emptyByCause()
    const services = new Map<string, number>()
    let failed = 0
    let issued = 0
    // Requests started in [start, stop): the window's own (its closing success is the first one after it).
    for (let i = firstAtOrAfter(requests, s.start); i < requests.length; i++) {
      const r = requests[i]!
      if (r.t >= stop && !(s.recoveredAt === null && r.t === stop)) break
      issued++
      if (r.outcome === "failed") {
        failed++
        byCause[causeOf(r)]++
        const service = r.service ?? "(none)"
        services.set(service, (services.get(service) ?? 0) + 1)
      }
    }
    const trigger = triggerOf(actions, s.start, options.lookback)
    const from = trigger?.t ?? s.start
    return {
      start: s.start,
      end: stop,
      duration: stop - s.start,
      failed,
      requests: issued,
      byCause,
      services: Object.fromEntries([...services.keys()].sort().map((k) => [k, services.get(k)!])),
      trigger: trigger === null ? null : ref(trigger),
      actions: actions.filter((a) => a.t >= from && a.t <= stop).map(ref),
      recoveredAt: s.recoveredAt,
      timeToRecover: s.recoveredAt === null ? null : s.recoveredAt - s.start,
      sinceTrigger: trigger === null ? null : s.start - trigger.t,
    }
  })
}
