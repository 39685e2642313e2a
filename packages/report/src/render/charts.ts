import type { TopLevelSpec } from "vega-lite"
import type { MetricComparison } from "../compare/comparison"
import type { RunReport, ServiceReport } from "../metrics/report-types"
import { phaseName } from "./phase-rows"
import { podLabels } from "./pod-labels"

// Vega-Lite specifications of the report's charts. Data is inlined; sizes are fixed so the SVG is the same
// bytes for the same report. Times are shown in seconds.

const base = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", background: "white", config: { font: "sans-serif" } } as const
const seconds = (ns: number): number => ns / 1e9

/** A chart of the report: an id unique in the page, a title and its Vega-Lite spec. */
export interface ChartSpec {
  readonly id: string
  readonly title: string
  readonly spec: TopLevelSpec
}

/** Requests per pod as bars, the expected count marked with a tick on each; pods labelled by their unique suffix. */
export const podBarsChart = (id: string, s: ServiceReport): ChartSpec | null => {
  if (s.endpoints.length === 0) return null
  const labels = distinctLabels(s.endpoints)
  const values = s.endpoints.map((e, i) => ({ backend: labels[i]!, requests: e.requests, expected: e.expectedShare * s.routed }))
  return {
    id,
    title: `${s.service}: requests per pod (tick: expected; pods by name suffix, full names in the table)`,
    spec: {
      ...base,
      width: 520,
      height: Math.max(60, 22 * values.length),
      data: { values },
      encoding: { y: { field: "backend", type: "nominal", sort: null, title: null, axis: { labelLimit: 360 } } },
      layer: [
        { mark: { type: "bar", color: "#4c78a8" }, encoding: { x: { field: "requests", type: "quantitative", title: "requests" } } },
        { mark: { type: "tick", color: "#e45756", thickness: 3 }, encoding: { x: { field: "expected", type: "quantitative" } } },
      ],
    },
  }
}

/**
 * Pod suffix labels for endpoint rows, distinct even when one pod appears at two endpoints (a pod that came back
 * with a new IP): then the endpoint is added.
 */
const distinctLabels = (rows: ReadonlyArray<{ readonly pod: string | null; readonly endpoint: string }>): string[] => {
  const labels = podLabels(rows.map((e) => ({ pod: e.pod, fallback: e.endpoint })))
  const seen = new Map<string, number>()
  for (const l of labels) seen.set(l, (seen.get(l) ?? 0) + 1)
  return labels.map((l, i) => (seen.get(l)! > 1 ? `${l} (${rows[i]!.endpoint})` : l))
}

/**
 * Small multiples, one row per phase: each pod's share of the phase's routed requests as a bar, the share the
 * rules then in force gave it as a tick. Shares (not counts) so phases of different lengths read alike.
 */
export const phaseBarsChart = (id: string, s: ServiceReport): ChartSpec | null => {
  if (s.phases.length < 2) return null
  const phases = s.phases.filter((p) => p.endpoints.length > 0)
  if (phases.length === 0) return null
  // One stacked sub-chart per phase with its own data (pods come and go between phases, so each row lists its
  // own); a facet with independent scales over a layer would make vega-lite warn about unioned domains.
  const last = phases.length - 1
  return {
    id,
    title: `${s.service}: share of each phase's requests per pod (tick: expected share)`,
    spec: {
      ...base,
      spacing: 14,
      vconcat: phases.map((p, k) => ({
        title: { text: `${phaseName(p)} · sessionAffinity ${p.sessionAffinity ?? "unknown"}`, anchor: "start" as const, fontSize: 12 },
        width: 520,
        data: { values: ((labels) => p.endpoints.map((e, i) => ({ backend: labels[i]!, share: e.share, expected: e.expectedShare })))(distinctLabels(p.endpoints)) },
        encoding: { y: { field: "backend", type: "nominal" as const, sort: null, title: null, axis: { labelLimit: 320 } } },
        layer: [
          {
            mark: { type: "bar" as const, color: "#4c78a8" },
            encoding: {
              x: {
                field: "share",
                type: "quantitative" as const,
                title: k === last ? "share of the phase's routed requests" : null,
                scale: { domain: [0, 1] },
                axis: { format: "%" },
              },
            },
          },
          { mark: { type: "tick" as const, color: "#e45756", thickness: 3 }, encoding: { x: { field: "expected", type: "quantitative" as const } } },
        ],
      })),
    },
  }
}

/** Jain's index per sliding window for every service port of a run, with the scenario's phases marked. */
export const fairnessChart = (id: string, run: RunReport): ChartSpec | null => {
  const values = run.services.flatMap((s) =>
    s.windows.filter((w) => w.jain !== null).map((w) => ({ service: s.service, t: seconds(w.start), jain: w.jain })),
  )
  if (values.length === 0) return null
  // A line needs two points, and a Jain that never moves says nothing a sentence would not.
  if (values.length < 2 || values.every((v) => v.jain === values[0]!.jain)) return null
  const line = {
    data: { values },
    mark: { type: "line" as const, point: true },
    encoding: {
      x: { field: "t", type: "quantitative" as const, title: "window start (s)", scale: timeScale(run) },
      y: { field: "jain", type: "quantitative" as const, title: "Jain's index", scale: { domain: [0, 1] } },
      color: { field: "service", type: "nominal" as const, title: "service port", legend: { labelLimit: 400, orient: "bottom" as const, direction: "vertical" as const } },
    },
  }
  return {
    id,
    title: `Fairness over time (Jain's index, ${seconds(run.window.width)} s windows; grey rules: phases)`,
    spec: { ...base, width: 520, height: 180, layer: [line, ...phaseLayers(run)] },
  }
}

/** Time axes start at 0 (the run's start) and end at its end: never a negative time. */
const timeScale = (run: RunReport) => ({ domain: [0, Math.max(seconds(run.end), 1)], nice: false, zero: true })

/** A vertical rule per marker with its label hanging from the top of the plot. */
const markerLayers = (values: ReadonlyArray<{ t: number; label: string }>, color: string, dash: number[]) =>
  values.length === 0
    ? []
    : [
        { data: { values: [...values] }, mark: { type: "rule" as const, color, strokeDash: dash }, encoding: { x: { field: "t", type: "quantitative" as const } } },
        {
          data: { values: [...values] },
          mark: { type: "text" as const, angle: 270, align: "right" as const, baseline: "bottom" as const, dx: -2, dy: -2, fontSize: 9, color, limit: 150 },
          encoding: { x: { field: "t", type: "quantitative" as const }, y: { value: 0 }, text: { field: "label" } },
        },
      ]

/** One label per instant: the first marker's, `+n` for the others at the same time (they would overprint). */
const sameInstant = (markers: ReadonlyArray<{ t: number; label: string }>): Array<{ t: number; label: string }> => {
  const out: Array<{ t: number; label: string; more: number }> = []
  for (const m of markers) {
    const last = out[out.length - 1]
    if (last !== undefined && last.t === m.t) last.more++
    else out.push({ t: m.t, label: m.label, more: 0 })
  }
  return out.map((m) => ({ t: m.t, label: m.more === 0 ? m.label : `${m.label} +${m.more}` }))
}

const phaseLayers = (run: RunReport) => markerLayers(sameInstant(run.phases.map((p) => ({ t: seconds(p.t), label: `phase ${p.name}` }))), "#888", [2, 2])

/** Stickiness (share of requests to the client's most-used pod) per client IP. */
export const stickinessChart = (id: string, s: ServiceReport): ChartSpec | null => {
  if (s.clients.length === 0) return null
  const values = s.clients.map((c) => ({ client: c.clientIp, stickiness: c.stickiness, switches: c.switches }))
  return {
    id,
    title: `${s.service}: stickiness per client (sessionAffinity ${s.sessionAffinity ?? "unknown"})`,
    spec: {
      ...base,
      width: 520,
      height: Math.max(60, 20 * values.length),
      data: { values },
      mark: { type: "bar", color: "#54a24b" },
      encoding: {
        y: { field: "client", type: "nominal", sort: null, title: "client IP" },
        x: { field: "stickiness", type: "quantitative", scale: { domain: [0, 1] }, title: "share to most-used pod" },
      },
    },
  }
}

/**
 * Error windows over time (a rect from the first failed request to the first success after the last failure, as
 * tall as its failed requests: aligned to the events, not to fixed bins), the churn actions as dashed rules
 * (scenario actions labelled) and the phases. null when nothing failed: an empty chart says nothing.
 */
export const errorTimelineChart = (id: string, run: RunReport): ChartSpec | null => {
  if (run.errorWindows.length === 0) return null
  const windows = run.errorWindows.map((w) => ({ start: seconds(w.start), end: seconds(w.end), failed: w.failed, zero: 0 }))
  const rects = {
    data: { values: windows },
    mark: { type: "rect" as const, color: "#e45756", stroke: "#e45756", strokeWidth: 1.5, opacity: 0.8 },
    encoding: {
      x: { field: "start", type: "quantitative" as const, title: "time (s)", scale: timeScale(run) },
      x2: { field: "end" },
      y: { field: "failed", type: "quantitative" as const, title: "failed requests in the window" },
      y2: { field: "zero" },
    },
  }
  const churn = run.churn.map((a) => ({ t: seconds(a.t), label: `${a.verb} ${a.object}`, scenario: a.actor === "scenario" }))
  const actionRules =
    churn.length === 0
      ? []
      : [{ data: { values: churn }, mark: { type: "rule" as const, color: "#72b7b2", strokeDash: [4, 2] }, encoding: { x: { field: "t", type: "quantitative" as const } } }]
  // Only the scenario's own actions get labels (controllers' follow-ups would pile up on the same instants).
  const labels = markerLayers(sameInstant(churn.filter((c) => c.scenario)), "#2a7f7a", [4, 2]).slice(1)
  return {
    id,
    title: "Error windows (first failure → first success after the last; height: failed requests), churn actions (dashed) and phases (grey)",
    spec: { ...base, width: 520, height: 200, layer: [rects, ...actionRules, ...labels, ...phaseLayers(run)] },
  }
}

/**
 * The run's DNS queries by answer: what each lookup cost (the search-list walk's NXDOMAINs beside the answers
 * that ended it). null when the run made no lookups.
 */
export const dnsQueriesChart = (id: string, run: RunReport): ChartSpec | null => {
  const d = run.dns
  if (d.lookups === 0) return null
  const values = [
    { answer: "NXDOMAIN", queries: d.nxdomain },
    { answer: "answered (NOERROR, other)", queries: Math.max(0, d.queries - d.nxdomain - d.timeouts) },
    { answer: "timed out", queries: d.timeouts },
  ]
  return {
    id,
    title: `DNS queries by answer: ${d.queries} queries for ${d.lookups} lookups (${Math.round((d.queriesPerLookup ?? 0) * 100) / 100} per lookup)`,
    spec: {
      ...base,
      width: 520,
      height: 22 * values.length,
      data: { values },
      mark: { type: "bar", color: "#4c78a8" },
      encoding: {
        y: { field: "answer", type: "nominal", sort: null, title: null, axis: { labelLimit: 360 } },
        x: { field: "queries", type: "quantitative", title: "queries" },
      },
    },
  }
}

const percent = (level: number): string => `${Math.round(level * 1000) / 10} %`

/**
 * One metric's paired differences (variant − baseline, per seed) with their interval and a rule at 0: the
 * verdict is read here, not from the per-variant intervals (those can overlap while the paired one excludes 0).
 */
export const differenceChart = (id: string, m: MetricComparison, level = 0.95): ChartSpec | null => {
  // Differences that are all exactly 0 (a metric no variant moved) make no chart.
  if (m.differences.every((d) => d.mean === null || (d.mean === 0 && (d.low ?? 0) === 0 && (d.high ?? 0) === 0))) return null
  const values = m.differences
    .filter((d) => d.mean !== null)
    .map((d) => ({ pair: `${d.variant} − ${d.baseline}`, mean: d.mean, low: d.low ?? d.mean, high: d.high ?? d.mean, verdict: d.verdict ?? "no difference shown" }))
  if (values.length === 0) return null
  return {
    id,
    title: `${m.scope === "run" ? "" : `${m.scope} `}${m.name}: paired difference and ${percent(level)} t interval (rule: 0)`,
    spec: {
      ...base,
      width: 360,
      height: Math.max(50, 26 * values.length),
      layer: [
        {
          data: { values },
          encoding: { y: { field: "pair", type: "nominal", title: null } },
          layer: [
            { mark: { type: "rule", color: "#f58518" }, encoding: { x: { field: "low", type: "quantitative", title: `${m.name} difference` }, x2: { field: "high" } } },
            { mark: { type: "point", filled: true, color: "#f58518", size: 60 }, encoding: { x: { field: "mean", type: "quantitative" }, tooltip: { field: "verdict" } } },
          ],
        },
        { data: { values: [{ zero: 0 }] }, mark: { type: "rule", color: "#888", strokeDash: [4, 2] }, encoding: { x: { field: "zero", type: "quantitative" } } },
      ],
    },
  }
}

/** One metric across variants: the mean per variant with its confidence interval. */
export const comparisonChart = (id: string, m: MetricComparison, level = 0.95): ChartSpec | null => {
  // A p-value has no interval (the table gives the share of seeds rejecting and Fisher's combined p).
  if (m.interval === "none") return null
  // A metric equal in every run (all means and bounds one value) is a sentence in the table, not a chart.
  const all = m.byVariant.flatMap((v) => [v.mean, v.low, v.high]).filter((x): x is number => x !== null)
  if (all.length === 0 || all.every((x) => x === all[0])) return null
  const values = m.byVariant.filter((v) => v.mean !== null).map((v) => ({ variant: v.variant, mean: v.mean, low: v.low ?? v.mean, high: v.high ?? v.mean }))
  if (values.length === 0) return null
  return {
    id,
    title: `${m.scope === "run" ? "" : `${m.scope} `}${m.name}: ${m.kind === "proportion" ? "pooled share" : "mean"} and ${percent(level)} ${m.interval} interval per variant`,
    spec: {
      ...base,
      width: 360,
      height: Math.max(50, 26 * values.length),
      data: { values },
      encoding: { y: { field: "variant", type: "nominal", title: null } },
      layer: [
        { mark: { type: "rule", color: "#4c78a8" }, encoding: { x: { field: "low", type: "quantitative", title: m.name, scale: { zero: false } }, x2: { field: "high" } } },
        { mark: { type: "point", filled: true, color: "#4c78a8", size: 60 }, encoding: { x: { field: "mean", type: "quantitative" } } },
      ],
    },
  }
}
