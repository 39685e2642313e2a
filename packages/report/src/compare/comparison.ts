import type { RunReport } from "../metrics/report-types"
import { bootstrapInterval } from "../stats/bootstrap"
import { fisherCombined } from "../stats/fisher"
import { meanInterval } from "../stats/interval"
import { wilsonInterval } from "../stats/proportion"
import { runScalars, type ScalarKind } from "./scalars"

/** How a metric's per-variant interval is computed (stated per metric in every rendering). */
export type IntervalMethod = "wilson" | "bootstrap" | "none"

export const intervalMethodOf = (kind: ScalarKind): IntervalMethod => (kind === "proportion" ? "wilson" : kind === "index" ? "bootstrap" : "none")

/** One line per interval method, as the renderings print it. */
export const intervalMethods: Readonly<Record<IntervalMethod, string>> = {
  wilson: "Wilson score interval of the proportion pooled over all seeds' requests (always within [0, 1])",
  bootstrap:
    "percentile bootstrap of the mean over seeds (4000 resamples, seeded by the metric: deterministic; it stays within the observed range, so within the quantity's bounds; narrower than nominal with few seeds)",
  none: "no interval for a p-value: the seeds rejecting at 0.05 (that share with its Wilson interval over seeds) and Fisher's combined p over the seeds",
}

export const comparisonMethod =
  "Per variant, each metric's interval follows its kind (see `interval`): proportions of requests pooled over seeds " +
  "with a Wilson interval; indices, latencies, counts and durations as the mean over seeds with a percentile-bootstrap " +
  "interval; p-values get no interval (share of seeds with p < 0.05, Fisher's combined p). Differences: paired by seed " +
  "(runs of one seed share named RNG streams across variants: common random numbers), the mean of per-seed differences " +
  "with a Student-t interval (df = pairs−1) cut to the range a difference of the quantity can take; none for p-values. " +
  "A verdict is given only where that interval excludes 0."

/** The significance level at which each seed's p-value is counted as rejecting. */
export const rejectAt = 0.05

export interface VariantSummary {
  readonly variant: string
  /** seeds with a value */
  readonly n: number
  /** proportion: pooled share (Σ events / Σ trials); otherwise the mean over seeds; p-value: the mean p (no interval) */
  readonly mean: number | null
  readonly low: number | null
  readonly high: number | null
  /** proportion only: the pooled counts */
  readonly events: number | null
  readonly trials: number | null
  /** p-value only: seeds with p < 0.05, and Fisher's combined p */
  readonly rejected: number | null
  readonly fisherP: number | null
}

export interface Difference {
  readonly variant: string
  readonly baseline: string
  readonly pairs: number
  readonly mean: number | null
  readonly low: number | null
  readonly high: number | null
  readonly verdict: "higher" | "lower" | null
}

export interface MetricComparison {
  readonly scope: string
  readonly name: string
  readonly kind: ScalarKind
  readonly interval: IntervalMethod
  readonly byVariant: ReadonlyArray<VariantSummary>
  readonly differences: ReadonlyArray<Difference>
}

export interface Comparison {
  readonly method: string
  readonly level: number
  readonly baseline: string
  readonly variants: ReadonlyArray<string>
  readonly seeds: ReadonlyArray<number>
  readonly metrics: ReadonlyArray<MetricComparison>
}

export interface ComparisonOptions {
  /** the variant differences are taken against; default: `default` if present, else the first in sorted order */
  readonly baseline?: string
  readonly level?: number
}

interface Cell {
  readonly value: number | null
  readonly events: number
  readonly trials: number
}

const summarise = (variant: string, kind: ScalarKind, cells: ReadonlyArray<Cell>, key: string, level: number): VariantSummary => {
  const xs = cells.flatMap((c) => (c.value === null ? [] : [c.value]))
  const empty = { variant, n: xs.length, mean: null, low: null, high: null, events: null, trials: null, rejected: null, fisherP: null }
  if (xs.length === 0) return empty
  if (kind === "proportion") {
    let events = 0
    let trials = 0
    for (const c of cells) {
      events += c.events
      trials += c.trials
    }
    const w = wilsonInterval(events, trials, level)!
    return { ...empty, mean: w.share, low: w.low, high: w.high, events, trials }
  }
  if (kind === "p-value") {
    return { ...empty, mean: xs.reduce((a, b) => a + b, 0) / xs.length, rejected: xs.filter((p) => p < rejectAt).length, fisherP: fisherCombined(xs) }
  }
  const b = bootstrapInterval(xs, key, level)
  return { ...empty, mean: b.mean, low: b.low, high: b.high }
}

/**
 * Summarises variants × seeds: groups the runs by variant, pairs them by seed. One variant gets the across-seed
 * summary alone (no differences); one (variant, seed) given twice is an error (the pairing would be ambiguous).
 */
export const compareRuns = (reports: ReadonlyArray<RunReport>, options: ComparisonOptions = {}): Comparison => {
  const level = options.level ?? 0.95
  const variants = [...new Set(reports.map((r) => r.meta.variant))].sort()
  if (variants.length === 0) throw new Error("a comparison needs at least one run")
  // A scenario's unmodified runs are its `default` variant: the natural baseline when present.
  const baseline = options.baseline ?? (variants.includes("default") ? "default" : variants[0]!)
  if (!variants.includes(baseline)) throw new Error(`baseline variant "${baseline}" has no runs (variants: ${variants.join(", ")})`)
  const seeds = [...new Set(reports.map((r) => r.meta.seed))].sort((a, b) => a - b)
  // variant → seed → (metric id → cell)
  const table = new Map<string, Map<number, Map<string, Cell>>>()
  const metricOrder = new Map<string, { scope: string; name: string; kind: ScalarKind; bounds: readonly [number, number] }>()
  for (const report of reports) {
    const { variant, seed } = report.meta
    let bySeed = table.get(variant)
    if (bySeed === undefined) table.set(variant, (bySeed = new Map()))
    if (bySeed.has(seed)) throw new Error(`two runs of variant "${variant}" with seed ${seed}: cannot pair runs by seed`)
    const values = new Map<string, Cell>()
    for (const s of runScalars(report)) {
      const id = `${s.scope}\u0000${s.name}`
      if (!metricOrder.has(id)) metricOrder.set(id, { scope: s.scope, name: s.name, kind: s.kind, bounds: s.bounds })
      values.set(id, { value: s.value, events: s.events ?? 0, trials: s.trials ?? 0 })
    }
    bySeed.set(seed, values)
  }
  // Run-wide metrics first, then service ports by name; names keep runScalars' order within a scope.
  const names = [...new Set(runScalars(reports[0]!).map((s) => s.name).concat([...metricOrder.values()].map((m) => m.name)))]
  const ids = [...metricOrder.keys()].sort((a, b) => {
    const [sa, na] = a.split("\u0000") as [string, string]
    const [sb, nb] = b.split("\u0000") as [string, string]
    if (sa !== sb) return sa === "run" ? -1 : sb === "run" ? 1 : sa < sb ? -1 : 1
    return names.indexOf(na) - names.indexOf(nb)
  })
  const cellOf = (variant: string, seed: number, id: string): Cell | undefined => table.get(variant)?.get(seed)?.get(id)
  const valueOf = (variant: string, seed: number, id: string): number | null => cellOf(variant, seed, id)?.value ?? null
  const metrics = ids.map((id): MetricComparison => {
    const { scope, name, kind, bounds } = metricOrder.get(id)!
    const key = `${scope} ${name}`
    const byVariant = variants.map((variant) =>
      summarise(variant, kind, seeds.flatMap((seed) => cellOf(variant, seed, id) ?? []), `${key} ${variant}`, level),
    )
    const differences = variants
      .filter((v) => v !== baseline)
      .map((variant): Difference => {
        const ds: number[] = []
        for (const seed of seeds) {
          const a = valueOf(baseline, seed, id)
          const b = valueOf(variant, seed, id)
          if (a !== null && b !== null) ds.push(b - a)
        }
        if (ds.length === 0 || kind === "p-value") return { variant, baseline, pairs: ds.length, mean: null, low: null, high: null, verdict: null }
        // Student-t on the paired differences (the standard paired analysis; conservative with few seeds, unlike a
        // bootstrap of 2–4 pairs), cut to the range a difference of this quantity can take.
        const t = meanInterval(ds, level)
        const [lo, hi] = bounds
        const ci = { mean: t.mean, low: t.low === null ? null : Math.max(lo - hi, t.low), high: t.high === null ? null : Math.min(hi - lo, t.high) }
        const verdict = ci.low !== null && ci.low > 0 ? "higher" : ci.high !== null && ci.high < 0 ? "lower" : null
        return { variant, baseline, pairs: ds.length, mean: ci.mean, low: ci.low, high: ci.high, verdict }
      })
    return { scope, name, kind, interval: intervalMethodOf(kind), byVariant, differences }
  })
  return { method: comparisonMethod, level, baseline, variants, seeds, metrics }
}
