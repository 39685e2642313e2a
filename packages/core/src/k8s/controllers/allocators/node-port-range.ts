import { type NodePortRange, DEFAULT_NODE_PORT_RANGE } from "../../api/index"
import type { Rng } from "../../../sim/index"
import { type AllocationFailure, BandedBitmap, rangeOffset } from "./banded-bitmap"

export { DEFAULT_NODE_PORT_RANGE }

/**
 * The NodePort range (`--service-node-port-range`, default 30000-32767; pkg/registry/core/service/portallocator):
 * static band = min(max(16, size/32), 128) ports at the start (`calculateRangeOffset`: 86 for the default, so
 * 30000-30085), random allocation from 30086-32767 first.
 */
export class NodePortAllocatorRange {
  private readonly bits: BandedBitmap

  constructor(readonly range: NodePortRange = DEFAULT_NODE_PORT_RANGE) {
    if (!(range.base >= 1 && range.size >= 1 && range.base + range.size - 1 <= 65535)) {
      throw new RangeError(`node port range ${range.base}+${range.size}: expected ports within 1-65535`)
    }
    this.bits = new BandedBitmap(range.size, rangeOffset(range.size, 16, 32, 128))
  }

  get staticBand(): number {
    return this.bits.offset
  }
  get allocated(): number {
    return this.bits.allocated
  }

  contains(port: number): boolean {
    return port >= this.range.base && port < this.range.base + this.range.size
  }

  has(port: number): boolean {
    return this.contains(port) && this.bits.has(port - this.range.base)
  }

  allocate(port: number): AllocationFailure | undefined {
    if (!this.contains(port)) return "not-in-range"
    return this.bits.allocate(port - this.range.base) ? undefined : "allocated"
  }

  allocateNext(rng: Rng): number | undefined {
    const i = this.bits.allocateNext(rng)
    return i < 0 ? undefined : this.range.base + i
  }

  release(port: number): void {
    if (this.contains(port)) this.bits.release(port - this.range.base)
  }

  clear(): void {
    this.bits.clear()
  }

  /** portallocator `ErrNotInRange`, `ErrAllocated`, `ErrFull` texts. */
  failureText(f: AllocationFailure): string {
    if (f === "allocated") return "provided port is already allocated"
    if (f === "full") return "range is full"
    return `provided port is not in the valid range. The range of valid ports is ${this.range.base}-${this.range.base + this.range.size - 1}`
  }
}
