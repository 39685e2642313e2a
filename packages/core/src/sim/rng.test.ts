import fc from "fast-check"
import seedrandom from "seedrandom"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { RngStreams, makeRng, streamSeed } from "./rng"

describe("Rng", () => {
  it("draws exactly what seedrandom's alea draws for the documented seed string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), fc.string(), fc.array(fc.boolean(), { maxLength: 200 }), (seed, name, which) => {
        const ours = makeRng(seed, name)
        const ref = seedrandom.alea(streamSeed(seed, name))
        for (const useDouble of which) {
          if (useDouble) expect(ours.next()).toBe(ref.double())
          else expect(ours.uint32()).toBe(ref.int32() >>> 0)
        }
      }),
      { numRuns: runs(200) },
    )
  })

  it("keeps every stream's sequence when another stream is drawn from more", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.uniqueArray(fc.string({ maxLength: 8 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(20)), { maxLength: 30 }),
        (seed, names, extra) => {
          // Reference: each stream alone, 40 draws.
          const alone = new Map(names.map((n) => [n, Array.from({ length: 40 }, ((r) => () => r.next())(makeRng(seed, n)))]))
          // Interleaved: the same streams from one RngStreams, with extra draws on arbitrary streams.
          const streams = new RngStreams(seed)
          const got = new Map<string, number[]>(names.map((n) => [n, []]))
          for (const [i, k] of extra) {
            const n = names[i % names.length] as string
            for (let j = 0; j < k; j++) got.get(n)?.push(streams.get(n).next())
          }
          for (const n of names) while ((got.get(n) as number[]).length < 40) got.get(n)?.push(streams.get(n).next())
          for (const n of names) expect((got.get(n) as number[]).slice(0, 40)).toEqual(alone.get(n))
        },
      ),
      { numRuns: runs(100) },
    )
  })

  it("gives different streams for different names and seeds", () => {
    const a = makeRng(1, "a").next()
    expect(makeRng(1, "b").next()).not.toBe(a)
    expect(makeRng(2, "a").next()).not.toBe(a)
    expect(makeRng(1, "a").next()).toBe(a)
  })

  it("keeps draws in range and rejects bad arguments", () => {
    const r = makeRng(3, "x")
    for (let i = 0; i < 1000; i++) {
      const u = r.next()
      expect(u >= 0 && u < 1).toBe(true)
      const x = r.uint32()
      expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true)
      const k = r.int(-3, 4)
      expect(Number.isInteger(k) && k >= -3 && k < 4).toBe(true)
      expect(r.exponential(2)).toBeGreaterThanOrEqual(0)
    }
    expect(() => r.int(2, 2)).toThrow(/empty range/)
    expect(() => r.choice([])).toThrow(/empty list/)
    expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4])
  })

  it("has the exponential's mean", () => {
    const r = makeRng(5, "exp")
    let s = 0
    const n = 200_000
    for (let i = 0; i < n; i++) s += r.exponential(4)
    // Mean 1/4, sd 1/4: the sample mean's sd is 0.25/sqrt(n) ≈ 0.00056; allow 5 sd.
    expect(Math.abs(s / n - 0.25)).toBeLessThan(5 * 0.25 / Math.sqrt(n))
  })
})
