import { type EventKind, type Nanos, type Simulation, hashName } from "../../../sim/index"

/**
 * client-go's rate-limited delaying work queue reduced to what a simulated controller needs: a key is queued at
 * most once, `add(key, delay)` keeps the earlier of the pending and the new time (workqueue `AddAfter`), and the
 * handler runs once per due key. Keys are processed one at a time (one worker), which the event queue gives us.
 */
export class WorkQueue {
  private readonly pending = new Map<string, { at: Nanos; id: number }>()
  private readonly kind: EventKind<string>

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    handler: (key: string) => void,
  ) {
    this.kind = sim.defineKind<string>(name, (key) => {
      this.pending.delete(key)
      handler(key)
    })
  }

  /** Queues `key` to be handled `delay` ns from now (or earlier if it is already queued for earlier). */
  add(key: string, delay: Nanos = 0): void {
    const at = this.sim.now + delay
    const cur = this.pending.get(key)
    if (cur !== undefined) {
      if (cur.at <= at) return
      this.sim.cancel(cur.id)
    }
    const id = this.sim.at(at, this.kind, key, hashName(key))
    this.pending.set(key, { at, id })
  }

  /** Keys waiting now. */
  get length(): number {
    return this.pending.size
  }
}
