import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { Interrupt, ProcessError, sleep, until, type Process } from "./process"
import { Simulation } from "./simulation"

describe("processes", () => {
  it("sleep: a body resumes at the exact times it asked for, one event per wake-up", () => {
    const sim = new Simulation(1)
    const seen: number[] = []
    const p = sim.process(function* () {
      seen.push(sim.now)
      for (const d of [5, 0, 10, 3]) {
        yield sleep(d)
        seen.push(sim.now)
      }
      return "done"
    }, "sleeper")
    expect(p.state).toBe("ready")
    sim.run()
    expect(seen).toEqual([0, 5, 5, 15, 18])
    expect(p.state).toBe("finished")
    expect(p.result).toBe("done")
    // A start plus four sleeps: five queue entries, five events.
    expect(sim.eventsProcessed).toBe(5)
  })

  it("starts bodies at the current instant, in start order, after what is already due", () => {
    const sim = new Simulation(1)
    const log: string[] = []
    const k = sim.defineKind<string>("cb", (s) => log.push(s))
    sim.at(0, k, "callback")
    sim.process(function* () {
      log.push("a")
    })
    sim.process(function* () {
      log.push("b")
    })
    sim.run()
    expect(log).toEqual(["callback", "a", "b"])
  })

  it("signal: wakes the waiters of that moment in FIFO order with the value; later waiters wait for the next fire", () => {
    const sim = new Simulation(1)
    const sig = sim.signal<number>("go")
    const log: string[] = []
    for (const name of ["w1", "w2", "w3"]) {
      sim.process(function* () {
        const v: number = yield sig
        log.push(`${name}:${v}@${sim.now}`)
        const v2: number = yield sig
        log.push(`${name}:${v2}@${sim.now}`)
      }, name)
    }
    sim.process(function* () {
      yield sleep(10)
      expect(sig.waiting).toBe(3)
      sig.fire(1)
      expect(sig.waiting).toBe(0)
      yield sleep(10)
      sig.fire(2)
    }, "firer")
    sim.run()
    expect(log).toEqual(["w1:1@10", "w2:1@10", "w3:1@10", "w1:2@20", "w2:2@20", "w3:2@20"])
    expect(sig.fired).toBe(2)
    expect(sig.value).toBe(2)
  })

  it("latch: waiting on a fired latch (or a finished process) continues at once; firing twice is an error", () => {
    const sim = new Simulation(1)
    const ready = sim.latch<string>("ready")
    const log: string[] = []
    const child = sim.process(function* () {
      yield sleep(4)
      return 42
    }, "child")
    sim.process(function* () {
      const r: number = yield child
      log.push(`child returned ${r} at ${sim.now}`)
      ready.fire("yes")
      const again: number = yield child
      const v: string = yield ready
      log.push(`${again} ${v} at ${sim.now}`)
    }, "parent")
    sim.run()
    expect(log).toEqual(["child returned 42 at 4", "42 yes at 4"])
    expect(() => ready.fire("no")).toThrow(/latch "ready" has already fired/)
    expect(child.done.settled).toBe(true)
  })

  it("until: continues at once if the condition holds, else re-checks it on each fire", () => {
    const sim = new Simulation(1)
    const changed = sim.signal("changed")
    let level = 0
    const log: number[] = []
    const cond = until(() => level >= 3, changed)
    sim.process(function* () {
      yield cond
      log.push(sim.now)
      yield cond // already true: no suspension
      log.push(sim.now)
    })
    sim.process(function* () {
      for (let i = 0; i < 5; i++) {
        yield sleep(10)
        level++
        changed.fire()
      }
    })
    sim.run()
    expect(log).toEqual([30, 30])
  })

  it("until on a fired latch whose condition is false fails loudly", () => {
    const sim = new Simulation(1)
    const l = sim.latch("l")
    l.fire()
    sim.process(function* () {
      yield until(() => false, l)
    }, "stuck")
    expect(() => sim.run()).toThrow(/process "stuck" at 0 ns: .*latch "l" .*already fired/)
  })

  it("interrupt: throws Interrupt into the body now and abandons its sleep or wait", () => {
    const sim = new Simulation(1)
    const sig = sim.signal("never")
    const log: string[] = []
    const sleeper = sim.process(function* () {
      try {
        yield sleep(100)
        log.push("woke normally")
      } catch (e) {
        log.push(`sleeper ${(e as Interrupt).reason} at ${sim.now}`)
      }
      yield sleep(1)
      log.push(`sleeper continues at ${sim.now}`)
    }, "sleeper")
    const waiter = sim.process(function* () {
      try {
        yield sig
      } catch (e) {
        if (!(e instanceof Interrupt)) throw e
        log.push(`waiter ${e.reason} at ${sim.now}`)
      }
    }, "waiter")
    sim.process(function* () {
      yield sleep(7)
      expect(sleeper.interrupt("stop")).toBe(true)
      expect(waiter.interrupt("go away")).toBe(true)
      expect(sig.waiting).toBe(0)
    })
    sim.run()
    expect(log).toEqual(["sleeper stop at 7", "waiter go away at 7", "sleeper continues at 8"])
    expect(sim.now).toBe(8) // the abandoned sleep to 100 never ran
    expect(sleeper.interrupt("again")).toBe(false)
  })

  it("an interrupt the body does not catch stops the run", () => {
    const sim = new Simulation(1)
    const p = sim.process(function* () {
      yield sleep(10)
    }, "victim")
    sim.process(function* () {
      yield sleep(1)
      p.interrupt("bye")
    })
    let err: unknown
    try {
      sim.run()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ProcessError)
    expect((err as ProcessError).message).toBe('process "victim" at 1 ns: its body threw: interrupted: bye')
    expect((err as ProcessError).cause).toBeInstanceOf(Interrupt)
    expect(p.state).toBe("failed")
  })

  it("kill: ends the body (its finally runs), fires done with undefined, leaves no wake-up behind", () => {
    const sim = new Simulation(1)
    const log: string[] = []
    const p = sim.process(function* () {
      try {
        yield sleep(50)
        log.push("not reached")
      } finally {
        log.push(`finally at ${sim.now}`)
      }
    }, "doomed")
    sim.process(function* () {
      const r: unknown = yield p
      log.push(`done fired with ${String(r)} at ${sim.now}`)
    })
    sim.process(function* () {
      yield sleep(5)
      expect(p.kill()).toBe(true)
      expect(p.kill()).toBe(false)
    })
    sim.run()
    expect(log).toEqual(["finally at 5", "done fired with undefined at 5"])
    expect(p.state).toBe("killed")
    expect(sim.now).toBe(5)
    expect(sim.pending).toBe(0)
  })

  it("refuses to kill or interrupt itself, and to interrupt a process that has not started", () => {
    const sim = new Simulation(1)
    const holder: { p?: Process<void> } = {}
    holder.p = sim.process(function* () {
      yield sleep(1)
      ;(holder.p as Process<void>).kill()
    }, "selfish")
    expect(() => holder.p?.interrupt("early")).toThrow(/has not started yet/)
    expect(() => sim.run()).toThrow(/cannot kill itself/)
  })

  it("a body that throws, or yields something else, stops the run naming the process and the time", () => {
    const sim = new Simulation(1)
    sim.process(function* () {
      yield sleep(3)
      throw new Error("broken model")
    }, "faulty")
    expect(() => sim.run()).toThrow('process "faulty" at 3 ns: its body threw: broken model')

    const sim2 = new Simulation(1)
    sim2.process(function* () {
      yield -1
    }, "negative")
    expect(() => sim2.run()).toThrow(/process "negative" at 0 ns: yielded -1: expected a sleep in nanoseconds/)

    const sim3 = new Simulation(1)
    sim3.process(function* () {
      yield "soon" as unknown as number
    }, "stringy")
    expect(() => sim3.run()).toThrow(/yielded string soon/)
    expect(() => sleep(1.5)).toThrow(/whole, non-negative/)

    const sim4 = new Simulation(1)
    sim4.process(function* () {
      yield sleep(5)
      yield 2 ** 53 - 3
    }, "far")
    expect(() => sim4.run()).toThrow('process "far" at 5 ns: sleep(9007199254740989) ends beyond the simulation horizon (2^53-1 ns)')

    const other = new Simulation(2).signal("elsewhere")
    const sim5 = new Simulation(1)
    sim5.process(function* () {
      yield other
    }, "lost")
    expect(() => sim5.run()).toThrow('process "lost" at 0 ns: waits on "elsewhere", which belongs to another simulation')
  })

  it("orders equal-time wake-ups by when they were requested, across processes and callbacks", () => {
    // Each process sleeps a generated sequence of delays (many zeros and equal sums); the log must be
    // ordered by (wake time, request order) — the kernel's (time, sequence) rule seen through processes.
    const plan = fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 }), { minLength: 1, maxLength: 6 })
    fc.assert(
      fc.property(plan, (sleeps) => {
        const sim = new Simulation(1)
        let requests = 0
        const log: Array<{ t: number; req: number }> = []
        sleeps.forEach((ds, i) => {
          sim.process(function* () {
            for (const d of ds) {
              const req = requests++
              yield sleep(d)
              log.push({ t: sim.now, req })
            }
          }, `p${i}`)
        })
        sim.run()
        const sorted = log.slice().sort((a, b) => a.t - b.t || a.req - b.req)
        expect(log).toEqual(sorted)
        expect(log.length).toBe(sleeps.flat().length)
        expect(sim.eventsProcessed).toBe(sleeps.length + sleeps.flat().length)
      }),
      { numRuns: runs(200) },
    )
  })
})
