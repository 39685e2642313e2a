import { compareRuns } from "./compare/comparison"
import type { Comparison, ComparisonOptions } from "./compare/comparison"
import { buildRunReport } from "./metrics/run-report"
import type { RunReportOptions } from "./metrics/run-report"
import type { RunReport } from "./metrics/report-types"
import type { Run } from "./records/run"

/** The schema identifier of the JSON report; bumped on any incompatible change (README.md documents it). */
export const reportSchema = "kubesim-report/2"

/** A report over one or more runs: each run's metrics, and a comparison when there are several variants or seeds. */
export interface Report {
  readonly schema: typeof reportSchema
  readonly runs: ReadonlyArray<RunReport>
  readonly comparison: Comparison | null
}

export type ReportOptions = RunReportOptions & ComparisonOptions

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Builds the report; runs are ordered by (scenario, variant, seed) whatever order they came in. */
export const buildReport = (runs: ReadonlyArray<Run>, options: ReportOptions = {}): Report => {
  if (runs.length === 0) throw new Error("a report needs at least one run")
  const reports = runs
    .map((run) => buildRunReport(run, options))
    .sort((a, b) => cmp(a.meta.scenario, b.meta.scenario) || cmp(a.meta.variant, b.meta.variant) || a.meta.seed - b.meta.seed)
  // Several variants are compared; one variant over several seeds gets the across-seed summary alone.
  const variants = new Set(reports.map((r) => r.meta.variant))
  const seeds = new Set(reports.map((r) => r.meta.seed))
  const summarise = variants.size >= 2 || seeds.size >= 2
  return { schema: reportSchema, runs: reports, comparison: summarise ? compareRuns(reports, options) : null }
}
