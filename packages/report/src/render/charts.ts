import type { TopLevelSpec } from "vega-lite"
import type { MetricComparison } from "../compare/comparison"
import type { RunReport, ServiceReport } from "../metrics/report-types"
import { phaseName } from "./phase-rows"

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

/** Requests per pod as bars, the expected count marked with a tick on each. */
export const podBarsChart = (id: string, s: ServiceReport): ChartSpec | null => {
  if (s.endpoints.length === 0) return null
  const values = s.endpoints.map((e) => ({ backend: `${e.pod ?? "?"} (${e.endpoint})`, requests: e.requests, expected: e.expectedShare * s.routed }))
  return {
    id,
    title: `${s.service}: requests per pod (tick: expected)`,
    spec: {
      ...base,
      width: 520,
      height: Math.max(60, 22 * values.length),
      data: { values },
      encoding: { y: { field: "backend", type: "nominal", sort: null, title: null } },
      layer: [
        { mark: { type: "bar", color: "#4c78a8" }, encoding: { x: { field: "requests", type: "quantitative", title: "requests" } } },
        { mark: { type: "tick", color: "#e45756", thickness: 3 }, encoding: { x: { field: "expected", type: "quantitative" } } },
      ],
    },
  }
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
        data: { values: p.endpoints.map((e) => ({ backend: e.pod ?? e.endpoint, share: e.share, expected: e.expectedShare })) },
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

/** Jain's index per sliding window for every service port of a run. */
export const fairnessChart = (id: string, run: RunReport): ChartSpec | null => {
  const values = run.services.flatMap((s) =>
    s.windows.filter((w) => w.jain !== null).map((w) => ({ service: s.service, t: seconds(w.start), jain: w.jain })),
  )
  if (values.length === 0) return null
  return {
    id,
    title: `Fairness over time (Jain's index, ${seconds(run.window.width)} s windows)`,
    spec: {
      ...base,
      width: 520,
      height: 180,
      data: { values },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "t", type: "quantitative", title: "window start (s)" },
        y: { field: "jain", type: "quantitative", title: "Jain's index", scale: { domain: [0, 1] } },
        color: { field: "service", type: "nominal", title: "service port" },
      },
    },
  }
}

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

/** Failed requests over time, churn actions as vertical rules. */
export const errorTimelineChart = (id: string, run: RunReport): ChartSpec | null => {
  if (run.timeline.length === 0) return null
  const buckets = run.timeline.map((b) => ({ t: seconds(b.start), failed: b.failed, requests: b.requests }))
  const churn = run.churn.map((a) => ({ t: seconds(a.t), action: `${a.verb} ${a.object}` }))
  const bars = {
    data: { values: buckets },
    mark: { type: "bar" as const, color: "#e45756" },
    encoding: {
      x: { field: "t", type: "quantitative" as const, title: "time (s)" },
      y: { field: "failed", type: "quantitative" as const, title: `failed requests per ${seconds(run.window.step)} s` },
    },
  }
  const rules = {
    data: { values: churn },
    mark: { type: "rule" as const, color: "#72b7b2", strokeDash: [4, 2] },
    encoding: { x: { field: "t", type: "quantitative" as const } },
  }
  return {
    id,
    title: "Failed requests over time (dashed rules: churn actions)",
    spec: { ...base, width: 520, height: 180, layer: churn.length === 0 ? [bars] : [bars, rules] },
  }
}

const percent = (level: number): string => `${Math.round(level * 1000) / 10} %`

/**
 * One metric's paired differences (variant − baseline, per seed) with their interval and a rule at 0: the
 * verdict is read here, not from the per-variant intervals (those can overlap while the paired one excludes 0).
 */
export const differenceChart = (id: string, m: MetricComparison, level = 0.95): ChartSpec | null => {
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
