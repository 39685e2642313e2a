import type { Rng } from "../../../sim/index"

/** Why an allocation failed, with upstream's error text (pkg/registry/core/service/ipallocator, portallocator). */
export type AllocationFailure = "full" | "allocated" | "not-in-range"

/**
 * A bitmap over offsets [0, size) with upstream's split into a static band [0, offset) — preferred for values users
 * ask for — and a dynamic band [offset, size) that random allocation uses first
 * (pkg/registry/core/service/allocator/bitmap.go `randomScanStrategyWithOffset`, KEP-3070 / KEP-3668).
 */
export class BandedBitmap {
  private readonly used: Uint8Array
  private count = 0

  constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`allocator size ${size}: expected a positive whole number`)
    if (!(offset >= 0 && offset < size)) throw new RangeError(`allocator offset ${offset} outside [0, ${size})`)
    this.used = new Uint8Array(size)
  }

  get allocated(): number {
    return this.count
  }

  has(i: number): boolean {
    return this.used[i] === 1
  }

  /** Claims offset i; false if taken. */
  allocate(i: number): boolean {
    if (this.used[i] === 1) return false
    this.used[i] = 1
    this.count++
    return true
  }

  /**
   * bitmap.go `randomScanStrategyWithOffset.AllocateBit`: a random start in the upper band and a forward scan with
   * wrap-around inside it; only when it is full, the same in the lower band. Returns -1 when everything is taken.
   */
  allocateNext(rng: Rng): number {
    if (this.count >= this.size) return -1
    const upper = this.size - this.offset
    let start = rng.int(0, upper)
    for (let k = 0; k < upper; k++) {
      const at = this.offset + ((start + k) % upper)
      if (this.used[at] === 0) {
        this.used[at] = 1
        this.count++
        return at
      }
    }
    if (this.offset === 0) return -1
    start = rng.int(0, this.offset)
    for (let k = 0; k < this.offset; k++) {
      const at = (start + k) % this.offset
      if (this.used[at] === 0) {
        this.used[at] = 1
        this.count++
        return at
      }
    }
    return -1
  }

  release(i: number): boolean {
    if (this.used[i] !== 1) return false
    this.used[i] = 0
    this.count--
    return true
  }

  clear(): void {
    this.used.fill(0)
    this.count = 0
  }
}

/** The static band of a range: min(max(lo, size/step), hi), 0 for ranges of at most `lo` (integer division). */
export const rangeOffset = (size: number, lo: number, step: number, hi: number): number => {
  if (size <= lo) return 0
  const o = Math.floor(size / step)
  return o < lo ? lo : o > hi ? hi : o
}
