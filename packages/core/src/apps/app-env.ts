import type { EventKind, Simulation } from "../sim/index"
import type { RecordLog } from "../records/index"

/** Something an app can be asked to flush at the end of a run (requests still in flight). */
export interface InFlightSource {
  flushInFlight(): void
}

/**
 * What every app of one simulation shares: the clock, the record log, the run-wide counters that number
 * requests, connections and resolver lookups (unique in the run, in issue order, as docs/records.md asks)
 * and the current scenario phase label. Create exactly one per Simulation: it defines the apps' timer event
 * kind, and the kernel allows a kind name once.
 */
export class AppEnv {
  /** The scenario phase current now (stamped on requests at issue); the scenario sets it. */
  phase: string | null = null
  /** One kind for every app timer: the payload is the callback target, called with no allocation per event. */
  readonly timerKind: EventKind<AppTimer>
  private requestIds = 0
  private connectionIds = 0
  private lookupIds = 0
  private readonly sources: InFlightSource[] = []

  constructor(
    readonly sim: Simulation,
    readonly records: RecordLog,
  ) {
    this.timerKind = sim.defineKind<AppTimer>("app/timer", (t) => t.onAppTimer())
  }

  nextRequestId(): number {
    return ++this.requestIds
  }
  /** Connection ids start at 1; 0 in a `request` record means no connection was opened (DNS failed). */
  nextConnectionId(): number {
    return ++this.connectionIds
  }
  nextLookupId(): number {
    return ++this.lookupIds
  }

  /** Registers a client whose unfinished requests must be written at the end of the run. */
  track(source: InFlightSource): void {
    this.sources.push(source)
  }

  /** Writes a `request` record with outcome `in-flight` for every request not yet ended (end of the run). */
  flushInFlight(): void {
    for (const s of this.sources) s.flushInFlight()
  }
}

/** A timer target: `sim.after(d, env.timerKind, target)` calls `target.onAppTimer()`. */
export interface AppTimer {
  onAppTimer(): void
}
