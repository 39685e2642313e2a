import { describe, expect, test } from "vitest"
import { buildReport, buildRunReport, compareRuns, meanInterval } from "../src/index"
import { goldenConfig } from "./support/fixtures"
import { syntheticRun } from "./support/synthetic"

const seeds = [1, 2, 3, 4]
const reports = (["baseline", "skewed"] as const).flatMap((v) => seeds.map((s) => buildRunReport(syntheticRun(goldenConfig(v, s)))))

describe("comparison of variants × seeds", () => {
  const c = compareRuns(reports)
  const metric = (scope: string, name: string) => c.metrics.find((m) => m.scope === scope && m.name === name)!
  test("an injected latency shift gets a verdict; the interval is the paired t-interval", () => {
    const p50 = metric("default/api", "p50Ms")
    const d = p50.differences[0]!
    expect(d).toMatchObject({ variant: "skewed", baseline: "baseline", pairs: 4, verdict: "higher" })
    const perSeed = seeds.map((s) => {
      const value = (v: string) => reports.find((r) => r.meta.variant === v && r.meta.seed === s)!.services.find((x) => x.service === "default/api")!.latency.p50! / 1e6
      return value("skewed") - value("baseline")
    })
    const ci = meanInterval(perSeed)
    expect(d.mean).toBeCloseTo(ci.mean, 12)
    expect(d.low).toBeCloseTo(ci.low!, 12)
    expect(p50.byVariant.map((v) => v.n)).toEqual([4, 4])
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
})
