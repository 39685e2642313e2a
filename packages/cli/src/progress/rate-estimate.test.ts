import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { ProgressBar } from "./progress-bar"
import { RateEstimate } from "./rate-estimate"

describe("progress", () => {
  it("a smoothed rate stays near the true rate when samples jitter, so the ETA does not jump", () => {
    // Work done at 1 unit/ms on average, sampled every 50–150 ms with bursts: the raw last-interval rate swings ±50 %,
    // the smoothed one stays within 10 % once it has seen a few τ.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 50, max: 150 }), fc.double({ min: 0.5, max: 1.5, noNaN: true })), { minLength: 400, maxLength: 400 }), (steps) => {
        const r = new RateEstimate(2000)
        let t = 0
        let done = 0
        r.sample(t, done)
        let rate = Number.NaN
        for (const [dt, speed] of steps) {
          t += dt
          done += dt * speed
          rate = r.sample(t, done)
        }
        // The true mean rate is 1000/s; the EWMA over the last ~2 s averages ~20 samples.
        expect(Math.abs(rate - 1000) / 1000).toBeLessThan(0.35)
      }),
      { numRuns: runs(50) },
    )
  })

  it("writes plain lines every log interval when stderr is not a terminal, none before the first interval", () => {
    let now = 0
    const out: string[] = []
    const bar = new ProgressBar({ sink: { write: (t) => out.push(t) }, clock: () => now, total: 100e9, formatAmount: (n) => `${n / 1e9}s`, rateUnit: "events/s", label: "seed 1", terminal: false })
    bar.update(1e9, 1000)
    expect(out).toEqual([])
    now = 5000
    bar.update(50e9, 500_000)
    now = 6000
    bar.update(60e9, 600_000)
    now = 10_000
    bar.update(100e9, 1_000_000)
    bar.done()
    expect(out).toHaveLength(2)
    expect(out[0]).toMatch(/^seed 1 50s of 100s \(50\.0%\) · \d+(\.\d)?k events\/s · ETA \ds\n$/)
    expect(out.every((l) => !l.includes("\r") && !l.includes("\u001b"))).toBe(true)
  })

  it("finishes with the final line and a note for what follows, unless the work was short", () => {
    let now = 0
    const out: string[] = []
    const options = { sink: { write: (t: string) => out.push(t) }, clock: () => now, total: 100e9, formatAmount: (n: number) => `${n / 1e9}s`, rateUnit: "events/s", label: "seed 1" }
    const short = new ProgressBar({ ...options, terminal: false })
    short.update(50e9, 500)
    now = 1000
    short.finish(100e9, 1000, "writing")
    expect(out).toEqual([])
    const long = new ProgressBar({ ...options, terminal: false })
    now = 7000
    long.update(50e9, 500_000)
    now = 8000
    long.finish(100e9, 1_000_000, "simulated; writing the run directory")
    expect(out).toHaveLength(3)
    expect(out[1]).toMatch(/^seed 1 100s of 100s \(100\.0%\) · /)
    expect(out[2]).toBe("seed 1 simulated; writing the run directory\n")
    out.length = 0
    // A terminal: a bar drawn for a second is only erased (by done); one drawn for longer gives way to the note.
    const quick = new ProgressBar({ ...options, terminal: true })
    quick.update(50e9, 500_000)
    now = 9000
    quick.finish(100e9, 1_000_000, "writing")
    expect(out).toHaveLength(1)
    quick.done()
    out.length = 0
    const bar = new ProgressBar({ ...options, terminal: true })
    bar.update(50e9, 500_000)
    now = 15_000
    bar.finish(100e9, 1_000_000, "writing")
    expect(out).toEqual([expect.stringMatching(/^\r.*\[#{12}\.{12}\] 50s\/100s/), "\r\u001b[K", "seed 1 writing\n"])
  })
})
