import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs as numRuns } from "../../../../../test-support/runs"
import { millis, seconds, Simulation, type Nanos } from "../../sim/index"
import { BoundedFrequencyRunner } from "./bounded-frequency-runner"

type Step = { at: Nanos; op: "run" | { retryAfter: Nanos } }

/** Runs a script of requests against a runner and returns the start times of fn's runs. */
const scenario = (min: Nanos, max: Nanos, burst: number, steps: ReadonlyArray<Step>, until: Nanos, duration: Nanos = 0): Nanos[] => {
  const sim = new Simulation(1)
  const runner = new BoundedFrequencyRunner(sim, "test", () => duration, min, max, burst)
  const req = sim.defineKind<Step>("request", (s) => (s.op === "run" ? runner.run() : runner.retryAfter(s.op.retryAfter)))
  runner.loop()
  for (const s of steps) sim.at(s.at, req, s)
  sim.run({ until })
  return runner.runs
}

const ms = millis
const s = seconds

// Our own table after pkg/util/async/bounded_frequency_runner_test.go's scenarios (Test_BoundedFrequencyRunnerNoBurst,
// ...Burst, ...RetryAfter): a fake clock stepped through requests, checking when fn runs.
describe("BoundedFrequencyRunner", () => {
  it("no burst: first request runs at once, later ones wait for minInterval and coalesce", () => {
    const runs = scenario(s(1), s(10), 1, [
      { at: 0, op: "run" },
      { at: ms(500), op: "run" },
      { at: ms(600), op: "run" },
      { at: ms(999), op: "run" },
    ], s(30))
    // 0: immediate; 0.5–0.999 coalesce into one run at 1 s; then periodic every maxInterval.
    expect(runs).toEqual([0, s(1), s(11), s(21)])
  })

  it("burst 2: two back-to-back runs, then one per minInterval", () => {
    const runs = scenario(s(1), s(60), 2, [
      { at: 0, op: "run" },
      { at: ms(100), op: "run" },
      { at: ms(200), op: "run" },
      { at: ms(300), op: "run" },
    ], s(5))
    // Tokens: 2 at start; 0.1 s after the second run only 0.1 token → next possible at lastRun + 1 s = 1.1 s.
    expect(runs).toEqual([0, ms(100), ms(1100)])
  })

  it("burst refills at one token per minInterval", () => {
    const runs = scenario(s(1), s(60), 2, [
      { at: 0, op: "run" },
      { at: ms(10), op: "run" },
      { at: s(5), op: "run" },
      { at: ms(5010), op: "run" },
      { at: ms(5020), op: "run" },
    ], s(8))
    expect(runs).toEqual([0, ms(10), s(5), ms(5010), ms(6010)])
  })

  it("runs at least once per maxInterval without requests", () => {
    expect(scenario(s(1), s(10), 2, [], s(35))).toEqual([s(10), s(20), s(30)])
  })

  it("retryAfter pulls the next run in, but not before minInterval's token allows", () => {
    const runs = scenario(s(1), s(60), 1, [
      { at: 0, op: "run" },
      { at: ms(100), op: { retryAfter: s(5) } },
      { at: ms(200), op: { retryAfter: s(30) } },
    ], s(20))
    expect(runs).toEqual([0, ms(5100)])
  })

  it("minInterval is measured from the end of a run; requests during a run wait for it", () => {
    const runs = scenario(s(1), s(60), 1, [
      { at: 0, op: "run" },
      { at: ms(100), op: "run" },
    ], s(5), ms(300))
    // Run 0–0.3 s; the request at 0.1 s is seen at 0.3 s; the token is back at 1 s, and lastRun+1 s = 1.3 s.
    expect(runs).toEqual([0, ms(1300)])
  })

  it("minInterval 0 disables rate limiting", () => {
    const runs = scenario(0, s(60), 1, [
      { at: 0, op: "run" },
      { at: 1, op: "run" },
      { at: 2, op: "run" },
    ], s(1))
    expect(runs).toEqual([0, 1, 2])
  })

  it("rejects maxInterval < minInterval", () => {
    expect(() => new BoundedFrequencyRunner(new Simulation(1), "bad", () => 0, s(2), s(1), 1)).toThrow(/maxInterval/)
  })

  it("hold: a run requested while the function runs outside the loop (the proxier's mutex) starts when it returns", () => {
    const sim = new Simulation(1)
    const runner = new BoundedFrequencyRunner(sim, "test", () => ms(10), s(1), s(60), 2)
    runner.loop()
    const req = sim.defineKind<null>("request", () => {
      // A direct call holds the function for 300 ms; a request right after, and one whose wake was already due.
      runner.run()
      runner.hold(sim.now + ms(300))
    })
    sim.at(ms(100), req, null)
    sim.run({ until: s(2) })
    expect(runner.runs).toEqual([ms(400)])
    expect(runner.freeAt).toBe(ms(410))
  })

  it("dropping requests the limiter must refuse changes no run: the same start times as handing each to the loop", () => {
    const op = fc.oneof(
      fc.constant("run" as const),
      fc.record({ retryAfter: fc.integer({ min: 0, max: 3_000 }) }),
      fc.record({ hold: fc.integer({ min: 0, max: 800 }) }),
    )
    const step = fc.record({ at: fc.integer({ min: 0, max: 20_000 }), op })
    const config = fc.record({ min: fc.integer({ min: 0, max: 2_000 }), extra: fc.integer({ min: 0, max: 10_000 }), burst: fc.integer({ min: 1, max: 3 }), duration: fc.integer({ min: 0, max: 400 }) })
    const startTimes = (c: { min: number; extra: number; burst: number; duration: number }, steps: ReadonlyArray<{ at: number; op: "run" | { retryAfter: number } | { hold: number } }>, literal: boolean): Nanos[] => {
      const sim = new Simulation(1)
      const runner = new BoundedFrequencyRunner(sim, "test", () => ms(c.duration), ms(c.min), ms(c.min + c.extra), c.burst, literal)
      const req = sim.defineKind<(typeof steps)[number]>("request", (st) => {
        if (st.op === "run") runner.run()
        else if ("retryAfter" in st.op) runner.retryAfter(ms(st.op.retryAfter))
        else if (!runner.busy) runner.hold(sim.now + ms(st.op.hold))
      })
      runner.loop()
      for (const st of steps) sim.at(ms(st.at), req, st)
      sim.run({ until: ms(40_000) })
      return runner.runs
    }
    fc.assert(
      fc.property(config, fc.array(step, { maxLength: 60 }), (c, steps) => {
        expect(startTimes(c, steps, false)).toEqual(startTimes(c, steps, true))
      }),
      { numRuns: numRuns(300) },
    )
  })
})
