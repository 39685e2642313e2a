/**
 * The test oracle for EventQueue: a sorted array, obviously correct and O(n) per push. Same contract:
 * (time, sequence) order, O(1)-looking cancel by id, stale ids rejected.
 */
interface Entry {
  readonly time: number
  readonly seq: number
  readonly id: number
  readonly kind: number
  readonly key: number
  readonly payload: unknown
}

export interface PoppedEvent {
  readonly time: number
  readonly kind: number
  readonly key: number
  readonly payload: unknown
}

export class NaiveEventQueue {
  private entries: Entry[] = []
  private nextSeq = 0
  private nextId = 0

  get pending(): number {
    return this.entries.length
  }

  push(time: number, kind: number, payload: unknown, key: number): number {
    const e: Entry = { time, seq: this.nextSeq++, id: this.nextId++, kind, key, payload }
    let i = this.entries.length
    while (i > 0 && (this.entries[i - 1] as Entry).time > time) i--
    this.entries.splice(i, 0, e)
    return e.id
  }

  cancel(id: number): boolean {
    const i = this.entries.findIndex((e) => e.id === id)
    if (i < 0) return false
    this.entries.splice(i, 1)
    return true
  }

  peekTime(): number {
    return this.entries.length === 0 ? Infinity : (this.entries[0] as Entry).time
  }

  popUntil(limit: number): PoppedEvent | undefined {
    const e = this.entries[0]
    if (e === undefined || e.time > limit) return undefined
    this.entries.shift()
    return { time: e.time, kind: e.kind, key: e.key, payload: e.payload }
  }
}
