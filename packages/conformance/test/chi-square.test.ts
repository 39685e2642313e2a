import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../test-support/runs"
import { chiSquareTest } from "../src/stats/chi-square"
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
    // A statistic x over df + 1 cells with all expectation in the first … build counts whose χ² is exactly x:
    // with two cells of share ½ and n = 2m, counts m ± d give χ² = 2d²/m, so d = √(x·m/2).
    for (const [df, x, p] of table) {
      if (df !== 1) continue
      const m = 1e6
      const d = Math.sqrt((x * m) / 2)
      expect(chiSquareTest([m + d, m - d], [0.5, 0.5]).pValue).toBeCloseTo(p, 4)
    }
    // df > 1: k + 1 equal cells; one cell high by d and one low by d give χ² = 2d²/e with e = n/(k+1).
    for (const [df, x, p] of table) {
      if (df === 1) continue
      const e = 1e6
      const d = Math.sqrt((x * e) / 2)
      const counts = Array.from({ length: df + 1 }, (_, i) => (i === 0 ? e + d : i === 1 ? e - d : e))
      expect(chiSquareTest(counts, counts.map(() => 1 / (df + 1))).pValue).toBeCloseTo(p, 4)
    }
  })

  it("two cells: the p-value is erfc(√(χ²/2)) (df 1)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), (d) => {
        const m = 1000
        const { statistic, pValue } = chiSquareTest([m + d, m - d], [0.5, 0.5])
        expect(statistic).toBeCloseTo((2 * d * d) / m, 9)
        // erfc via the complementary relation P(|Z| ≥ z) for a standard normal, z = √χ²: 2·(1 − Φ(z)).
        const z = Math.sqrt(statistic)
        const phi = 0.5 * (1 + erf(z / Math.SQRT2))
        expect(pValue).toBeCloseTo(2 * (1 - phi), 6)
      }),
      { numRuns: runs(200) },
    )
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

/** erf by Abramowitz & Stegun 7.1.26 is too coarse for 1e-6; use the series/continued fraction identity via Math: */
function erf(x: number): number {
  // Maclaurin series (converges for all x; |x| ≤ 6 here) — only for this test's reference values.
  let sum = 0
  let term = x
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1)
    term *= (-x * x) / (n + 1)
  }
  return (2 / Math.sqrt(Math.PI)) * sum
}
