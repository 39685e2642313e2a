import type { EventKind, Simulation } from "./simulation"
import { SimulationError } from "./simulation-error"
import type { Nanos } from "./time"

/**
 * Processes: generator functions driven by the event queue, SimPy style (`simpy/events.py`, `Process`).
 *
 * A process body yields what it waits for:
 * - a number: sleep that many nanoseconds (`yield sleep(millis(5))`; `sleep` only checks its argument);
 * - a `Signal`: wait until someone fires it; `yield` evaluates to the fired value;
 * - a `Process`: wait until it ends (its `done` latch); `yield` evaluates to its return value;
 * - `until(predicate, signal)`: continue at once if the predicate holds, else re-check it each time the
 *   signal fires and continue when it holds.
 *
 * Every wake-up is exactly one queue entry whose payload is the process itself: nothing is allocated per
 * wake-up beyond the generator's own iterator result. The trace hash sees wake-ups as events of kind
 * "sim/process" keyed by the process id (a reserved kind name).
 *
 * Waking order: a signal wakes its waiters in the order they started waiting (FIFO), each as its own
 * event at the firing instant, behind everything already scheduled for that instant. A latched signal
 * that has fired (e.g. a finished process's `done`) does not suspend: the body continues at once.
 *
 * A body that throws stops `run` with a ProcessError naming the process and the time; an `Interrupt`
 * the body does not catch does the same. `kill()` ends a process without running more of its body
 * (its `finally` blocks run) and fires `done` with undefined.
 */

/** Why a process stopped the run: its body threw (`cause` is what it threw), or it misused the kernel. */
export class ProcessError extends SimulationError {
  override readonly name = "ProcessError"
  constructor(
    readonly process: string,
    time: Nanos,
    message: string,
    options?: { cause: unknown },
  ) {
    super(process, time, options?.cause, `process "${process}" at ${time} ns: ${message}`)
  }
}

/** Thrown into a process body at its current `yield` by `Process.interrupt(cause)`. */
export class Interrupt extends Error {
  override readonly name = "Interrupt"
  constructor(readonly reason: unknown) {
    super(`interrupted: ${String(reason)}`)
  }
}

/** A wait on a condition: see `until`. Create once and reuse it in a loop to avoid an allocation per wait. */
export class Until {
  constructor(
    readonly predicate: () => boolean,
    readonly signal: Signal<unknown>,
  ) {}
}

/** Waits until `predicate()` holds, re-checking it whenever `signal` fires (no polling). */
export const until = (predicate: () => boolean, signal: Signal<any>): Until => new Until(predicate, signal)

/** A sleep of `d` ns, for `yield sleep(d)`; it is the number itself (no allocation), checked. */
export const sleep = (d: Nanos): Nanos => {
  if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`sleep(${d}): expected a whole, non-negative number of nanoseconds`)
  return d
}

/** What a process body may yield. */
export type Yieldable = number | Signal<any> | Process<any> | Until
/** A process body: `function* () { ... }` yielding Yieldables; `yield` evaluates to the wake-up value. */
export type ProcessBody<R> = Generator<Yieldable, R, any>

export type ProcessState = "ready" | "sleeping" | "waiting" | "finished" | "killed" | "failed"

/**
 * Something other code fires to wake the processes waiting on it. A pulse signal (the default) wakes
 * those waiting at the moment it fires and may fire again; a latch fires once and stays fired, so later
 * waits continue at once with its value.
 */
export class Signal<T = void> {
  private waiters: Process<unknown>[] = []
  private firedCount = 0
  private last: T | undefined = undefined

  /** @internal created by `Simulation.signal` / `Simulation.latch`. */
  constructor(
    /** @internal */
    readonly kernel: ProcessKernel,
    readonly name: string,
    readonly latch: boolean,
  ) {}

  /** The value of the last fire (undefined before the first). */
  get value(): T | undefined {
    return this.last
  }
  /** How many times it has fired. */
  get fired(): number {
    return this.firedCount
  }
  /** Processes waiting now. */
  get waiting(): number {
    return this.waiters.length
  }
  /** True for a latch that has fired: waiting on it does not suspend. */
  get settled(): boolean {
    return this.latch && this.firedCount > 0
  }

  /** Wakes every waiting process, in the order they began waiting, at the current instant. */
  fire(value: T): void {
    if (this.latch && this.firedCount > 0) throw new Error(`latch "${this.name}" has already fired`)
    this.firedCount++
    this.last = value
    const w = this.waiters
    if (w.length === 0) return
    for (let i = 0; i < w.length; i++) this.kernel.wake(w[i] as Process<unknown>, value)
    w.length = 0
  }

  /** @internal */
  addWaiter(p: Process<unknown>): void {
    this.waiters.push(p)
  }
  /** @internal */
  removeWaiter(p: Process<unknown>): void {
    const i = this.waiters.indexOf(p)
    if (i >= 0) this.waiters.splice(i, 1)
  }
}

/** A running generator body. Its `done` latch fires with its return value when it finishes. */
export class Process<R = unknown> {
  state: ProcessState = "ready"
  /** The body's return value once finished. */
  result: R | undefined = undefined
  readonly done: Signal<R | undefined>
  /** @internal pending wake-up event, or -1. */
  wakeId = -1
  /** @internal the signal it is registered with, or null. */
  waitingOn: Signal<unknown> | null = null
  /** @internal the condition it waits for, or null. */
  cond: Until | null = null
  /** @internal what the next resume sends (or throws) into the body. */
  resumeValue: unknown = undefined
  /** @internal */
  resumeThrows = false
  /** @internal */
  started = false

  /** @internal created by `Simulation.process`. */
  constructor(
    private readonly kernel: ProcessKernel,
    readonly id: number,
    readonly name: string,
    /** @internal */
    readonly body: ProcessBody<R>,
  ) {
    this.done = new Signal<R | undefined>(kernel, `${name}/done`, true)
  }

  /** True until it finishes, is killed or fails. */
  get alive(): boolean {
    return this.state === "ready" || this.state === "sleeping" || this.state === "waiting"
  }

  /**
   * Throws an `Interrupt(reason)` into the body at its current yield, at the current instant (as one
   * event). A pending sleep or wait is abandoned. Returns false if the process is no longer alive.
   */
  interrupt(reason: unknown): boolean {
    return this.kernel.interrupt(this as Process<unknown>, reason)
  }

  /**
   * Ends the process now: its pending wait is abandoned, its body's `finally` blocks run, and `done`
   * fires with undefined. Returns false if it was no longer alive. A process cannot kill itself (return).
   */
  kill(): boolean {
    return this.kernel.kill(this as Process<unknown>)
  }
}

/** Per-simulation process machinery: the "sim/process" event kind and the resume loop. */
export class ProcessKernel {
  private readonly wakeKind: EventKind<Process<unknown>>
  private nextId = 0
  private current: Process<unknown> | null = null

  constructor(private readonly sim: Simulation) {
    this.wakeKind = sim.defineKind<Process<unknown>>("sim/process", (p) => this.onWake(p))
  }

  start<R>(body: ProcessBody<R> | (() => ProcessBody<R>), name?: string): Process<R> {
    const gen = typeof body === "function" ? body() : body
    if (gen === null || typeof gen !== "object" || typeof (gen as ProcessBody<R>).next !== "function") {
      throw new TypeError(`process ${name ?? ""}: expected a generator or a generator function`)
    }
    const id = this.nextId++
    const p = new Process<R>(this, id, name ?? `process-${id}`, gen)
    // Like SimPy's Initialize event: the body starts at the current instant, after what is already due.
    p.wakeId = this.sim.at(this.sim.now, this.wakeKind, p as Process<unknown>, id)
    return p
  }

  /** Schedules `p` to resume with `value` now. */
  wake(p: Process<unknown>, value: unknown): void {
    p.waitingOn = null
    p.resumeValue = value
    p.resumeThrows = false
    p.state = "ready"
    p.wakeId = this.sim.at(this.sim.now, this.wakeKind, p, p.id)
  }

  interrupt(p: Process<unknown>, reason: unknown): boolean {
    if (!p.alive) return false
    if (!p.started) throw new Error(`process "${p.name}" has not started yet: it cannot be interrupted (kill it instead)`)
    if (p === this.current) throw new Error(`process "${p.name}" cannot interrupt itself`)
    this.abandonWait(p)
    p.resumeValue = new Interrupt(reason)
    p.resumeThrows = true
    p.state = "ready"
    p.wakeId = this.sim.at(this.sim.now, this.wakeKind, p, p.id)
    return true
  }

  kill(p: Process<unknown>): boolean {
    if (!p.alive) return false
    if (p === this.current) throw new Error(`process "${p.name}" cannot kill itself: return from its body instead`)
    this.abandonWait(p)
    p.state = "killed"
    const prev = this.current
    this.current = p
    try {
      const r = p.body.return(undefined)
      if (!r.done) throw new Error("it yielded from a finally block while being killed")
    } catch (e) {
      p.state = "failed"
      throw new ProcessError(p.name, this.sim.now, `failed while being killed: ${message(e)}`, { cause: e })
    } finally {
      this.current = prev
    }
    p.done.fire(undefined)
    return true
  }

  private abandonWait(p: Process<unknown>): void {
    if (p.wakeId >= 0) {
      this.sim.cancel(p.wakeId)
      p.wakeId = -1
    }
    if (p.waitingOn !== null) {
      p.waitingOn.removeWaiter(p)
      p.waitingOn = null
    }
    p.cond = null
  }

  private onWake(p: Process<unknown>): void {
    p.wakeId = -1
    const cond = p.cond
    if (cond !== null) {
      if (!cond.predicate()) {
        p.waitingOn = cond.signal
        p.state = "waiting"
        cond.signal.addWaiter(p)
        return
      }
      p.cond = null
      p.resumeValue = undefined
    }
    this.resume(p)
  }

  private resume(p: Process<unknown>): void {
    p.started = true
    const prev = this.current
    this.current = p
    try {
      for (;;) {
        let r: IteratorResult<Yieldable, unknown>
        try {
          if (p.resumeThrows) {
            p.resumeThrows = false
            r = p.body.throw(p.resumeValue)
          } else r = p.body.next(p.resumeValue)
        } catch (e) {
          p.state = "failed"
          throw new ProcessError(p.name, this.sim.now, `its body threw: ${message(e)}`, { cause: e })
        }
        if (r.done === true) {
          p.state = "finished"
          p.result = r.value
          p.resumeValue = undefined
          p.done.fire(r.value)
          return
        }
        const y = r.value
        if (typeof y === "number") {
          const at = this.sim.now + y
          if (!Number.isSafeInteger(y) || y < 0) this.badYield(p, y)
          if (!Number.isSafeInteger(at)) {
            p.state = "failed"
            throw new ProcessError(p.name, this.sim.now, `sleep(${y}) ends beyond the simulation horizon (2^53-1 ns)`)
          }
          p.state = "sleeping"
          p.resumeValue = undefined
          p.wakeId = this.sim.at(at, this.wakeKind, p, p.id)
          return
        }
        let signal: Signal<unknown>
        if (y instanceof Signal) signal = y
        else if (y instanceof Process) signal = y.done
        else if (y instanceof Until) {
          if (y.predicate()) {
            p.resumeValue = undefined
            continue
          }
          p.cond = y
          signal = y.signal
        } else return this.badYield(p, y)
        if (signal.kernel !== this) {
          p.state = "failed"
          throw new ProcessError(p.name, this.sim.now, `waits on "${signal.name}", which belongs to another simulation`)
        }
        if (signal.settled) {
          if (p.cond !== null) {
            p.state = "failed"
            throw new ProcessError(p.name, this.sim.now, `waits until a condition holds, re-checked when latch "${signal.name}" fires, but it has already fired: the condition could never become true`)
          }
          p.resumeValue = signal.value
          continue
        }
        p.state = "waiting"
        p.waitingOn = signal
        signal.addWaiter(p)
        return
      }
    } finally {
      this.current = prev
    }
  }

  private badYield(p: Process<unknown>, y: unknown): never {
    p.state = "failed"
    throw new ProcessError(
      p.name,
      this.sim.now,
      `yielded ${describe(y)}: expected a sleep in nanoseconds (a whole number ≥ 0), a Signal, a Process or until(predicate, signal)`,
    )
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const describe = (y: unknown): string => {
  if (typeof y === "number") return String(y)
  if (y === null || y === undefined) return String(y)
  if (typeof y === "object") return `an object (${(y as object).constructor?.name ?? "Object"})`
  return `${typeof y} ${String(y)}`
}
