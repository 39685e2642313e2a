import type { RunReport } from "../metrics/report-types"
import { meanInterval } from "../stats/interval"
import { runScalars } from "./scalars"

export const comparisonMethod =
  "Per variant: mean over seeds with a Student-t interval (df = n−1). Differences: paired by seed " +
  "(runs of one seed share named RNG streams across variants: common random numbers), mean of per-seed " +
  "differences with a Student-t interval (df = pairs−1). A verdict is given only where the interval excludes 0."

export interface VariantSummary {
  readonly variant: string
  readonly n: number
  readonly mean: number | null
  readonly low: number | null
  readonly high: number | null
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
  /** the variant differences are taken against; default: the first variant in sorted order */
  readonly baseline?: string
  readonly level?: number
}

const interval = (xs: ReadonlyArray<number>, level: number) => {
  if (xs.length === 0) return { n: 0, mean: null, low: null, high: null }
  return meanInterval(xs, level)
}

/**
 * Compares variants × seeds: groups the runs by variant, pairs them by seed. Needs at least two variants;
 * one (variant, seed) given twice is an error (the pairing would be ambiguous).
 */
export const compareRuns = (reports: ReadonlyArray<RunReport>, options: ComparisonOptions = {}): Comparison => {
  const level = options.level ?? 0.95
  const variants = [...new Set(reports.map((r) => r.meta.variant))].sort()
  if (variants.length < 2) throw new Error(`a comparison needs runs of at least two variants, got ${variants.length}`)
  const baseline = options.baseline ?? variants[0]!
  if (!variants.includes(baseline)) throw new Error(`baseline variant "${baseline}" has no runs (variants: ${variants.join(", ")})`)
  const seeds = [...new Set(reports.map((r) => r.meta.seed))].sort((a, b) => a - b)
  // variant → seed → (metric id → value)
  const table = new Map<string, Map<number, Map<string, number | null>>>()
  const metricOrder = new Map<string, { scope: string; name: string }>()
  for (const report of reports) {
    const { variant, seed } = report.meta
    let bySeed = table.get(variant)
    if (bySeed === undefined) table.set(variant, (bySeed = new Map()))
    if (bySeed.has(seed)) throw new Error(`two runs of variant "${variant}" with seed ${seed}: cannot pair runs by seed`)
    const values = new Map<string, number | null>()
    for (const s of runScalars(report)) {
      const id = `${s.scope}\u0000${s.name}`
      if (!metricOrder.has(id)) metricOrder.set(id, { scope: s.scope, name: s.name })
      values.set(id, s.value)
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
  const valueOf = (variant: string, seed: number, id: string): number | null => table.get(variant)?.get(seed)?.get(id) ?? null
  const metrics = ids.map((id): MetricComparison => {
    const { scope, name } = metricOrder.get(id)!
    const byVariant = variants.map((variant): VariantSummary => {
      const xs = seeds.map((seed) => valueOf(variant, seed, id)).filter((x): x is number => x !== null)
      return { variant, ...interval(xs, level) }
    })
    const differences = variants
      .filter((v) => v !== baseline)
      .map((variant): Difference => {
        const ds: number[] = []
        for (const seed of seeds) {
          const a = valueOf(baseline, seed, id)
          const b = valueOf(variant, seed, id)
          if (a !== null && b !== null) ds.push(b - a)
        }
        const ci = interval(ds, level)
        const verdict = ci.low !== null && ci.low > 0 ? "higher" : ci.high !== null && ci.high < 0 ? "lower" : null
        return { variant, baseline, pairs: ds.length, mean: ci.mean, low: ci.low, high: ci.high, verdict }
      })
    return { scope, name, byVariant, differences }
  })
  return { method: comparisonMethod, level, baseline, variants, seeds, metrics }
}
