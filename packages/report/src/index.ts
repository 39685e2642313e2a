// @kubesim/report: metrics over run records (docs/records.md), comparisons of variants × seeds, and the
// Markdown / JSON / HTML renderers. It reads records only and imports nothing of the simulator.

export { decodeRecordLine, decodeRecordsJsonl, decodeRecordsJsonlSync, recordLineDecoder } from "./records/decode"
export { RecordsDecodeError } from "./records/errors"
export { decodeRunMeta, RunMeta } from "./records/run"
export type { Run } from "./records/run"
export * from "./records/schema"

export { chiSquareTest } from "./stats/chi-square"
export type { ChiSquare } from "./stats/chi-square"
export { coefficientOfVariation, maxMinRatio, normalisedEntropy } from "./stats/dispersion"
export { meanInterval } from "./stats/interval"
export type { MeanInterval } from "./stats/interval"
export { bootstrapInterval } from "./stats/bootstrap"
export type { BootstrapInterval } from "./stats/bootstrap"
export { fisherCombined } from "./stats/fisher"
export { wilsonInterval } from "./stats/proportion"
export type { ProportionInterval } from "./stats/proportion"
export { jainIndex } from "./stats/jain"
export { nearestRank } from "./stats/percentile"

export { buildRunReport, defaultWindow } from "./metrics/run-report"
export type { RunReportOptions } from "./metrics/run-report"
export type { WindowOptions } from "./metrics/distribution"
export { failureCauses, switchCauses } from "./metrics/report-types"
export type {
  ActionRef,
  ByCause,
  ClientStickiness,
  DnsReport,
  EndpointRow,
  ErrorWindow,
  FailureCause,
  FairnessWindow,
  Latency,
  RequestTotals,
  RunMetaReport,
  RunReport,
  PhaseDistribution,
  ServiceReport,
  SwitchCause,
} from "./metrics/report-types"

export { compareRuns, comparisonMethod, intervalMethods, rejectAt } from "./compare/comparison"
export type { Comparison, ComparisonOptions, Difference, IntervalMethod, MetricComparison, VariantSummary } from "./compare/comparison"
export { runScalars } from "./compare/scalars"
export type { Scalar, ScalarKind } from "./compare/scalars"

export { buildReport, reportSchema } from "./report"
export type { Report, ReportOptions } from "./report"

export { renderHtml } from "./render/html"
export { renderJson } from "./render/json"
export { renderMarkdown } from "./render/markdown"
