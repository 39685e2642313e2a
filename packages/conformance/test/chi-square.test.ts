import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../test-support/runs"
import { chiSquareTest, upperRegularizedGamma } from "../src/stats/chi-square"

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
