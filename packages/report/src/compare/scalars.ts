import type { RunReport } from "../metrics/report-types"

/** One number a run is summarised by, for comparing variants; `scope` is `run` or a service port. */
export interface Scalar {
  readonly scope: string
  readonly name: string
  readonly value: number | null
}

const mean = (xs: ReadonlyArray<number>): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)

/** The metrics compared across variants, in a fixed order (run-wide first, then each service port). */
export const runScalars = (report: RunReport): Scalar[] => {
  const total = report.requests.total
  const out: Scalar[] = [
    { scope: "run", name: "failedShare", value: total === 0 ? null : report.requests.byOutcome.failed / total },
    { scope: "run", name: "errorWindows", value: report.errorWindows.length },
    { scope: "run", name: "errorSeconds", value: report.errorWindows.reduce((a, w) => a + w.duration, 0) / 1e9 },
    {
      scope: "run",
      name: "maxTimeToRecoverSeconds",
      value: report.errorWindows.reduce<number | null>((a, w) => (w.timeToRecover === null ? a : Math.max(a ?? 0, w.timeToRecover / 1e9)), null),
    },
    { scope: "run", name: "dnsQueriesPerLookup", value: report.dns.queriesPerLookup },
  ]
  for (const s of report.services) {
    const scope = s.service
    out.push(
      { scope, name: "failedShare", value: s.requests.total === 0 ? null : s.requests.byOutcome.failed / s.requests.total },
      { scope, name: "jain", value: s.jain },
      { scope, name: "cv", value: s.cv },
      { scope, name: "chiSquarePValue", value: s.chiSquare.pValue },
      { scope, name: "p50Ms", value: s.latency.p50 === null ? null : s.latency.p50 / 1e6 },
      { scope, name: "p99Ms", value: s.latency.p99 === null ? null : s.latency.p99 / 1e6 },
      { scope, name: "meanStickiness", value: mean(s.clients.map((c) => c.stickiness)) },
      { scope, name: "affinityViolations", value: s.clients.reduce((a, c) => a + c.violations, 0) },
    )
  }
  return out
}
