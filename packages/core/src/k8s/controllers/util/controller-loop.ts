import type { Kind } from "../../api/index"
import type { ApiStore, WatchEvent } from "../../store/index"
import { NANOS_PER_MILLI, type Nanos, type Rng, type Simulation } from "../../../sim/index"
import { type ControllerDelay, drawDelay, uniformDelay } from "./delay"
import { WorkQueue } from "./work-queue"

/** Processing time of one sync when the config gives none: uniform 1–5 ms. */
export const DEFAULT_SYNC_DELAY: ControllerDelay = uniformDelay(1 * NANOS_PER_MILLI, 5 * NANOS_PER_MILLI)

/**
 * A controller's informers: watches of the store that each see a change `watchDelay` (informer lag) after it was
 * written, registered once when the controller starts (a second start is an error, as running it twice would be).
 */
export class Informers {
  private started = false

  constructor(
    private readonly store: ApiStore,
    private readonly watchDelay: Nanos = 0,
  ) {}

  /** Marks `controller` started; throws if it already was. */
  start(controller: string): void {
    if (this.started) throw new Error(`${controller} already started`)
    this.started = true
  }

  /** An informer of `kind`; `initialList`: it first delivers every stored object as ADDED (the informer's list). */
  watch<K extends Kind>(kind: K, handler: (event: WatchEvent<K>) => void, initialList = false): void {
    this.store.watch(kind, handler, { delay: this.watchDelay, sendInitialEvents: initialList })
  }
}

/**
 * The skeleton of an upstream controller (e.g. pkg/controller/replicaset/replica_set.go `NewBaseController` →
 * `Run` → `worker` → `processNextWorkItem` → `syncHandler`): informers whose handlers add keys to a work queue, and
 * one worker taking keys from it in order, each sync costing a processing time drawn from the controller's own
 * random stream (named for the controller, and shared with the controller's other draws through `rng`).
 */
export class ControllerLoop extends Informers {
  readonly rng: Rng
  private readonly queue: WorkQueue

  constructor(
    sim: Simulation,
    store: ApiStore,
    /** The controller's name: its random stream and its queue's event kinds. */
    readonly name: string,
    sync: (key: string) => void,
    delays: { readonly watchDelay?: Nanos | undefined; readonly syncDelay?: ControllerDelay | undefined } = {},
  ) {
    super(store, delays.watchDelay ?? 0)
    this.rng = sim.rng(name)
    const syncDelay = delays.syncDelay ?? DEFAULT_SYNC_DELAY
    this.queue = new WorkQueue(sim, name, sync, () => drawDelay(this.rng, syncDelay))
  }

  /** Queues `key` for a sync now, or `after` ns from now (client-go `AddAfter`). */
  add(key: string, after: Nanos = 0): void {
    this.queue.add(key, after)
  }

  /** Whether the worker still owes `key` a sync (queued, delayed or being handled). */
  pending(key: string): boolean {
    return this.queue.pending(key)
  }
}
