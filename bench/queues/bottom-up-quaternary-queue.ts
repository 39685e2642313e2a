import type { Nanos } from "../../packages/core/src/sim/time"

/**
 * For bench/ only: the kernel's EventQueue with a bottom-up sift-down (Wegener's bottom-up heapsort idea): the
 * hole left at the root descends to a leaf along the smallest children without comparing against the moved
 * element, which then sifts up from there. Saves a compare per level when the moved element belongs near
 * the bottom, as it usually does.
 */
const SLOT_BITS = 2 ** 24
const MAX_GEN = 2 ** 29
const INITIAL = 1024

export class BottomUpQuaternaryQueue {
  // Heap order.
  private hTime: Float64Array = new Float64Array(INITIAL)
  private hSeq: Float64Array = new Float64Array(INITIAL)
  private hSlot: Int32Array = new Int32Array(INITIAL)
  // Slot order.
  private kinds: Int32Array = new Int32Array(INITIAL)
  private keys: Int32Array = new Int32Array(INITIAL)
  private cancelled: Uint8Array = new Uint8Array(INITIAL)
  private gens: Int32Array = new Int32Array(INITIAL)
  private payloads: unknown[] = new Array<unknown>(INITIAL).fill(undefined)
  private free: Int32Array = new Int32Array(INITIAL)
  private freeCount = 0
  private slotsUsed = 0
  private size = 0
  private live = 0
  private nextSeq = 0
  /** Time of the event most recently returned by pop/popUntil. */
  poppedTime: Nanos = 0

  /** Events that will still run (cancelled ones excluded). */
  get pending(): number {
    return this.live
  }

  /** Adds an event; returns its id (for `cancel`). `time` must already be validated by the caller. */
  push(time: Nanos, kind: number, payload: unknown, key: number): number {
    let slot: number
    if (this.freeCount > 0) slot = this.free[--this.freeCount] as number
    else slot = this.newSlot()
    this.kinds[slot] = kind
    this.keys[slot] = key
    this.cancelled[slot] = 0
    this.payloads[slot] = payload
    if (this.size === this.hTime.length) this.growHeap()
    this.siftUp(this.size++, time, this.nextSeq++, slot)
    this.live++
    return slot + (this.gens[slot] as number) * SLOT_BITS
  }

  cancel(id: number): boolean {
    const slot = id % SLOT_BITS
    const gen = (id - slot) / SLOT_BITS
    if (!(slot >= 0 && slot < this.slotsUsed) || this.gens[slot] !== gen || this.cancelled[slot] === 1) return false
    // A released slot has had its generation bumped, so a matching generation means the event is queued.
    this.cancelled[slot] = 1
    this.payloads[slot] = undefined
    this.live--
    return true
  }

  /** Time of the next live event, or Infinity. Drops cancelled events from the top. */
  peekTime(): number {
    this.dropCancelledTop()
    return this.size === 0 ? Infinity : (this.hTime[0] as number)
  }

  /**
   * Removes the next live event if its time is ≤ `limit` and returns its slot (its time in `poppedTime`);
   * returns -1 if the queue is empty or the next event is later than `limit`. Read the slot with
   * `kindOf`/`keyOf`, then `takePayload` (which frees it) before the next push.
   */
  popUntil(limit: number): number {
    if (this.live !== this.size) this.dropCancelledTop()
    if (this.size === 0) return -1
    const t = this.hTime[0] as number
    if (t > limit) return -1
    this.poppedTime = t
    const slot = this.hSlot[0] as number
    const last = --this.size
    if (last > 0) this.siftDown(this.hTime[last] as number, this.hSeq[last] as number, this.hSlot[last] as number)
    this.live--
    return slot
  }

  /** popUntil(Infinity). */
  pop(): number {
    return this.popUntil(Infinity)
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
    while (this.size > 0) {
      const slot = this.hSlot[0] as number
      if (this.cancelled[slot] !== 1) return
      const last = --this.size
      if (last > 0) this.siftDown(this.hTime[last] as number, this.hSeq[last] as number, this.hSlot[last] as number)
      this.release(slot)
    }
  }

  private newSlot(): number {
    const slot = this.slotsUsed++
    if (slot >= SLOT_BITS) throw new RangeError("event queue: more than 2^24 pending events")
    if (slot === this.kinds.length) this.growSlots()
    return slot
  }

  private release(slot: number): void {
    const g = (this.gens[slot] as number) + 1
    this.gens[slot] = g === MAX_GEN ? 0 : g
    this.free[this.freeCount++] = slot
  }

  private growHeap(): void {
    const n = this.hTime.length * 2
    this.hTime = growF64(this.hTime, n)
    this.hSeq = growF64(this.hSeq, n)
    this.hSlot = growI32(this.hSlot, n)
  }

  private growSlots(): void {
    const n = this.kinds.length * 2
    this.kinds = growI32(this.kinds, n)
    this.keys = growI32(this.keys, n)
    this.gens = growI32(this.gens, n)
    this.free = growI32(this.free, n)
    const c = new Uint8Array(n)
    c.set(this.cancelled)
    this.cancelled = c
    for (let i = this.payloads.length; i < n; i++) this.payloads.push(undefined)
  }

  private siftUp(pos: number, time: number, seq: number, slot: number): void {
    const hTime = this.hTime
    const hSeq = this.hSeq
    const hSlot = this.hSlot
    while (pos > 0) {
      const parent = (pos - 1) >> 2
      const pt = hTime[parent] as number
      // Equal times: the new entry has the largest sequence so far, so it never rises above an equal time.
      if (pt <= time) break
      hTime[pos] = pt
      hSeq[pos] = hSeq[parent] as number
      hSlot[pos] = hSlot[parent] as number
      pos = parent
    }
    hTime[pos] = time
    hSeq[pos] = seq
    hSlot[pos] = slot
  }

  /** Places (time, seq, slot) starting from the root, over `size` entries. */
  private siftDown(time: number, seq: number, slot: number): void {
    const hTime = this.hTime
    const hSeq = this.hSeq
    const hSlot = this.hSlot
    const n = this.size
    let pos = 0
    for (;;) {
      const first = 4 * pos + 1
      if (first >= n) break
      let best = first
      let bt = hTime[first] as number
      const end = first + 4 < n ? first + 4 : n
      for (let c = first + 1; c < end; c++) {
        const ct = hTime[c] as number
        if (ct < bt || (ct === bt && (hSeq[c] as number) < (hSeq[best] as number))) {
          best = c
          bt = ct
        }
      }
      hTime[pos] = bt
      hSeq[pos] = hSeq[best] as number
      hSlot[pos] = hSlot[best] as number
      pos = best
    }
    while (pos > 0) {
      const parent = (pos - 1) >> 2
      const pt = hTime[parent] as number
      if (pt < time || (pt === time && (hSeq[parent] as number) < seq)) break
      hTime[pos] = pt
      hSeq[pos] = hSeq[parent] as number
      hSlot[pos] = hSlot[parent] as number
      pos = parent
    }
    hTime[pos] = time
    hSeq[pos] = seq
    hSlot[pos] = slot
  }
}

const growI32 = (a: Int32Array, n: number): Int32Array => {
  const b = new Int32Array(n)
  b.set(a)
  return b
}
const growF64 = (a: Float64Array, n: number): Float64Array => {
  const b = new Float64Array(n)
  b.set(a)
  return b
}
