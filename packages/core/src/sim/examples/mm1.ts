import { sleep, type Signal } from "../process"
import { Simulation, type EventKind } from "../simulation"
import type { Rng } from "../rng"
import { NANOS_PER_SECOND } from "../time"

/**
 * The M/M/1 queue, the kernel's reference model: Poisson arrivals (rate λ), one FIFO server with
 * exponential service (rate μ). Rates are per simulated second; times are drawn in seconds and rounded to
 * whole nanoseconds.
 *
 * Interarrival times come from stream "mm1/arrivals" and service times from "mm1/service", both in
 * customer order, so the callback and process versions see identical customers and produce identical
 * waits (their traces differ: the process version's wake-ups are other events).
 *
 * Theory: with ρ = λ/μ < 1 the mean wait in queue is Wq = ρ / (μ − λ) (9 s for λ = 0.9, μ = 1).
 */
export interface Mm1Options {
  readonly customers: number
  readonly lambda?: number
  readonly mu?: number
  readonly seed?: number | string
  /** Keep every customer's wait (seconds) in `waits`, for statistics in tests. */
  readonly keepWaits?: boolean
}

export interface Mm1Result {
  readonly customers: number
  /** Model events: an arrival and a departure per customer. */
  readonly events: number
  /** Events the kernel processed (the process version has wake-ups for an idle server besides). */
  readonly kernelEvents: number
  /** Mean wait in queue, seconds. */
  readonly meanWait: number
  /** Simulated time at the end, ns. */
  readonly endTime: number
  readonly traceHash: string
  readonly waits: Float64Array | null
}

const defaults = (o: Mm1Options) => {
  if (!Number.isSafeInteger(o.customers) || o.customers < 1) throw new RangeError(`mm1: customers must be a positive integer, got ${o.customers}`)
  const lambda = o.lambda ?? 0.9
  const mu = o.mu ?? 1.0
  if (!(lambda > 0) || !(mu > 0)) throw new RangeError(`mm1: rates must be positive, got λ=${lambda} μ=${mu}`)
  return { customers: o.customers, lambda, mu, seed: o.seed ?? 1, keepWaits: o.keepWaits ?? false }
}

const drawNanos = (rng: Rng, rate: number): number => Math.round(rng.exponential(rate) * NANOS_PER_SECOND)

/** Callback version: an "arrival" event schedules the customer's "departure" and the next arrival. */
class Mm1Callbacks {
  busyUntil = 0
  waitSum = 0
  arrived = 0
  readonly arrive: EventKind<null>
  readonly depart: EventKind<null>
  readonly arrivals: Rng
  readonly service: Rng

  constructor(
    readonly sim: Simulation,
    readonly customers: number,
    readonly lambda: number,
    readonly mu: number,
    readonly waits: Float64Array | null,
  ) {
    this.arrivals = sim.rng("mm1/arrivals")
    this.service = sim.rng("mm1/service")
    this.arrive = sim.defineKind<null>("mm1/arrival", () => this.onArrival())
    this.depart = sim.defineKind<null>("mm1/departure", () => {})
  }

  onArrival(): void {
    const sim = this.sim
    const now = sim.now
    const start = now > this.busyUntil ? now : this.busyUntil
    const wait = (start - now) / NANOS_PER_SECOND
    this.waitSum += wait
    if (this.waits !== null) this.waits[this.arrived] = wait
    this.busyUntil = start + drawNanos(this.service, this.mu)
    sim.at(this.busyUntil, this.depart, null)
    if (++this.arrived < this.customers) sim.after(drawNanos(this.arrivals, this.lambda), this.arrive, null)
  }
}

export const mm1Callbacks = (options: Mm1Options): Mm1Result => {
  const o = defaults(options)
  const sim = new Simulation(o.seed)
  const waits = o.keepWaits ? new Float64Array(o.customers) : null
  const m = new Mm1Callbacks(sim, o.customers, o.lambda, o.mu, waits)
  sim.after(drawNanos(m.arrivals, o.lambda), m.arrive, null)
  const r = sim.execute()
  return {
    customers: o.customers,
    events: 2 * o.customers,
    kernelEvents: r.events,
    meanWait: m.waitSum / o.customers,
    endTime: r.now,
    traceHash: r.traceHash,
    waits,
  }
}

/** Process version: a source process and a server process sharing a FIFO of arrival times. */
class Mm1Queue {
  // Ring buffer of arrival times (ns); the FIFO never holds more than the customers still waiting.
  private buf = new Float64Array(1024)
  private head = 0
  length = 0
  push(t: number): void {
    if (this.length === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2)
      for (let i = 0; i < this.length; i++) b[i] = this.buf[(this.head + i) % this.buf.length] as number
      this.buf = b
      this.head = 0
    }
    this.buf[(this.head + this.length++) % this.buf.length] = t
  }
  shift(): number {
    const t = this.buf[this.head] as number
    this.head = (this.head + 1) % this.buf.length
    this.length--
    return t
  }
}

export const mm1Processes = (options: Mm1Options): Mm1Result => {
  const o = defaults(options)
  const sim = new Simulation(o.seed)
  const waits = o.keepWaits ? new Float64Array(o.customers) : null
  const arrivals = sim.rng("mm1/arrivals")
  const service = sim.rng("mm1/service")
  const queue = new Mm1Queue()
  const customerArrived: Signal<void> = sim.signal("mm1/customer-arrived")
  const stats = { waitSum: 0, served: 0 }

  sim.process(function* source() {
    for (let i = 0; i < o.customers; i++) {
      yield sleep(drawNanos(arrivals, o.lambda))
      queue.push(sim.now)
      customerArrived.fire()
    }
  }, "mm1/source")

  sim.process(function* server() {
    while (stats.served < o.customers) {
      if (queue.length === 0) yield customerArrived
      const wait = (sim.now - queue.shift()) / NANOS_PER_SECOND
      stats.waitSum += wait
      if (waits !== null) waits[stats.served] = wait
      stats.served++
      yield sleep(drawNanos(service, o.mu))
    }
  }, "mm1/server")

  const r = sim.execute()
  return {
    customers: o.customers,
    events: 2 * o.customers,
    kernelEvents: r.events,
    meanWait: stats.waitSum / o.customers,
    endTime: r.now,
    traceHash: r.traceHash,
    waits,
  }
}
