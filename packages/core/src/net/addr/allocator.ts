import { type Cidr, cidrContains, cidrSize, formatCidr } from "./cidr"
import { type Ipv4, formatIpv4 } from "./ipv4"

/** No address is left in the allocator's range. */
export class AddressExhaustedError extends Error {
  override readonly name = "AddressExhaustedError"
}

/**
 * Hands out addresses of a CIDR, one bit per address. Allocation order is the caller's choice: `allocateNext`
 * scans upward from a start offset with wrap-around (the shape of Kubernetes' bitmap allocators, whose
 * random start is drawn by the caller from its own RNG stream), `allocate` claims a specific address.
 * The network address and (below /31) the broadcast address are reserved, as in `hostsPerNetwork`
 * (pkg/registry/core/service/ipallocator).
 */
export class CidrAllocator {
  private readonly used: Uint8Array
  private readonly first: number
  private readonly last: number
  private count = 0

  constructor(readonly range: Cidr) {
    const size = cidrSize(range)
    if (size > 1 << 24) throw new RangeError(`allocator range ${formatCidr(range)} is larger than a /8`)
    this.used = new Uint8Array(size)
    ;[this.first, this.last] = range.prefix >= 31 ? [0, size - 1] : [1, size - 2]
  }

  /** Number of allocatable addresses. */
  get capacity(): number {
    return this.last - this.first + 1
  }

  get allocated(): number {
    return this.count
  }

  has(ip: Ipv4): boolean {
    return cidrContains(this.range, ip) && this.used[ip - this.range.base] === 1
  }

  /** Claims `ip`; false if it is already taken. Throws if it is outside the allocatable range. */
  allocate(ip: Ipv4): boolean {
    const i = this.offsetOf(ip)
    if (this.used[i] === 1) return false
    this.used[i] = 1
    this.count++
    return true
  }

  /**
   * Claims the first free address at or after allocatable offset `start` (0 = the first host address),
   * wrapping around; throws AddressExhaustedError when the range is full.
   */
  allocateNext(start = 0): Ipv4 {
    const cap = this.capacity
    if (this.count >= cap) throw new AddressExhaustedError(`no free address left in ${formatCidr(this.range)}`)
    const s = ((Math.floor(start) % cap) + cap) % cap
    for (let k = 0; k < cap; k++) {
      const i = this.first + ((s + k) % cap)
      if (this.used[i] === 0) {
        this.used[i] = 1
        this.count++
        return (this.range.base + i) >>> 0
      }
    }
    throw new AddressExhaustedError(`no free address left in ${formatCidr(this.range)}`)
  }

  /** Frees `ip`; false if it was not allocated. */
  release(ip: Ipv4): boolean {
    const i = this.offsetOf(ip)
    if (this.used[i] === 0) return false
    this.used[i] = 0
    this.count--
    return true
  }

  private offsetOf(ip: Ipv4): number {
    const i = ip - this.range.base
    if (!cidrContains(this.range, ip) || i < this.first || i > this.last) {
      throw new RangeError(`${formatIpv4(ip)} is not an allocatable address of ${formatCidr(this.range)}`)
    }
    return i
  }
}
