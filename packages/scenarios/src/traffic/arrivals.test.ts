import { makeRng } from "@kubesim/core"
import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../test-support/runs"
import { burstArrivals, mergeArrivals, poissonArrivals, rampArrivals } from "./arrivals"

const S = 1e9

describe("arrival schedules", () => {
  test("Poisson: sorted, inside the window, count close to rate × length", () => {
    const t = poissonArrivals(makeRng(1, "p"), 50, 10 * S, 210 * S)
    expect(t.every((x, i) => x >= 10 * S && x < 210 * S && (i === 0 || x > (t[i - 1] as number)))).toBe(true)
    // 10 000 expected; 4 standard deviations is 400.
    expect(Math.abs(t.length - 10_000)).toBeLessThan(400)
  })

  test("ramp: the second half of a 0 → r ramp gets three times the first half's arrivals", () => {
    const t = rampArrivals(makeRng(1, "r"), 0, 100, 200 * S, 0, 200 * S)
    const first = t.filter((x) => x < 100 * S).length
    const second = t.length - first
    // Expected 2 500 and 7 500.
    expect(Math.abs(first - 2500)).toBeLessThan(250)
    expect(Math.abs(second - 7500)).toBeLessThan(400)
  })

  test("bursts: size requests every period, spread evenly", () => {
    expect(burstArrivals(3, 10 * S, 3 * S, 0, 25 * S)).toEqual([0, 1 * S, 2 * S, 10 * S, 11 * S, 12 * S, 20 * S, 21 * S, 22 * S])
    expect(burstArrivals(2, 10 * S, 0, 5 * S, 20 * S)).toEqual([5 * S, 5 * S, 15 * S, 15 * S])
  })

  test("same stream, same schedule; merge keeps order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.1, max: 20, noNaN: true }), (seed, rate) => {
        const a = poissonArrivals(makeRng(seed, "x"), rate, 0, 30 * S)
        expect(poissonArrivals(makeRng(seed, "x"), rate, 0, 30 * S)).toEqual(a)
        const b = burstArrivals(2, 7 * S, S, 0, 30 * S)
        const m = mergeArrivals(a, b)
        expect(m).toHaveLength(a.length + b.length)
        expect(m.every((x, i) => i === 0 || x >= (m[i - 1] as number))).toBe(true)
      }),
      { numRuns: runs(100) },
    )
  })
})
