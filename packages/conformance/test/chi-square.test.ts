import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../test-support/runs"
import { chiSquareTest, upperRegularizedGamma } from "../src/stats/chi-square"
import { renderVerdictTable } from "../src/report/verdict-table"
import { describeFit, FAIL_BELOW, fitProblem, needsRetry, RETRY_BELOW, twoStageFit } from "../src/stats/two-stage-fit"

describe("chi-square", () => {
  it("matches the table's 5% and 1% critical values", () => {
    // Critical values from any χ² table (e.g. NIST/SEMATECH e-Handbook §1.3.6.7.4).
    const table: ReadonlyArray<[number, number, number]> = [
      [1, 3.841, 0.05],
      [2, 5.991, 0.05],
      [4, 9.488, 0.05],
      [1, 6.635, 0.01],
      [4, 13.277, 0.01],
      [10, 23.209, 0.01],
    ]
    for (const [df, x, p] of table) expect(upperRegularizedGamma(df / 2, x / 2)).toBeCloseTo(p, 4)
  })

  it("Q(1, x) = e^-x exactly and Q(a, 0) = 1", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 50, noNaN: true }), (x) => {
        expect(upperRegularizedGamma(1, x)).toBeCloseTo(Math.exp(-x), 12)
      }),
      { numRuns: runs(200) },
    )
    expect(upperRegularizedGamma(3.5, 0)).toBe(1)
  })

  it("counts equal to the expectation give p = 1; impossible cells give p = 0", () => {
    expect(chiSquareTest([50, 50], [0.5, 0.5])).toEqual({ statistic: 0, df: 1, pValue: 1 })
    expect(chiSquareTest([10, 0, 5], [0.5, 0, 0.5]).pValue).toBeCloseTo(0.1967, 4) // χ² = 5/3, df 1: erfc(√(5/6))
    expect(chiSquareTest([10, 1, 5], [0.5, 0, 0.5]).pValue).toBe(0)
    expect(() => chiSquareTest([1, 2], [0.5, 0.6])).toThrow(/sum to 1/)
  })
})

describe("two-stage fit (retry only on a borderline p)", () => {
  const shares = [0.5, 0.5]
  const sampler = (samples: ReadonlyArray<ReadonlyArray<number>>) => {
    let i = 0
    return async () => samples[i++]!
  }
  it("passes at p ≥ 1e-3 without a second sample", async () => {
    const f = await twoStageFit(sampler([[52, 48]]), shares)
    expect(f).toMatchObject({ fits: true, retry: undefined })
  })
  it("fails at p < 1e-6 without a second sample", async () => {
    const f = await twoStageFit(sampler([[200, 100]]), shares) // χ² = 33.3, p ≈ 8e-9
    expect(f.first.chi.pValue).toBeLessThan(FAIL_BELOW)
    expect(f).toMatchObject({ fits: false, retry: undefined })
    expect(fitProblem("kernel", f)).toMatch(/^kernel: chi-square p = .* < 1e-6/)
  })
  it("redraws once in between, and the fresh sample decides", async () => {
    // 180/120: χ² = 12, p ≈ 5.3e-4 (borderline).
    const pass = await twoStageFit(sampler([[180, 120], [148, 152]]), shares)
    expect(needsRetry(pass.first.chi.pValue)).toBe(true)
    expect(pass.retry?.counts).toEqual([148, 152])
    expect(pass.fits).toBe(true)
    expect(describeFit(pass)).toMatch(/^5\.\d\de-4 → 0\.\d{4}$/)
    const fail = await twoStageFit(sampler([[180, 120], [181, 119]]), shares)
    expect(fail.fits).toBe(false)
    expect(fitProblem("kernel", fail)).toMatch(/then p = .* < 0\.001 on a fresh sample/)
  })
  it("a false failure needs p < 1e-6, or two borderline samples in a row: ~2e-6 per case under the null", () => {
    // P(p < α) = α for a continuous statistic: the two ways to fail add up to FAIL_BELOW + (RETRY_BELOW − FAIL_BELOW)·RETRY_BELOW.
    expect(FAIL_BELOW + (RETRY_BELOW - FAIL_BELOW) * RETRY_BELOW).toBeLessThan(2.1e-6)
  })
})

describe("verdict table", () => {
  it("shows a retry's two p-values next to the deciding one", () => {
    const t = renderVerdictTable([
      { case: "ClusterIP 2 endpoints", kernel: "a=180 b=120", kubesim: "a=150 b=150", pValue: 0.8174, retried: "kernel 5.32e-4 → 0.8174", verdict: "pass" },
      { case: "no endpoints", kernel: "x", kubesim: "x", pValue: null, verdict: "pass" },
    ])
    expect(t.split("\n")[2]).toMatch(/0\.8174 \(retry: kernel 5\.32e-4 → 0\.8174\)\s+pass$/)
    expect(t.split("\n")[3]).toMatch(/ -\s+pass$/)
  })
})
