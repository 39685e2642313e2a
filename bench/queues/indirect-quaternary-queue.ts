import type { Nanos } from "../../packages/core/src/sim/time"

/**
 * For bench/ only: the kernel's first event queue (commit 1e835ef) — a 4-ary heap of slot indices whose
 * comparisons read time and sequence through the slot — kept to measure the heap-ordered key layout that
 * replaced it. `popUntil`/`poppedTime` adapt it to the current interface.
 */
const SLOT_BITS = 2 ** 24
const MAX_GEN = 2 ** 29

export class IndirectQuaternaryQueue {
  private times: Float64Array = new Float64Array(1024)
  private seqs: Float64Array = new Float64Array(1024)
  private kinds: Int32Array = new Int32Array(1024)
  private keys: Int32Array = new Int32Array(1024)
  private cancelled: Uint8Array = new Uint8Array(1024)
  private gens: Int32Array = new Int32Array(1024)
  private payloads: unknown[] = new Array(1024).fill(undefined)
  private heap: Int32Array = new Int32Array(1024)
  private free: Int32Array = new Int32Array(1024)
  private freeCount = 0
  private slotsUsed = 0
  private size = 0
  private live = 0
  private nextSeq = 0

  /** Events that will still run (cancelled ones excluded). */
  get pending(): number {
    return this.live
  }

  push(time: Nanos, kind: number, payload: unknown, key: number): number {
    const slot = this.allocSlot()
    this.times[slot] = time
    this.seqs[slot] = this.nextSeq++
    this.kinds[slot] = kind
    this.keys[slot] = key
    this.cancelled[slot] = 0
    this.payloads[slot] = payload
    if (this.size === this.heap.length) this.heap = grow32(this.heap)
    this.siftUp(this.size++, slot)
    this.live++
    return slot + (this.gens[slot] as number) * SLOT_BITS
  }

  cancel(id: number): boolean {
    const slot = id % SLOT_BITS
    const gen = Math.floor(id / SLOT_BITS)
    if (slot >= this.slotsUsed || this.gens[slot] !== gen || this.cancelled[slot] === 1) return false
    // A slot on the free list has had its generation bumped, so a matching generation means it is queued.
    this.cancelled[slot] = 1
    this.payloads[slot] = undefined
    this.live--
    return true
  }

  /** Time of the next live event, or Infinity. Drops cancelled events from the top. */
  peekTime(): number {
    this.dropCancelledTop()
    return this.size === 0 ? Infinity : (this.times[this.heap[0] as number] as number)
  }

  /**
   * Removes the next live event and returns its slot; read it with `time/kind/key/payload` before the next
   * push. Returns -1 when empty.
   */
  pop(): number {
    this.dropCancelledTop()
    if (this.size === 0) return -1
    const top = this.removeTop()
    this.live--
    return top
  }

  poppedTime: Nanos = 0

  popUntil(limit: number): number {
    this.dropCancelledTop()
    if (this.size === 0 || (this.times[this.heap[0] as number] as number) > limit) return -1
    const slot = this.pop()
    this.poppedTime = this.times[slot] as number
    return slot
  }

  timeOf(slot: number): number {
    return this.times[slot] as number
  }
  kindOf(slot: number): number {
    return this.kinds[slot] as number
  }
  keyOf(slot: number): number {
    return this.keys[slot] as number
  }
  /** Takes the payload out of a popped slot and frees the slot. */
  takePayload(slot: number): unknown {
    const p = this.payloads[slot]
    this.payloads[slot] = undefined
    this.release(slot)
    return p
  }

  private dropCancelledTop(): void {
    while (this.size > 0 && this.cancelled[this.heap[0] as number] === 1) {
      this.release(this.removeTop())
    }
  }

  private removeTop(): number {
    const heap = this.heap
    const top = heap[0] as number
    const last = heap[--this.size] as number
    if (this.size > 0) this.siftDown(0, last)
    return top
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount] as number
    const slot = this.slotsUsed++
    if (slot >= SLOT_BITS) throw new RangeError("event queue: more than 2^24 pending events")
    if (slot === this.times.length) this.growSlots()
    return slot
  }

  private release(slot: number): void {
    const g = (this.gens[slot] as number) + 1
    this.gens[slot] = g === MAX_GEN ? 0 : g
    if (this.freeCount === this.free.length) this.free = grow32(this.free)
    this.free[this.freeCount++] = slot
  }

  private growSlots(): void {
    const n = this.times.length * 2
    this.times = growF64(this.times, n)
    this.seqs = growF64(this.seqs, n)
    const kinds = new Int32Array(n)
    kinds.set(this.kinds)
    this.kinds = kinds
    const keys = new Int32Array(n)
    keys.set(this.keys)
    this.keys = keys
    const gens = new Int32Array(n)
    gens.set(this.gens)
    this.gens = gens
    const c = new Uint8Array(n)
    c.set(this.cancelled)
    this.cancelled = c
    for (let i = this.payloads.length; i < n; i++) this.payloads.push(undefined)
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a] as number
    const tb = this.times[b] as number
    return ta < tb || (ta === tb && (this.seqs[a] as number) < (this.seqs[b] as number))
  }

  private siftUp(pos: number, slot: number): void {
    const heap = this.heap
    while (pos > 0) {
      const parent = (pos - 1) >> 2
      const p = heap[parent] as number
      if (!this.less(slot, p)) break
      heap[pos] = p
      pos = parent
    }
    heap[pos] = slot
  }

  private siftDown(pos: number, slot: number): void {
    const heap = this.heap
    const n = this.size
    for (;;) {
      const first = 4 * pos + 1
      if (first >= n) break
      let best = first
      let bestSlot = heap[first] as number
      const end = first + 4 < n ? first + 4 : n
      for (let c = first + 1; c < end; c++) {
        const s = heap[c] as number
        if (this.less(s, bestSlot)) {
          best = c
          bestSlot = s
        }
      }
      if (!this.less(bestSlot, slot)) break
      heap[pos] = bestSlot
      pos = best
    }
    heap[pos] = slot
  }
}

const grow32 = (a: Int32Array): Int32Array => {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}
const growF64 = (a: Float64Array, n: number): Float64Array => {
  const b = new Float64Array(n)
  b.set(a)
  return b
}
