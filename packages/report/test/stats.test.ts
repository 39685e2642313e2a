import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../test-support/runs"
import { bootstrapInterval, chiSquareTest, coefficientOfVariation, fisherCombined, jainIndex, maxMinRatio, nearestRank, normalisedEntropy, wilsonInterval } from "../src/index"

// Allocations are counts or rates: zero or of ordinary magnitude (a subnormal times 0.001 is 0, not a scaled count).
const allocations = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 40 })

describe("Jain's fairness index", () => {
  test("is exactly 1 when all allocations are equal", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e9, noNaN: true }), fc.integer({ min: 1, max: 50 }), (x, n) => {
        expect(jainIndex(Array.from({ length: n }, () => x))).toBe(1)
      }),
      { numRuns: runs(200) },
    )
  })
  test("lies in [1/n, 1] and is 1/n when one gets everything", () => {
    fc.assert(
      fc.property(allocations, (xs) => {
        const j = jainIndex(xs)
        if (xs.every((x) => x === 0)) {
          expect(j).toBeNull()
          return
        }
        expect(j!).toBeGreaterThanOrEqual(1 / xs.length)
        expect(j!).toBeLessThanOrEqual(1)
      }),
      { numRuns: runs(300) },
    )
    expect(jainIndex([0, 0, 7, 0])).toBe(0.25)
  })
  test("is invariant under scaling", () => {
    fc.assert(
      fc.property(allocations, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (xs, c) => {
        const j = jainIndex(xs)
        const scaled = jainIndex(xs.map((x) => x * c))
        if (j === null) {
          expect(scaled).toBeNull()
          return
        }
        expect(scaled!).toBeCloseTo(j, 10)
      }),
      { numRuns: runs(300) },
    )
  })
  test("known value", () => {
    // (1+2+3)² / (3·(1+4+9)) = 36/42
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 15)
  })
})

describe("dispersion", () => {
  test("coefficient of variation, max/min and entropy on known inputs", () => {
    expect(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2 / 5, 15)
    expect(coefficientOfVariation([3, 3, 3])).toBe(0)
    expect(maxMinRatio([2, 8, 4])).toBe(4)
    expect(maxMinRatio([0, 1])).toBeNull()
    expect(normalisedEntropy([5, 5, 5, 5])).toBeCloseTo(1, 15)
    expect(normalisedEntropy([0, 9, 0])).toBe(0)
    expect(normalisedEntropy([])).toBeNull()
  })
})

describe("chi-square goodness of fit", () => {
  test("statistic, df and the p-value from the chi-square distribution", () => {
    // (60−50)²/50 + (40−50)²/50 = 4, df 1: p = 0.0455 (tables)
    const r = chiSquareTest([60, 40], [50, 50])
    expect(r.statistic).toBeCloseTo(4, 12)
    expect(r.df).toBe(1)
    expect(r.pValue!).toBeCloseTo(0.0455, 4)
    expect(chiSquareTest([10, 10, 10], [10, 10, 10]).pValue).toBe(1)
    expect(chiSquareTest([5], [5])).toEqual({ statistic: 0, df: 0, pValue: null })
  })
  test("cells with no expected count are left out", () => {
    expect(chiSquareTest([60, 40, 3], [50, 50, 0])).toEqual(chiSquareTest([60, 40], [50, 50]))
  })
})

describe("intervals, combined p-values and percentiles", () => {
  test("Wilson: the textbook value, exact edges, and always inside [0, 1] around the share", () => {
    // 0 of 10 at 95 %: upper bound z²/(n + z²) = 0.2775 (Brown, Cai & DasGupta 2001, table 1's neighbourhood)
    const zero = wilsonInterval(0, 10)!
    expect(zero.low).toBe(0)
    expect(zero.high).toBeCloseTo(0.27753, 4)
    expect(wilsonInterval(5, 10)!.low).toBeCloseTo(0.23659, 4)
    expect(wilsonInterval(10, 10)!.high).toBe(1)
    expect(wilsonInterval(0, 0)).toBeNull()
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const x = Math.floor(f * n)
        const w = wilsonInterval(x, n)!
        expect(w.low).toBeGreaterThanOrEqual(0)
        expect(w.high).toBeLessThanOrEqual(1)
        expect(w.low).toBeLessThanOrEqual(w.share)
        expect(w.high).toBeGreaterThanOrEqual(w.share)
      }),
      { numRuns: runs(300) },
    )
  })
  test("bootstrap: deterministic per key, inside the observed range, around the mean", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 30 }), fc.string(), (xs, key) => {
        const b = bootstrapInterval(xs, key)
        expect(bootstrapInterval(xs, key)).toEqual(b)
        expect(b.low!).toBeGreaterThanOrEqual(Math.min(...xs))
        expect(b.high!).toBeLessThanOrEqual(Math.max(...xs))
        expect(b.low!).toBeLessThanOrEqual(b.high!)
      }),
      { numRuns: runs(100) },
    )
    expect(bootstrapInterval([7], "k")).toEqual({ n: 1, mean: 7, low: null, high: null })
    expect(bootstrapInterval([2, 2, 2], "k")).toEqual({ n: 3, mean: 2, low: 2, high: 2 })
  })
  test("Fisher's method: one p is itself, independent 0.05s combine below 0.05, a 0 dominates", () => {
    expect(fisherCombined([0.3])).toBeCloseTo(0.3, 12)
    expect(fisherCombined([0.05, 0.05, 0.05])!).toBeLessThan(0.01)
    expect(fisherCombined([0, 0.9])).toBe(0)
    expect(fisherCombined([])).toBeNull()
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }), (ps) => {
        const p = fisherCombined(ps)!
        expect(p).toBeGreaterThanOrEqual(0)
        expect(p).toBeLessThanOrEqual(1)
      }),
      { numRuns: runs(200) },
    )
  })
  test("nearest rank", () => {
    const xs = Float64Array.from([1, 2, 3, 4])
    expect(nearestRank(xs, 0.5)).toBe(2)
    expect(nearestRank(xs, 0.9)).toBe(4)
    expect(nearestRank(xs, 1)).toBe(4)
    expect(nearestRank(new Float64Array(0), 0.5)).toBeNull()
  })
})
