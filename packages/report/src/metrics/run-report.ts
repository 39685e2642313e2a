import type { RequestRecord } from "../records/schema"
import type { Run } from "../records/run"
import { dnsReport } from "./dns"
import { distributionOf, routedSample } from "./distribution"
import type { WindowOptions } from "./distribution"
import { errorWindows } from "./error-windows"
import { ExpectedShares } from "./expected-shares"
import { latencyOf } from "./latency"
import { phaseDistributions } from "./phases"
import { indexRun, latestAt } from "./run-index"
import type { ActionRef, RunReport, ServiceReport } from "./report-types"
import { sourceIpsOf } from "./source-ips"
import { stickinessOf } from "./stickiness"
import { requestTotals } from "./totals"

const SECOND = 1_000_000_000

export interface RunReportOptions {
  /** sliding fairness windows; default width = run length / 10 rounded up to whole seconds (≥ 1 s), step = width / 2 */
  readonly window?: WindowOptions
  /** a failure started within this long after an error window's recovery reopens it (default 1 s) */
  readonly errorGap?: number
  /** how long before an error window an action may be and still be its trigger (default 60 s) */
  readonly triggerLookback?: number
}

// Verbs that disturb serving endpoints; with every scenario action they are the churn marked on timelines.
const churnVerbs = new Set(["delete", "kill", "terminate", "not-ready", "evict", "fail-node", "recover-node", "rollout", "scale"])

export const defaultWindow = (end: number): WindowOptions => {
  const width = Math.max(1, Math.ceil(end / 10 / SECOND)) * SECOND
  return { width, step: width / 2 }
}

const timelineOf = (requests: ReadonlyArray<RequestRecord>, end: number, step: number): RunReport["timeline"] => {
  const n = Math.max(1, Math.ceil(end / step))
  const issued = new Array<number>(n).fill(0)
  const failed = new Array<number>(n).fill(0)
  for (const r of requests) {
    const i = Math.min(n - 1, Math.floor(r.t / step))
    issued[i]!++
    if (r.outcome === "failed") failed[i]!++
  }
  return issued.map((requests, i) => ({ start: i * step, requests, failed: failed[i]! }))
}

/** Every metric of one run, from its records alone. */
export const buildRunReport = (run: Run, options: RunReportOptions = {}): RunReport => {
  const index = indexRun(run.records)
  const window = options.window ?? defaultWindow(index.end)
  if (!(window.width > 0 && window.step > 0)) throw new Error(`report window width and step must be > 0, got ${window.width} and ${window.step}`)
  const expected = new ExpectedShares(index)
  const byService = new Map<string, RequestRecord[]>()
  for (const r of index.requests) {
    if (r.service === null) continue
    const list = byService.get(r.service)
    if (list === undefined) byService.set(r.service, [r])
    else list.push(r)
  }
  const services: ServiceReport[] = [...byService.keys()].sort().map((service) => {
    const requests = byService.get(service)!
    const config = latestAt(index.services.get(service), index.end)
    const sample = routedSample(index, service, requests, expected)
    return {
      service,
      sessionAffinity: config?.sessionAffinity ?? null,
      requests: requestTotals(requests),
      ...distributionOf(index, requests, sample, window),
      latency: latencyOf(requests),
      sourceIps: sourceIpsOf(requests),
      clients: stickinessOf(index, service, requests),
      phases: phaseDistributions(index, service, requests, sample),
    }
  })
  const churn: ActionRef[] = index.actions
    .filter((a) => a.actor === "scenario" || churnVerbs.has(a.verb))
    .map((a) => ({ t: a.t, actor: a.actor, verb: a.verb, object: a.object }))
  return {
    meta: { scenario: run.meta.scenario, variant: run.meta.variant, seed: run.meta.seed, traceHash: run.meta.traceHash },
    end: index.end,
    window: { width: window.width, step: window.step },
    requests: requestTotals(index.requests),
    services,
    timeline: timelineOf(index.requests, index.end, window.step),
    errorWindows: errorWindows(index.requests, index.actions, index.end, {
      gap: options.errorGap ?? SECOND,
      lookback: options.triggerLookback ?? 60 * SECOND,
    }),
    churn,
    phases: index.phases.map((p) => ({ name: p.name, t: p.t })),
    dns: dnsReport(index.dns),
  }
}
