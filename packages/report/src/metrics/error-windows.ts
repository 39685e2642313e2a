import type { ActionRecord, RequestRecord } from "../records/schema"
import type { ActionRef, ErrorWindow } from "./report-types"
import { causeOf, emptyByCause } from "./totals"

export interface ErrorWindowOptions {
  /** failures closer than this (from one's end to the next's start) belong to one window */
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

/**
 * Error windows: maximal runs of failed requests (by issue time) where each failure starts within `gap` of the
 * previous ones' latest end; a window spans from its first failure's issue to its last failure's end. Each is
 * aligned with the churn action that preceded it and the first success after it.
 * `requests` and `actions` must be sorted by time (RunIndex order).
 */
export const errorWindows = (
  requests: ReadonlyArray<RequestRecord>,
  actions: ReadonlyArray<ActionRecord>,
  options: ErrorWindowOptions,
): ErrorWindow[] => {
  const spans: Array<{ first: number; last: number; start: number; end: number; lastIssue: number }> = []
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!
    if (r.outcome !== "failed") continue
    const end = r.end ?? r.t
    const open = spans[spans.length - 1]
    if (open !== undefined && r.t <= open.end + options.gap) {
      open.last = i
      open.lastIssue = r.t
      if (end > open.end) open.end = end
    } else spans.push({ first: i, last: i, start: r.t, end, lastIssue: r.t })
  }
  return spans.map((s) => {
    const byCause = emptyByCause()
    const services = new Map<string, number>()
    let failed = 0
    let issued = 0
    let recoveredAt: number | null = null
    for (let i = s.first; i < requests.length; i++) {
      const r = requests[i]!
      if (i > s.last) {
        if (r.t > s.end && recoveredAt !== null) break
        if (recoveredAt === null && r.outcome === "ok" && r.t > s.lastIssue) recoveredAt = r.t
        if (r.t > s.end) continue
      }
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
    const inWindow = actions.filter((a) => a.t >= from && a.t <= s.end).map(ref)
    return {
      start: s.start,
      end: s.end,
      duration: s.end - s.start,
      failed,
      requests: issued,
      byCause,
      services: Object.fromEntries([...services.keys()].sort().map((k) => [k, services.get(k)!])),
      trigger: trigger === null ? null : ref(trigger),
      actions: inWindow,
      recoveredAt,
      timeToRecover: recoveredAt === null ? null : recoveredAt - from,
    }
  })
}
