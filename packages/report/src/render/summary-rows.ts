import type { Comparison, MetricComparison, VariantSummary } from "../compare/comparison"
import { intervalMethods, rejectAt } from "../compare/comparison"
import type { ErrorWindow, RunReport } from "../metrics/report-types"
import { wilsonInterval } from "../stats/proportion"
import type { Report } from "../report"
import { counts, formatNanos, formatP, proportionWithInterval, withInterval } from "./format"

// The across-seed summary and the compact per-run table, shared by the Markdown and HTML renderers.

/** A heading for the summary: a comparison of variants, or one variant across seeds. */
export const summaryTitle = (c: Comparison): string =>
  c.variants.length >= 2
    ? `Comparison of ${c.variants.join(", ")} over seeds ${c.seeds.join(", ")}`
    : `Across seeds ${c.seeds.join(", ")} (variant ${c.variants[0]})`

/** The interval methods used in the table, one sentence each. */
export const methodLines = (c: Comparison): string[] => {
  const used = [...new Set(c.metrics.map((m) => m.interval))]
  return used.map((m) => `${m}: ${intervalMethods[m]}.`)
}

const variantCell = (m: MetricComparison, v: VariantSummary): string => {
  if (v.mean === null) return "–"
  if (m.kind === "p-value") {
    // the share of seeds rejecting is a proportion over seeds: Wilson again
    const w = wilsonInterval(v.rejected ?? 0, v.n)
    const share = w === null ? "" : ` (${proportionWithInterval(w.share, w.low, w.high)})`
    return `${v.rejected}/${v.n} seeds p < ${rejectAt}${share}; Fisher p ${formatP(v.fisherP)}`
  }
  if (m.kind === "proportion") return `${proportionWithInterval(v.mean, v.low, v.high)} (${v.events}/${v.trials})`
  return withInterval(v.mean, v.low, v.high)
}

export const summaryHead = (c: Comparison): string[] => {
  const others = c.variants.filter((v) => v !== c.baseline)
  return [
    "scope",
    "metric",
    "interval",
    ...c.variants.map((v) => (c.variants.length === 1 ? `${v} [95 % CI]` : `${v} [CI]`)),
    ...others.map((v) => `${v} − ${c.baseline} [CI]`),
    ...(others.length === 0 ? [] : ["verdict"]),
  ]
}

export const summaryRows = (c: Comparison): string[][] =>
  c.metrics.map((m) => [
    m.scope,
    m.name,
    m.interval,
    ...m.byVariant.map((v) => variantCell(m, v)),
    ...m.differences.map((d) => (m.kind === "p-value" ? "–" : withInterval(d.mean, d.low, d.high))),
    ...(m.differences.length === 0
      ? []
      : [m.differences.filter((d) => d.verdict !== null).map((d) => `${d.variant} ${d.verdict}`).join(", ") || "no difference shown"]),
  ])

export const runHead: ReadonlyArray<string> = ["variant", "seed", "requests", "failed [Wilson 95 %]", "error windows", "longest error window", "trace hash"]

export const runRow = (r: RunReport): string[] => {
  const f = r.requests.failedShare
  const longest = r.errorWindows.reduce<number | null>((a, w) => Math.max(a ?? 0, w.duration), null)
  return [
    r.meta.variant,
    String(r.meta.seed),
    String(r.requests.total),
    f === null ? "–" : `${r.requests.byOutcome.failed} (${proportionWithInterval(f.share, f.low, f.high)})`,
    String(r.errorWindows.length),
    formatNanos(longest),
    r.meta.traceHash,
  ]
}

/** Whether the report is of several runs (then it leads with the summary and lists runs compactly). */
export const severalRuns = (report: Report): boolean => report.runs.length > 1



/** The error-window table (Markdown and HTML): SRE times by request start, the trigger and its lead time. */
export const errorWindowHead: ReadonlyArray<string> = [
  "first failure",
  "recovered (first success after the last failure)",
  "duration",
  "failed / started",
  "causes",
  "services",
  "trigger (first failure after it)",
]

export const errorWindowRow = (w: ErrorWindow): string[] => [
  formatNanos(w.start),
  w.recoveredAt === null ? `not recovered by the end (${formatNanos(w.end)})` : formatNanos(w.recoveredAt),
  formatNanos(w.duration),
  `${w.failed} / ${w.requests}`,
  counts(w.byCause),
  Object.keys(w.services).join(", "),
  w.trigger === null ? "–" : `${w.trigger.verb} ${w.trigger.object} by ${w.trigger.actor} at ${formatNanos(w.trigger.t)} (+${formatNanos(w.sinceTrigger)})`,
]
