import type { RunReport } from "../metrics/report-types"

/**
 * What a compared number is, which decides its interval: a `proportion` of requests (pooled over seeds, Wilson),
 * an `index` or other bounded or non-negative quantity (percentile bootstrap over seeds), or a `p-value` (no
 * interval: the share of seeds rejecting at 0.05 and Fisher's combined p).
 */
export type ScalarKind = "proportion" | "index" | "p-value"

/** One number a run is summarised by, for comparing variants; `scope` is `run` or a service port. */
export interface Scalar {
  readonly scope: string
  readonly name: string
  readonly kind: ScalarKind
  /** the range the quantity can take (a difference of two lies in [low − high, high − low]) */
  readonly bounds: readonly [number, number]
  readonly value: number | null
  /** for proportions: the counts behind the value (value = events / trials), so seeds can be pooled */
  readonly events?: number
  readonly trials?: number
}

const unit = [0, 1] as const
const nonNegative = [0, Infinity] as const

const mean = (xs: ReadonlyArray<number>): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)

const proportion = (scope: string, name: string, events: number, trials: number): Scalar => ({
  scope,
  name,
  kind: "proportion",
  bounds: unit,
  value: trials === 0 ? null : events / trials,
  events,
  trials,
})

/** The metrics compared across variants, in a fixed order (run-wide first, then each service port). */
export const runScalars = (report: RunReport): Scalar[] => {
  const out: Scalar[] = [
    proportion("run", "failedShare", report.requests.byOutcome.failed, report.requests.total),
    { scope: "run", name: "errorWindows", kind: "index", bounds: nonNegative, value: report.errorWindows.length },
    { scope: "run", name: "errorSeconds", kind: "index", bounds: nonNegative, value: report.errorWindows.reduce((a, w) => a + w.duration, 0) / 1e9 },
    {
      scope: "run",
      name: "maxTimeToRecoverSeconds",
      kind: "index",
      bounds: nonNegative,
      value: report.errorWindows.reduce<number | null>((a, w) => (w.timeToRecover === null ? a : Math.max(a ?? 0, w.timeToRecover / 1e9)), null),
    },
    { scope: "run", name: "dnsQueriesPerLookup", kind: "index", bounds: [1, Infinity], value: report.dns.queriesPerLookup },
  ]
  for (const s of report.services) {
    const scope = s.service
    out.push(
      proportion(scope, "failedShare", s.requests.byOutcome.failed, s.requests.total),
      { scope, name: "jain", kind: "index", bounds: unit, value: s.jain },
      { scope, name: "cv", kind: "index", bounds: nonNegative, value: s.cv },
      { scope, name: "chiSquarePValue", kind: "p-value", bounds: unit, value: s.chiSquare.pValue },
      { scope, name: "p50Ms", kind: "index", bounds: nonNegative, value: s.latency.p50 === null ? null : s.latency.p50 / 1e6 },
      { scope, name: "p99Ms", kind: "index", bounds: nonNegative, value: s.latency.p99 === null ? null : s.latency.p99 / 1e6 },
      { scope, name: "meanStickiness", kind: "index", bounds: unit, value: mean(s.clients.map((c) => c.stickiness)) },
      proportion(scope, "sourceIpPreserved", s.sourceIps.preserved, s.sourceIps.requests),
      { scope, name: "distinctSourceIps", kind: "index", bounds: nonNegative, value: s.sourceIps.requests === 0 ? null : s.sourceIps.distinct },
      { scope, name: "affinityViolations", kind: "index", bounds: nonNegative, value: s.clients.reduce((a, c) => a + c.violations, 0) },
    )
  }
  return out
}
