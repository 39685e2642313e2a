import { type EventKind, type Nanos, type Simulation, hashName } from "../../../sim/index"

/**
 * client-go's delaying work queue with one worker (k8s.io/client-go/util/workqueue): keys are handled in FIFO
 * order, a key already waiting is not queued twice, `add(key, after)` is `AddAfter` (the earlier of two pending
 * times wins), and each handling takes a processing time drawn by `processing()` during which the worker is busy —
 * so a controller acts on keys in the order their changes reached it, as upstream's queue does.
 */
export class WorkQueue {
  private readonly fifo: string[] = []
  private head = 0
  private readonly queued = new Set<string>()
  private readonly delayed = new Map<string, { at: Nanos; id: number }>()
  private busy = false
  /** The key being handled (its processing time running), if any. */
  private current: string | undefined = undefined
  private readonly done: EventKind<string>
  private readonly due: EventKind<string>

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    private readonly handler: (key: string) => void,
    private readonly processing: () => Nanos,
  ) {
    this.done = sim.defineKind<string>(name, (key) => {
      this.handler(key)
      this.busy = false
      this.current = undefined
      this.next()
    })
    this.due = sim.defineKind<string>(`${name}/after`, (key) => {
      this.delayed.delete(key)
      this.enqueue(key)
    })
  }

  /** Queues `key` now, or `after` ns from now (keeping an earlier pending time). */
  add(key: string, after: Nanos = 0): void {
    if (after <= 0) {
      this.enqueue(key)
      return
    }
    const at = this.sim.now + after
    const cur = this.delayed.get(key)
    if (cur !== undefined) {
      if (cur.at <= at) return
      this.sim.cancel(cur.id)
    }
    this.delayed.set(key, { at, id: this.sim.at(at, this.due, key, hashName(key)) })
  }

  /** Whether `key` is queued, delayed or being handled: the worker still owes it a sync. */
  pending(key: string): boolean {
    return this.current === key || this.queued.has(key) || this.delayed.has(key)
  }

  /** Keys waiting (queued or delayed), not counting the one being handled. */
  get length(): number {
    return this.queued.size + this.delayed.size
  }

  private enqueue(key: string): void {
    if (this.queued.has(key)) return
    this.queued.add(key)
    this.fifo.push(key)
    if (!this.busy) this.next()
  }

  private next(): void {
    if (this.head >= this.fifo.length) {
      this.fifo.length = 0
      this.head = 0
      return
    }
    const key = this.fifo[this.head++] as string
    this.queued.delete(key)
    this.busy = true
    this.current = key
    this.sim.after(this.processing(), this.done, key, hashName(key))
  }
}
