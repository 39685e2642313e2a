import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { Simulation, type EventKind } from "./simulation"
import { SimulationError, rootCause } from "./simulation-error"
import { TimeRangeError } from "./time"

/** What one event does when it runs: schedule children at these delays, try to cancel these others. */
interface Behaviour {
  readonly children: readonly number[]
  readonly cancels: readonly number[]
}

interface Schedule {
  readonly initial: readonly number[]
  readonly plan: readonly Behaviour[]
  readonly until: number
}

const MAX_EVENTS = 400

const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  initial: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 30 }),
  plan: fc.array(
    fc.record({
      children: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
      cancels: fc.array(fc.nat(), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 20 },
  ),
  until: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 40 })),
})

interface Outcome {
  readonly dispatched: Array<{ readonly t: number; readonly n: number }>
  readonly times: number[]
  readonly cancelled: boolean[]
  readonly sim: Simulation
}

/** Runs a schedule; event n is the n-th scheduled (its sequence number). */
const play = (s: Schedule, runIt: (sim: Simulation, until: number) => void): Outcome => {
  const sim = new Simulation(7)
  const ids: number[] = []
  const times: number[] = []
  const cancelled: boolean[] = []
  const ran: boolean[] = []
  const dispatched: Array<{ t: number; n: number }> = []
  const schedule = (t: number): void => {
    const n = ids.length
    times.push(t)
    cancelled.push(false)
    ran.push(false)
    ids.push(sim.at(t, kind, n, n))
  }
  const kind: EventKind<number> = sim.defineKind<number>("e", (n) => {
    // Plain checks: expect() per event would dominate the test's time.
    if (ran[n] === true || cancelled[n] === true) throw new Error(`event ${n} ran twice or after being cancelled`)
    ran[n] = true
    dispatched.push({ t: sim.now, n })
    const b = s.plan[n % s.plan.length] as Behaviour
    for (const d of b.children) if (ids.length < MAX_EVENTS) schedule(sim.now + d)
    for (const c of b.cancels) {
      const target = c % ids.length
      const ok = sim.cancel(ids[target] as number)
      // cancel succeeds exactly when the target is still pending.
      if (ok !== (!ran[target] && !cancelled[target])) throw new Error(`cancel(${target}) returned ${ok}`)
      if (ok) cancelled[target] = true
    }
  })
  for (const t of s.initial) schedule(t)
  runIt(sim, s.until)
  return { dispatched, times, cancelled, sim }
}

describe("Simulation dispatch", () => {
  it("runs due events once each, in (time, scheduling order), never a cancelled one", () => {
    fc.assert(
      fc.property(scheduleArb, (s) => {
        const { dispatched, times, cancelled, sim } = play(s, (sim, until) => sim.run(until === Infinity ? {} : { until }))
        for (let i = 1; i < dispatched.length; i++) {
          const a = dispatched[i - 1] as { t: number; n: number }
          const b = dispatched[i] as { t: number; n: number }
          if (b.t < a.t || (b.t === a.t && b.n < a.n)) throw new Error(`event ${b.n}@${b.t} ran after ${a.n}@${a.t}`)
        }
        const ranSet = new Set(dispatched.map((d) => d.n))
        let stillPending = 0
        for (let n = 0; n < times.length; n++) {
          const due = (times[n] as number) <= s.until
          const want = !cancelled[n] && due
          if (ranSet.has(n) !== want) throw new Error(`event ${n} at ${times[n]}: ran=${ranSet.has(n)}, cancelled=${cancelled[n]}, until=${s.until}`)
          if (!cancelled[n] && !due) stillPending++
        }
        expect(sim.pending).toBe(stillPending)
        expect(sim.eventsProcessed).toBe(dispatched.length)
        if (s.until !== Infinity) expect(sim.now).toBe(Math.max(s.until, 0))
      }),
      { numRuns: runs(300) },
    )
  })

  it("gives the same events and trace hash whether run at once or in pieces", () => {
    fc.assert(
      fc.property(scheduleArb, fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }), (s0, pieces) => {
        const s = { ...s0, until: Infinity }
        const whole = play(s, (sim) => sim.run())
        const split = play(s, (sim) => {
          for (const k of pieces) sim.run({ maxEvents: k })
          sim.run()
        })
        expect(split.dispatched).toEqual(whole.dispatched)
        expect(split.sim.traceHash).toBe(whole.sim.traceHash)
      }),
      { numRuns: runs(100) },
    )
  })

  it("reports why a run stopped, with the trace hash", () => {
    const sim = new Simulation(1)
    const k = sim.defineKind<null>("k", () => {})
    sim.at(10, k, null)
    sim.at(20, k, null)
    expect(sim.execute({ maxEvents: 1 })).toEqual({ stop: "max-events", now: 10, events: 1, traceHash: sim.traceHash })
    expect(sim.execute({ until: 15 }).stop).toBe("until")
    expect(sim.now).toBe(15)
    const r = sim.execute()
    expect(r).toEqual({ stop: "empty", now: 20, events: 2, traceHash: sim.traceHash })
    expect(r.traceHash).toMatch(/^[0-9a-f]{16}$/)
  })

  it("rejects scheduling in the past, off the integer grid or beyond the horizon, and duplicate kinds", () => {
    const sim = new Simulation(1)
    const k = sim.defineKind<null>("k", () => {})
    sim.at(10, k, null)
    sim.run()
    expect(() => sim.at(5, k, null)).toThrow(/before now \(10 ns\)/)
    expect(() => sim.at(10.5, k, null)).toThrow(TimeRangeError)
    expect(() => sim.after(2 ** 53, k, null)).toThrow(TimeRangeError)
    expect(() => sim.at(NaN, k, null)).toThrow(TimeRangeError)
    expect(() => sim.run({ until: -1 })).toThrow(TimeRangeError)
    expect(() => sim.defineKind("k", () => {})).toThrow(/already defined/)
  })

  it("stops loudly when a handler throws", () => {
    const sim = new Simulation(1)
    const k = sim.defineKind<null>("boom", () => {
      throw new Error("handler failed")
    })
    sim.at(1, k, null)
    expect(() => sim.run()).toThrow("handler failed")
  })

  it("wraps a handler's failure in a SimulationError naming the component and the time, the error as cause", () => {
    const sim = new Simulation(1)
    const cause = new TypeError("x is undefined")
    const k = sim.defineKind<null>("kube-proxy-restore:node-2", () => {
      throw cause
    })
    sim.at(1_500_000_000, k, null)
    let caught: unknown
    try {
      sim.run()
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(SimulationError)
    const e = caught as SimulationError
    expect({ component: e.component, time: e.time, message: e.message }).toEqual({ component: "kube-proxy-restore:node-2", time: 1_500_000_000, message: "kube-proxy-restore:node-2 at 1.5s: x is undefined" })
    expect(e.cause).toBe(cause)
    expect(rootCause(e)).toBe(cause)
    // A process body's failure is a ProcessError, the SimulationError that names the process.
    const sim2 = new Simulation(1)
    sim2.process(function* () {
      yield 3
      throw new Error("broken model")
    }, "kubelet/node-1")
    expect(() => sim2.run()).toThrow(expect.objectContaining({ name: "ProcessError", component: "kubelet/node-1", time: 3 }))
    // A process that misuses the kernel wraps nothing: it is its own root cause.
    const sim3 = new Simulation(1)
    sim3.process(function* () {
      yield "soon" as unknown as number
    }, "bad")
    let misuse: unknown
    try {
      sim3.run()
    } catch (e) {
      misuse = e
    }
    expect(rootCause(misuse)).toBe(misuse)
  })

  it("folds (time, kind, key) into the trace hash: any change shows", () => {
    const hashOf = (t: number, name: string, key: number): string => {
      const sim = new Simulation(1)
      const k = sim.defineKind<null>(name, () => {})
      sim.at(t, k, null, key)
      sim.run()
      return sim.traceHash
    }
    const base = hashOf(5, "a", 1)
    expect(hashOf(5, "a", 1)).toBe(base)
    expect(hashOf(6, "a", 1)).not.toBe(base)
    expect(hashOf(5 + 2 ** 32, "a", 1)).not.toBe(base)
    expect(hashOf(5, "b", 1)).not.toBe(base)
    expect(hashOf(5, "a", 2)).not.toBe(base)
  })
})
