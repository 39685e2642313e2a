import type { Comparison } from "../compare/comparison"
import type { RunReport, ServiceReport } from "../metrics/report-types"
import type { Report } from "../report"
import { comparisonChart, differenceChart, dnsQueriesChart, errorTimelineChart, fairnessChart, phaseBarsChart, podBarsChart, stickinessChart } from "./charts"
import type { ChartSpec } from "./charts"
import { counts, formatNanos, formatP, percent, sig, sourceIpText } from "./format"
import { failedShare, runTitle } from "./markdown"
import { errorWindowHead, errorWindowRow, methodLines, runHead, runRow, severalRuns, summaryHead, summaryRows, summaryTitle } from "./summary-rows"
import { phaseCaption, phaseHead, phaseRow } from "./phase-rows"
import { renderSvg } from "./svg"

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`

const p = (text: string): string => `<p>${escapeHtml(text)}</p>`

/** A placeholder replaced by the chart's figure once rendered (charts render asynchronously). */
type Part = string | ChartSpec

const chart = (c: ChartSpec | null): Part[] => (c === null ? [] : [c])

const serviceParts = (run: number, index: number, s: ServiceReport): Part[] => [
  `<h3>Service port <code>${escapeHtml(s.service)}</code> <small>sessionAffinity ${escapeHtml(s.sessionAffinity ?? "unknown")}</small></h3>`,
  p(
    `Requests ${s.requests.total}: ok ${s.requests.byOutcome.ok}, failed ${s.requests.byOutcome.failed}${failedShare(s.requests)} (${counts(s.requests.byCause)}); routed ${s.routed}. ` +
      `Jain ${sig(s.jain)}, CV ${sig(s.cv)}, max/min ${sig(s.maxMinRatio)}, entropy ${sig(s.entropy)}; ` +
      `χ² ${sig(s.chiSquare.statistic, 4)} (df ${s.chiSquare.df}) p = ${formatP(s.chiSquare.pValue)}; expected shares from ${s.expectedFrom}; ` +
      `idle endpoints: ${s.idle.length === 0 ? "none" : s.idle.join(", ")}. ` +
      `Latency p50 ${formatNanos(s.latency.p50)}, p90 ${formatNanos(s.latency.p90)}, p99 ${formatNanos(s.latency.p99)}, max ${formatNanos(s.latency.max)}. ` +
      `Source IPs seen by the backends: ${sourceIpText(s.sourceIps)}.`,
  ),
  ...chart(podBarsChart(`run${run}-svc${index}-pods`, s)),
  table(
    ["endpoint", "pod", "requests", "share", "expected share"],
    s.endpoints.map((e) => [e.endpoint, e.pod ?? "–", String(e.requests), percent(e.share), percent(e.expectedShare)]),
  ),
  ...(s.phases.length < 2
    ? []
    : [p(phaseCaption), ...chart(phaseBarsChart(`run${run}-svc${index}-phases`, s)), table(phaseHead, s.phases.map(phaseRow))]),
  ...chart(stickinessChart(`run${run}-svc${index}-stickiness`, s)),
  s.clients.length === 0
    ? ""
    : table(
        ["client IP", "requests", "stickiness", "top pod", "switches", "switch causes", "violations"],
        s.clients.map((c) => [c.clientIp, String(c.requests), sig(c.stickiness), c.topPod, String(c.switches), counts(c.switchCauses), String(c.violations)]),
      ),
]

const runParts = (i: number, run: RunReport): Part[] => [
  `<section id="${runAnchor(i)}"><h2>Run ${escapeHtml(runTitle(run))}</h2>`,
  p(
    `Trace hash ${run.meta.traceHash}; simulated ${formatNanos(run.end)}. Requests ${run.requests.total}: ok ${run.requests.byOutcome.ok}, ` +
      `failed ${run.requests.byOutcome.failed}${failedShare(run.requests)}, in flight ${run.requests.byOutcome["in-flight"]}; failures by cause: ${counts(run.requests.byCause)}.`,
  ),
  ...chart(fairnessChart(`run${i}-fairness`, run)),
  ...run.services.flatMap((s, k) => serviceParts(i, k, s)),
  "<h3>Errors and churn</h3>",
  ...chart(errorTimelineChart(`run${i}-errors`, run)),
  run.errorWindows.length === 0
    ? p("No failed requests.")
    : table(errorWindowHead, run.errorWindows.map(errorWindowRow)),
  "<h3>DNS</h3>",
  p(
    `${run.dns.queries} queries in ${run.dns.lookups} lookups (${sig(run.dns.queriesPerLookup)} per lookup, at most ${run.dns.maxQueriesPerLookup}); ` +
      `NXDOMAIN ${percent(run.dns.nxdomainShare)}; timed out ${run.dns.timeouts}.`,
  ),
  ...chart(dnsQueriesChart(`run${i}-dns`, run)),
  "</section>",
]

const comparisonParts = (c: Comparison): Part[] => [
  `<section id="summary"><h2>${escapeHtml(summaryTitle(c))}</h2>`,
  p(`${c.method} Confidence level ${c.level * 100} %.${c.variants.length >= 2 ? ` Baseline: ${c.baseline}.` : ""}`),
  `<ul>${methodLines(c).map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`,
  table(summaryHead(c), summaryRows(c)),
  // One row per metric: its per-variant chart beside its paired-difference chart (rows without charts are left out).
  ...c.metrics.flatMap((m, k) => {
    const charts = [...chart(comparisonChart(`cmp-${k}`, m, c.level)), ...chart(differenceChart(`cmp-${k}-diff`, m, c.level))]
    return charts.length === 0 ? [] : [`<div class="grid">`, ...charts, `</div>`]
  }),
  `</section>`,
]

const runAnchor = (i: number): string => `run-${i}`

/** Contents of a page of several runs: the summary, then each run by variant and seed. */
const contents = (report: Report): Part[] => [
  `<nav id="contents"><h2>Contents</h2><ul>`,
  ...(report.comparison === null ? [] : [`<li><a href="#summary">${escapeHtml(summaryTitle(report.comparison))}</a></li>`]),
  `<li><a href="#runs">Runs</a><ul>`,
  ...report.runs.map((r, i) => `<li><a href="#${runAnchor(i)}">${escapeHtml(runTitle(r))}</a></li>`),
  `</ul></li></ul></nav>`,
]

const runsTable = (report: Report): Part[] => [`<section id="runs"><h2>Runs</h2>`, table(runHead, report.runs.map(runRow)), `</section>`]

const style = `body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}table{border-collapse:collapse;margin:.5em 0 1em}
td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;text-align:left}th{background:#f3f3f3}figure{margin:1em 0}
figcaption{font-size:13px;color:#555}.grid{display:flex;flex-wrap:wrap;gap:1em}code{background:#f3f3f3}`

/**
 * The report as one self-contained HTML page: tables and charts, the charts rendered to SVG in Node by Vega and
 * inlined (no scripts, no external fonts or links). Equal reports give equal bytes.
 */
export const renderHtml = async (report: Report): Promise<string> => {
  // Several runs: contents, the summary first, a compact table of runs, then each run in full.
  const parts: Part[] = [
    ...(severalRuns(report) ? contents(report) : []),
    ...(report.comparison === null ? [] : comparisonParts(report.comparison)),
    ...(severalRuns(report) ? runsTable(report) : []),
    ...report.runs.flatMap((run, i) => runParts(i, run)),
  ]
  const body: string[] = []
  // Sequential on purpose: one View at a time keeps memory flat and the output order obvious.
  for (const part of parts) {
    if (typeof part === "string") body.push(part)
    else {
      const svg = await renderSvg(part.spec)
      body.push(`<figure class="chart" id="${escapeHtml(part.id)}"><figcaption>${escapeHtml(part.title)}</figcaption>${svg}</figure>`)
    }
  }
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8"><title>kubesim report</title>',
    `<style>${style}</style></head><body>`,
    "<h1>kubesim report</h1>",
    ...body.filter((b) => b !== ""),
    "</body></html>",
    "",
  ].join("\n")
}
