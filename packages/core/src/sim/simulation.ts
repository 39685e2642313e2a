import { EventQueue } from "./event-queue"
import { RngStreams, type Rng } from "./rng"
import { checkNanos, type Nanos } from "./time"
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
 * throws stops `run` with that error; nothing is swallowed.
 */
export class Simulation {
  private clock: Nanos = 0
  private readonly queue = new EventQueue()
  private readonly kinds: EventKind<any>[] = []
  private readonly kindNames = new Set<string>()
  private readonly hash = new TraceHash()
  private readonly streams: RngStreams
  private processed = 0

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

  /** Time of the next pending event, or Infinity. */
  peek(): number {
    return this.queue.peekTime()
  }

  /** Runs one event. Returns false if there was none. */
  step(): boolean {
    const q = this.queue
    const slot = q.pop()
    if (slot < 0) return false
    const t = q.timeOf(slot)
    const kind = this.kinds[q.kindOf(slot)] as EventKind<unknown>
    const key = q.keyOf(slot)
    const payload = q.takePayload(slot)
    this.clock = t
    this.processed++
    this.hash.fold(t, kind.nameHash, key)
    kind.handle(payload)
    return true
  }

  /** Runs events until the queue is empty, `until` is passed, or `maxEvents` have run. */
  run(options: RunOptions = {}): RunStop {
    const until = options.until ?? Infinity
    if (until !== Infinity) checkNanos(until, "run until")
    const max = options.maxEvents ?? Infinity
    let n = 0
    for (;;) {
      if (n >= max) return "max-events"
      const next = this.queue.peekTime()
      if (next === Infinity) {
        if (until !== Infinity && until > this.clock) this.clock = until
        return until === Infinity ? "empty" : "until"
      }
      if (next > until) {
        if (until > this.clock) this.clock = until
        return "until"
      }
      this.step()
      n++
    }
  }
}
