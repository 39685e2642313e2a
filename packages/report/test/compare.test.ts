import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs as numRuns } from "../../../test-support/runs"
import { buildReport, buildRunReport, compareRuns, fisherCombined, meanInterval, wilsonInterval } from "../src/index"
import type { MetricComparison, RunReport } from "../src/index"
import { goldenConfig } from "./support/fixtures"
import { syntheticRun } from "./support/synthetic"

const seeds = [1, 2, 3, 4]
const reports = (["baseline", "skewed"] as const).flatMap((v) => seeds.map((s) => buildRunReport(syntheticRun(goldenConfig(v, s)))))
const reportOf = (v: string, s: number): RunReport => reports.find((r) => r.meta.variant === v && r.meta.seed === s)!

// The bounds of each compared quantity: an interval must never leave them.
const bounds: Record<string, [number, number]> = {
  failedShare: [0, 1],
  sourceIpPreserved: [0, 1],
  distinctSourceIps: [0, Infinity],
  jain: [0, 1],
  meanStickiness: [0, 1],
  chiSquarePValue: [0, 1],
  cv: [0, Infinity],
  p50Ms: [0, Infinity],
  p99Ms: [0, Infinity],
  errorWindows: [0, Infinity],
  errorSeconds: [0, Infinity],
  maxTimeToRecoverSeconds: [0, Infinity],
  affinityViolations: [0, Infinity],
  dnsQueriesPerLookup: [1, Infinity],
}

const withinBounds = (m: MetricComparison): void => {
  const [lo, hi] = bounds[m.name]!
  for (const v of m.byVariant) {
    for (const x of [v.mean, v.low, v.high]) {
      if (x === null) continue
      expect(x, `${m.scope} ${m.name} ${v.variant}`).toBeGreaterThanOrEqual(lo)
      expect(x, `${m.scope} ${m.name} ${v.variant}`).toBeLessThanOrEqual(hi)
    }
  }
  for (const d of m.differences) {
    if (d.low === null) continue
    expect(d.low).toBeGreaterThanOrEqual(lo - hi)
    expect(d.high!).toBeLessThanOrEqual(hi - lo)
    expect(d.low).toBeLessThanOrEqual(d.mean!)
    expect(d.high!).toBeGreaterThanOrEqual(d.mean!)
  }
}

describe("comparison of variants × seeds", () => {
  const c = compareRuns(reports)
  const metric = (scope: string, name: string) => c.metrics.find((m) => m.scope === scope && m.name === name)!
  test("an injected latency shift gets a verdict; the difference's interval is the paired t-interval", () => {
    const p50 = metric("default/api", "p50Ms")
    expect(p50.interval).toBe("bootstrap")
    const d = p50.differences[0]!
    expect(d).toMatchObject({ variant: "skewed", baseline: "baseline", pairs: 4, verdict: "higher" })
    const perSeed = seeds.map((s) => {
      const value = (v: string) => reportOf(v, s).services.find((x) => x.service === "default/api")!.latency.p50! / 1e6
      return value("skewed") - value("baseline")
    })
    const ci = meanInterval(perSeed)
    expect(d).toMatchObject({ mean: ci.mean, low: ci.low, high: ci.high })
    expect(p50.byVariant.map((v) => v.n)).toEqual([4, 4])
  })
  test("a proportion is pooled over the seeds' requests with a Wilson interval", () => {
    const f = metric("run", "failedShare")
    expect(f).toMatchObject({ kind: "proportion", interval: "wilson" })
    const events = seeds.reduce((a, s) => a + reportOf("baseline", s).requests.byOutcome.failed, 0)
    const trials = seeds.reduce((a, s) => a + reportOf("baseline", s).requests.total, 0)
    const w = wilsonInterval(events, trials)!
    expect(f.byVariant[0]).toMatchObject({ events, trials, mean: w.share, low: w.low, high: w.high })
  })
  test("a p-value gets no interval: the share of seeds rejecting at 0.05 and Fisher's combined p", () => {
    const p = metric("default/api", "chiSquarePValue")
    expect(p).toMatchObject({ kind: "p-value", interval: "none" })
    const ps = seeds.map((s) => reportOf("skewed", s).services.find((x) => x.service === "default/api")!.chiSquare.pValue!)
    expect(p.byVariant[1]).toMatchObject({ low: null, high: null, rejected: ps.filter((x) => x < 0.05).length, fisherP: fisherCombined(ps) })
    expect(p.differences[0]).toMatchObject({ mean: null, low: null, high: null, verdict: null })
  })
  test("every interval lies within its quantity's bounds", () => {
    for (const m of c.metrics) withinBounds(m)
  })
  test("every interval lies within its quantity's bounds, for any seeds and skew (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 6 }), (ss, w) => {
        const rs = ss.flatMap((seed) => [
          buildRunReport(syntheticRun({ ...goldenConfig("baseline", seed), seconds: 12 })),
          buildRunReport(
            syntheticRun({
              ...goldenConfig("skewed", seed),
              seconds: 12,
              services: [{ name: "web-service", replicas: 3, port: 80, actualWeights: [w, 1, 1] }],
            }),
          ),
        ])
        for (const m of compareRuns(rs).metrics) withinBounds(m)
      }),
      { numRuns: numRuns(6) },
    )
  })
  test("identical variants give zero differences and no verdict", () => {
    const same = reports.filter((r) => r.meta.variant === "baseline")
    const twin = same.map((r) => ({ ...r, meta: { ...r.meta, variant: "twin" } }))
    for (const m of compareRuns([...same, ...twin]).metrics) {
      for (const d of m.differences) {
        expect(d.verdict).toBeNull()
        if (d.mean !== null) expect(d.mean).toBe(0)
      }
    }
  })
  test("states its method, orders run-wide metrics first, refuses ambiguous pairings", () => {
    expect(c.method).toMatch(/paired by seed/)
    expect(c.metrics[0]!.scope).toBe("run")
    expect(() => compareRuns([...reports, reports[0]!])).toThrow(/two runs of variant "baseline" with seed 1/)
    expect(() => compareRuns(reports, { baseline: "nope" })).toThrow(/baseline variant "nope"/)
  })
  test("a report of several variants includes the comparison; the run order does not matter", () => {
    const runs = (["skewed", "baseline"] as const).flatMap((v) => [2, 1].map((s) => syntheticRun(goldenConfig(v, s))))
    const a = buildReport(runs)
    expect(a.comparison).not.toBeNull()
    expect(buildReport([...runs].reverse())).toEqual(a)
    expect(a.runs.map((r) => `${r.meta.variant}/${r.meta.seed}`)).toEqual(["baseline/1", "baseline/2", "skewed/1", "skewed/2"])
  })
  test("one variant over several seeds gets the across-seed summary (no differences); one run gets none", () => {
    const runs = [1, 2, 3, 4, 5].map((s) => syntheticRun(goldenConfig("baseline", s)))
    const r = buildReport(runs)
    expect(r.comparison).toMatchObject({ variants: ["baseline"], seeds: [1, 2, 3, 4, 5] })
    expect(r.comparison!.metrics.every((m) => m.differences.length === 0)).toBe(true)
    expect(r.comparison!.metrics.find((m) => m.name === "jain")!.byVariant[0]!.low).not.toBeNull()
    expect(buildReport(runs.slice(0, 1)).comparison).toBeNull()
  })
})
