import type { Comparison } from "../compare/comparison"
import type { RequestTotals, RunReport, ServiceReport } from "../metrics/report-types"
import type { Report } from "../report"
import { counts, formatNanos, formatP, percent, proportionWithInterval, sig, sourceIpText } from "./format"
import { errorWindowHead, errorWindowRow, methodLines, runHead, runRow, severalRuns, summaryHead, summaryRows, summaryTitle } from "./summary-rows"
import { phaseCaption, phaseHead, phaseRow } from "./phase-rows"

// Markdown cells must not break the table: escape pipes, flatten newlines.
const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ")

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string[] => [
  `| ${head.join(" | ")} |`,
  `|${head.map(() => "---").join("|")}|`,
  ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
]

/** ` = 0.52 % [0.3 %, 0.9 %] (Wilson 95 %)` after a failed count. */
export const failedShare = (t: RequestTotals): string =>
  t.failedShare === null ? "" : ` = ${proportionWithInterval(t.failedShare.share, t.failedShare.low, t.failedShare.high)} (Wilson 95 %)`

export const runTitle = (run: RunReport): string => `${run.meta.scenario} · ${run.meta.variant} · seed ${run.meta.seed}`

// One row per phase, only when there are several: a single phase would repeat the whole-run figures.
const phaseTable = (s: ServiceReport): string[] =>
  s.phases.length < 2 ? [] : [phaseCaption, "", ...table(phaseHead, s.phases.map(phaseRow)), ""]

const serviceSection = (s: ServiceReport): string[] => {
  const out: string[] = [`### Service port \`${s.service}\` (sessionAffinity ${s.sessionAffinity ?? "unknown"})`, ""]
  out.push(
    `Requests ${s.requests.total}: ok ${s.requests.byOutcome.ok}, failed ${s.requests.byOutcome.failed}${failedShare(s.requests)} (${counts(s.requests.byCause)}), in flight ${s.requests.byOutcome["in-flight"]}; routed to a backend ${s.routed}.`,
    "",
  )
  out.push(
    ...table(
      ["endpoint", "pod", "requests", "share", "expected share"],
      s.endpoints.map((e) => [e.endpoint, e.pod ?? "–", String(e.requests), percent(e.share), percent(e.expectedShare)]),
    ),
    "",
  )
  const windows = s.windows.filter((w) => w.jain !== null)
  const worst = windows.reduce<(typeof windows)[number] | null>((a, w) => (a === null || w.jain! < a.jain! ? w : a), null)
  out.push(
    `- fairness: Jain ${sig(s.jain)}, CV ${sig(s.cv)}, max/min ${sig(s.maxMinRatio)}, normalised entropy ${sig(s.entropy)} (expected shares from ${s.expectedFrom})`,
    `- chi-square vs expected: χ² = ${sig(s.chiSquare.statistic, 4)}, df ${s.chiSquare.df}, p = ${formatP(s.chiSquare.pValue)} over ${s.decisions} connections`,
    `- endpoints that received nothing: ${s.idle.length === 0 ? "none" : s.idle.join(", ")}; requests to endpoints without an expected share: ${s.unexpected}`,
    `- fairness over time: ${windows.length} windows, lowest Jain ${worst === null ? "–" : `${sig(worst.jain)} at ${formatNanos(worst.start)}`}, windows with p < 0.01: ${s.windows.filter((w) => w.pValue !== null && w.pValue < 0.01).length}`,
    `- latency (ok requests): p50 ${formatNanos(s.latency.p50)}, p90 ${formatNanos(s.latency.p90)}, p99 ${formatNanos(s.latency.p99)}, max ${formatNanos(s.latency.max)}`,
    `- source IPs seen by the backends: ${sourceIpText(s.sourceIps)}`,
    "",
  )
  out.push(...phaseTable(s))
  if (s.clients.length > 0) {
    out.push(
      ...table(
        ["client IP", "requests", "stickiness", "top pod", "pods", "switches", "switch causes", "violations"],
        s.clients.map((c) => [c.clientIp, String(c.requests), sig(c.stickiness), c.topPod, String(c.pods), String(c.switches), counts(c.switchCauses), String(c.violations)]),
      ),
      "",
    )
  }
  return out
}

const runSection = (run: RunReport): string[] => {
  const out: string[] = [`## Run ${runTitle(run)}`, ""]
  out.push(
    `Trace hash \`${run.meta.traceHash}\`; simulated ${formatNanos(run.end)}; fairness windows ${formatNanos(run.window.width)} every ${formatNanos(run.window.step)}.`,
    "",
    `Requests ${run.requests.total}: ok ${run.requests.byOutcome.ok}, failed ${run.requests.byOutcome.failed}${failedShare(run.requests)}, in flight ${run.requests.byOutcome["in-flight"]}. Failures by cause: ${counts(run.requests.byCause)}.`,
    "",
  )
  if (run.phases.length > 0) out.push(`Phases: ${run.phases.map((p) => `${p.name} (${formatNanos(p.t)})`).join(", ")}.`, "")
  for (const s of run.services) out.push(...serviceSection(s))
  out.push("### Error windows", "")
  if (run.errorWindows.length === 0) out.push("No failed requests.", "")
  else
    out.push(
      ...table(errorWindowHead, run.errorWindows.map(errorWindowRow)),
      "",
    )
  const d = run.dns
  out.push(
    "### DNS",
    "",
    `${d.queries} queries in ${d.lookups} lookups (${sig(d.queriesPerLookup)} per lookup, at most ${d.maxQueriesPerLookup}); NXDOMAIN ${d.nxdomain} (${percent(d.nxdomainShare)}); timed out ${d.timeouts}.`,
    "",
  )
  return out
}

const summarySection = (c: Comparison): string[] => [
  `## ${summaryTitle(c)}`,
  "",
  `${c.method} Confidence level ${c.level * 100} %.${c.variants.length >= 2 ? ` Baseline: ${c.baseline}.` : ""}`,
  "",
  ...methodLines(c).map((l) => `- ${l}`),
  "",
  ...table(summaryHead(c), summaryRows(c)),
  "",
]

const runsSection = (runs: ReadonlyArray<RunReport>): string[] => [
  "## Runs",
  "",
  ...table(runHead, runs.map(runRow)),
  "",
  "Each run in full: `kubesim report <run directory>`, or this report as HTML or JSON.",
  "",
]

/** The report as Markdown (GitHub tables), for terminals and files. */
export const renderMarkdown = (report: Report): string => {
  const out: string[] = ["# kubesim report", ""]
  // Several runs: the across-seed summary (or comparison) first, then one line per run; one run: in full.
  if (report.comparison !== null) out.push(...summarySection(report.comparison))
  if (severalRuns(report)) out.push(...runsSection(report.runs))
  else for (const run of report.runs) out.push(...runSection(run))
  return `${out.join("\n").trimEnd()}\n`
}
