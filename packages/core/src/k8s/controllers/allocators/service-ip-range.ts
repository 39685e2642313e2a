import { type Cidr, type Ipv4, cidrContains, cidrSize, formatCidr, formatIpv4 } from "../../../net/addr/index"
import type { Rng } from "../../../sim/index"
import { type AllocationFailure, BandedBitmap, rangeOffset } from "./banded-bitmap"

/** kubeadm's default service subnet (`DefaultServicesSubnet`). */
export const DEFAULT_SERVICE_CIDR = "10.96.0.0/12"

/**
 * The ClusterIP range (pkg/registry/core/service/ipallocator): the CIDR's host addresses (no network address, no
 * IPv4 broadcast, `hostsPerNetwork`); static band = min(max(16, size/16), 256) addresses at the start
 * (`calculateRangeOffset`), so for 10.96.0.0/12 random allocation starts at 10.96.1.1 and explicit requests such
 * as the `kubernetes` Service's 10.96.0.1 and kube-dns's 10.96.0.10 rarely collide with it.
 */
export class ServiceIpRange {
  private readonly bits: BandedBitmap
  private readonly first: Ipv4

  constructor(readonly cidr: Cidr) {
    const n = cidrSize(cidr)
    if (n < 8) throw new RangeError(`service CIDR ${formatCidr(cidr)} is too small: it needs at least 8 addresses`)
    if (n > 1 << 24) throw new RangeError(`service CIDR ${formatCidr(cidr)} is larger than a /8`)
    this.first = (cidr.base + 1) >>> 0
    const size = n - 2
    // ipallocator.go `calculateRangeOffset` sizes the static band from the whole CIDR (`netutils.RangeSize`,
    // network and broadcast included): a /21 gets 2048/16 = 128, a /20 gets 256.
    this.bits = new BandedBitmap(size, rangeOffset(n, 16, 16, 256))
  }

  get size(): number {
    return this.bits.size
  }
  get staticBand(): number {
    return this.bits.offset
  }
  get allocated(): number {
    return this.bits.allocated
  }

  /** The `index`-th host address (1 = 10.96.0.1): `GetIndexedIP`. */
  indexed(index: number): Ipv4 {
    if (!(index >= 1 && index <= this.size)) throw new RangeError(`index ${index} outside ${formatCidr(this.cidr)}`)
    return (this.cidr.base + index) >>> 0
  }

  contains(ip: Ipv4): boolean {
    return cidrContains(this.cidr, ip) && ip >= this.first && ip - this.first < this.size
  }

  has(ip: Ipv4): boolean {
    return this.contains(ip) && this.bits.has(ip - this.first)
  }

  allocate(ip: Ipv4): AllocationFailure | undefined {
    if (!this.contains(ip)) return "not-in-range"
    return this.bits.allocate(ip - this.first) ? undefined : "allocated"
  }

  allocateNext(rng: Rng): Ipv4 | undefined {
    const i = this.bits.allocateNext(rng)
    return i < 0 ? undefined : ((this.first + i) >>> 0)
  }

  release(ip: Ipv4): void {
    if (this.contains(ip)) this.bits.release(ip - this.first)
  }

  clear(): void {
    this.bits.clear()
  }

  /** ipallocator `ErrNotInRange`, `ErrAllocated`, `ErrFull` texts. */
  failureText(f: AllocationFailure, ip?: Ipv4): string {
    if (f === "allocated") return "provided IP is already allocated"
    if (f === "full") return "range is full"
    return `the provided IP (${ip === undefined ? "" : formatIpv4(ip)}) is not in the valid range. The range of valid IPs is ${formatCidr(this.cidr)}`
  }
}
