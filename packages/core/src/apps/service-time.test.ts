import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { NANOS_PER_MILLI, Simulation } from "../sim/index"
import { drawServiceTime, parseServiceTime, serviceTimeMean, type ServiceTime } from "./service-time"

const MS = NANOS_PER_MILLI

describe("parseServiceTime (the kubesim.dev/service-time annotation)", () => {
  it("reads each distribution, durations in Go syntax", () => {
    expect(parseServiceTime("250us")).toEqual({ kind: "constant", value: 250_000 })
    expect(parseServiceTime("constant(2ms)")).toEqual({ kind: "constant", value: 2 * MS })
    expect(parseServiceTime("exponential(mean=20ms)")).toEqual({ kind: "exponential", mean: 20 * MS })
    expect(parseServiceTime("lognormal(median=2ms, sigma=0.5)")).toEqual({ kind: "lognormal", median: 2 * MS, sigma: 0.5 })
    // mu is the mean of ln(seconds): e^-6.2146 s ≈ 2 ms.
    expect(parseServiceTime("lognormal(mu=-6.2146, sigma=1)")).toEqual({ kind: "lognormal", median: Math.round(Math.exp(-6.2146) * 1e9), sigma: 1 })
  })

  it("bad text says what was wrong and what is expected", () => {
    const msg = (t: string): string => {
      try {
        parseServiceTime(t, "annotation kubesim.dev/service-time")
        return ""
      } catch (e) {
        return (e as Error).message
      }
    }
    expect(msg("gamma(k=2)")).toMatch(/^annotation kubesim\.dev\/service-time: unknown distribution "gamma" in "gamma\(k=2\)"; expected constant\(<duration>\), exponential/)
    expect(msg("exponential(mean=fast)")).toMatch(/mean "fast" is not a duration/)
    expect(msg("exponential(mean=0s)")).toMatch(/an exponential needs a mean > 0/)
    expect(msg("lognormal(median=2ms)")).toMatch(/missing sigma/)
    expect(msg("lognormal(median=2ms, mu=1, sigma=1)")).toMatch(/give exactly one of median, mu/)
    expect(msg("lognormal(median=2ms, sigma=-1)")).toMatch(/sigma: expected a finite number ≥ 0/)
    expect(msg("exponential(mean=1ms, rate=3)")).toMatch(/unknown parameter "rate" for exponential/)
    expect(msg("2 ms")).toMatch(/duration "2 ms" is not a duration/)
  })
})

/** Sample mean and variance of n draws. */
const moments = (s: ServiceTime, seed: number, n: number): { mean: number; variance: number } => {
  const rng = new Simulation(seed).rng("http-server/test")
  let sum = 0
  let sq = 0
  for (let i = 0; i < n; i++) {
    const x = drawServiceTime(s, rng)
    sum += x
    sq += x * x
  }
  const mean = sum / n
  return { mean, variance: sq / n - mean * mean }
}

describe("service-time draws have the distribution's moments", () => {
  const N = 40_000
  it("exponential: mean m, variance m² (within 3 % / 6 %)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 100 }), (seed, m) => {
        const s: ServiceTime = { kind: "exponential", mean: m * MS }
        const { mean, variance } = moments(s, seed, N)
        expect(Math.abs(mean / (m * MS) - 1)).toBeLessThan(0.03)
        expect(Math.abs(variance / (m * MS) ** 2 - 1)).toBeLessThan(0.06)
      }),
      { numRuns: runs(5) },
    )
  })

  it("lognormal: mean median·e^(σ²/2), variance (e^(σ²) − 1)·e^(2μ+σ²), median e^μ", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.1, max: 0.6, noNaN: true }), (seed, sigma) => {
        const s: ServiceTime = { kind: "lognormal", median: 5 * MS, sigma }
        const { mean, variance } = moments(s, seed, N)
        const mu = Math.log(5 * MS)
        expect(Math.abs(mean / serviceTimeMean(s) - 1)).toBeLessThan(0.02)
        expect(Math.abs(variance / ((Math.exp(sigma * sigma) - 1) * Math.exp(2 * mu + sigma * sigma)) - 1)).toBeLessThan(0.1)
      }),
      { numRuns: runs(5) },
    )
  })

  it("constant: every draw is the value and uses no randomness", () => {
    expect(moments({ kind: "constant", value: 7 * MS }, 1, 100)).toEqual({ mean: 7 * MS, variance: 0 })
  })
})
