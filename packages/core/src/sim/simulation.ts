import { EventQueue } from "./event-queue"
import { ProcessKernel, Signal, type Process, type ProcessBody } from "./process"
import { RngStreams, type Rng } from "./rng"
import { checkNanos, type Nanos } from "./time"
import { SimulationError } from "./simulation-error"
import { TraceHash, hashName } from "./trace-hash"

/**
 * A kind of event: a name (folded into the trace hash) and the function that handles its payload.
 * Define kinds once per simulation (`sim.defineKind`), not per event: the hot loop then allocates nothing.
 */
export interface EventKind<P> {
  readonly id: number
  readonly name: string
  readonly nameHash: number
  readonly handle: (payload: P) => void
}

/** Opaque handle of a scheduled event, for `cancel`. */
export type EventId = number

/** Why `run` returned. */
export type RunStop = "empty" | "until" | "max-events"

/** What a run ended with; `traceHash` identifies the exact sequence of events it processed. */
export interface RunResult {
  readonly stop: RunStop
  /** The clock at the end. */
  readonly now: Nanos
  /** Events processed by this simulation so far (all runs). */
  readonly events: number
  /** The trace hash over every event processed so far: 16 hex digits. */
  readonly traceHash: string
}

export interface RunOptions {
  /** Run events with time ≤ until, then set the clock to `until`. */
  readonly until?: Nanos
  /** Run at most this many events. */
  readonly maxEvents?: number
}

/**
 * The environment of one run: clock, event queue, random streams and trace hash (SimPy's Environment,
 * ns-3's Simulator). All of a run's state hangs off its Simulation; several can run side by side.
 *
 * Events run in (time, sequence) order: equal times run in the order they were scheduled. A handler that
 * throws stops `run` with a SimulationError naming the component (event kind or process) and the time, the
 * thrown error as its `cause`; nothing is swallowed.
 */
export class Simulation {
  private clock: Nanos = 0
  private readonly queue = new EventQueue()
  private readonly kinds: EventKind<any>[] = []
  private readonly kindNames = new Set<string>()
  private readonly hash = new TraceHash()
  private readonly streams: RngStreams
  private processed = 0
  private processes: ProcessKernel | null = null

  constructor(readonly seed: number | string = 1) {
    this.streams = new RngStreams(seed)
  }

  /** Current simulated time. */
  get now(): Nanos {
    return this.clock
  }

  /** Events processed so far. */
  get eventsProcessed(): number {
    return this.processed
  }

  /** Events scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.queue.pending
  }

  /** The run's trace hash so far: 16 hex digits. */
  get traceHash(): string {
    return this.hash.hex()
  }

  /** The named random stream of this run (created on first use). */
  rng(name: string): Rng {
    return this.streams.get(name)
  }

  defineKind<P>(name: string, handle: (payload: P) => void): EventKind<P> {
    if (this.kindNames.has(name)) throw new Error(`event kind "${name}" is already defined in this simulation`)
    this.kindNames.add(name)
    const kind: EventKind<P> = { id: this.kinds.length, name, nameHash: hashName(name), handle }
    this.kinds.push(kind)
    return kind
  }

  /** Schedules `kind` with `payload` at absolute time `at` (≥ now). `key` is folded into the trace hash. */
  at<P>(at: Nanos, kind: EventKind<P>, payload: P, key = 0): EventId {
    if (!(at >= this.clock) || !Number.isSafeInteger(at)) {
      if (at < this.clock) throw new RangeError(`cannot schedule "${kind.name}" at ${at} ns: it is before now (${this.clock} ns)`)
      checkNanos(at, `time of event "${kind.name}"`)
    }
    return this.queue.push(at, kind.id, payload, key)
  }

  /** Schedules `kind` with `payload` `delay` ns from now. */
  after<P>(delay: Nanos, kind: EventKind<P>, payload: P, key = 0): EventId {
    return this.at(this.clock + delay, kind, payload, key)
  }

  /** Cancels a pending event; O(1). Returns false if it already ran or was cancelled. */
  cancel(id: EventId): boolean {
    return this.queue.cancel(id)
  }

  /**
   * Starts a process (see process.ts): `sim.process(function* () { yield sleep(ns); const v = yield sig })`.
   * Its body begins at the current instant, after the events already due now.
   */
  process<R>(body: ProcessBody<R> | (() => ProcessBody<R>), name?: string): Process<R> {
    return this.processKernel().start(body, name)
  }

  /** A pulse signal: each `fire(v)` wakes the processes waiting at that moment. */
  signal<T = void>(name: string): Signal<T> {
    return new Signal<T>(this.processKernel(), name, false)
  }

  /** A latch: fires once and stays fired; waiting on a fired latch continues at once with its value. */
  latch<T = void>(name: string): Signal<T> {
    return new Signal<T>(this.processKernel(), name, true)
  }

  private processKernel(): ProcessKernel {
    if (this.processes === null) this.processes = new ProcessKernel(this)
    return this.processes
  }

  /** Time of the next pending event, or Infinity. */
  peek(): number {
    return this.queue.peekTime()
  }


  /** Runs one event. Returns false if there was none. */
  step(): boolean {
    const slot = this.queue.popUntil(Infinity)
    if (slot < 0) return false
    const kind = this.queue.kindOf(slot)
    try {
      this.dispatch(slot)
    } catch (e) {
      throw this.failure(e, kind)
    }
    return true
  }

  /**
   * Runs events until the queue is empty, the next event is later than `until`, or `maxEvents` have run.
   * With `until`, the clock ends at `until` unless maxEvents stopped the run first.
   */
  run(options: RunOptions = {}): RunStop {
    const until = options.until ?? Infinity
    if (until !== Infinity) checkNanos(until, "run until")
    const max = options.maxEvents ?? Infinity
    const q = this.queue
    let n = 0
    // The kind of the event being dispatched, for the error if its handler throws: one try around the loop
    // (not one per event) keeps the hot loop as it was.
    let kind = -1
    try {
      while (n < max) {
        const slot = q.popUntil(until)
        if (slot < 0) {
          if (until === Infinity) return "empty"
          if (until > this.clock) this.clock = until
          return "until"
        }
        kind = q.kindOf(slot)
        this.dispatch(slot)
        n++
      }
    } catch (e) {
      throw this.failure(e, kind)
    }
    return "max-events"
  }

  /**
   * What a failed handler's error becomes: a SimulationError naming the event kind and the time. One already
   * (a process's ProcessError, a handler that ran a nested simulation) passes as is.
   */
  private failure(e: unknown, kind: number): unknown {
    if (e instanceof SimulationError || kind < 0) return e
    return new SimulationError((this.kinds[kind] as EventKind<unknown>).name, this.clock, e)
  }

  /** `run`, returning why it stopped together with the clock, the events processed and the trace hash. */
  execute(options: RunOptions = {}): RunResult {
    const stop = this.run(options)
    return { stop, now: this.clock, events: this.processed, traceHash: this.hash.hex() }
  }

  private dispatch(slot: number): void {
    const q = this.queue
    const t = q.poppedTime
    const kind = this.kinds[q.kindOf(slot)] as EventKind<unknown>
    const key = q.keyOf(slot)
    const payload = q.takePayload(slot)
    this.clock = t
    this.processed++
    this.hash.fold(t, kind.nameHash, key)
    kind.handle(payload)
  }
}
