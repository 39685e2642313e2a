import { describe, expect, it } from "vitest"
import { mm1Callbacks, mm1Processes } from "./mm1"

// Student t quantile t(0.9995; 19): a two-sided 99.9% interval from 20 batch means.
const T_19_9995 = 3.883

describe("M/M/1 (λ=0.9, μ=1.0)", () => {
  // Tolerance from the run itself, by batch means: after a warm-up of 10,000 customers (the queue starts
  // empty), 400,000 waits form 20 consecutive batches of 19,500. At ρ = 0.9 the waits' correlation time is
  // a few hundred customers, so batch means are close to independent and normal; the 99.9% interval is
  // mean ± t(0.9995; 19) · s / √20, which must contain Wq = ρ / (μ − λ) = 9.0. (Here about ±1 s.)
  it.each([1, 2, 3])("converges to Wq = ρ/(μ−λ) = 9 s within its batch-means interval (seed %i)", (seed) => {
    const customers = 400_000
    const warmUp = 10_000
    const batches = 20
    const r = mm1Callbacks({ customers, seed, keepWaits: true })
    const waits = r.waits as Float64Array
    const size = Math.floor((customers - warmUp) / batches)
    const means: number[] = []
    for (let b = 0; b < batches; b++) {
      let s = 0
      for (let i = 0; i < size; i++) s += waits[warmUp + b * size + i] as number
      means.push(s / size)
    }
    const mean = means.reduce((a, x) => a + x, 0) / batches
    const sd = Math.sqrt(means.reduce((a, x) => a + (x - mean) ** 2, 0) / (batches - 1))
    const halfWidth = (T_19_9995 * sd) / Math.sqrt(batches)
    expect(halfWidth).toBeLessThan(2) // the run is long enough for the check to mean something
    expect(Math.abs(mean - 9)).toBeLessThan(halfWidth)
    expect(r.events).toBe(2 * customers)
    expect(r.kernelEvents).toBe(2 * customers)
  })

  it("the process version serves the very same customers: identical waits", () => {
    const a = mm1Callbacks({ customers: 50_000, seed: 5, keepWaits: true })
    const b = mm1Processes({ customers: 50_000, seed: 5, keepWaits: true })
    expect(b.waits).toEqual(a.waits)
    expect(b.meanWait).toBe(a.meanWait)
    // Its trace differs: wake-ups of processes, plus the idle server's signal wake-ups.
    expect(b.traceHash).not.toBe(a.traceHash)
    expect(b.kernelEvents).toBeGreaterThan(b.events)
  })

  it("rejects nonsense options", () => {
    expect(() => mm1Callbacks({ customers: 0 })).toThrow(/customers must be a positive integer/)
    expect(() => mm1Processes({ customers: 10, lambda: -1 })).toThrow(/rates must be positive/)
  })
})
