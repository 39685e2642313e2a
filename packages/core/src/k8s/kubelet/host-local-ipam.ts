import { cidrLast, formatCidr, formatIpv4, type Cidr, type Ipv4 } from "../../net/index"

/** The node's pod CIDR has no free address left (host-local: "no IP addresses available in range set"). */
export class IpamExhaustedError extends Error {
  override readonly name = "IpamExhaustedError"

  constructor(
    /** host-local's own text: `no IP addresses available in range set: <first>-<last>`. */
    readonly rangeMessage: string,
    owner: string,
  ) {
    super(`host-local: ${rangeMessage} (owner ${owner})`)
  }
}

/**
 * The CNI host-local IPAM plugin over one range (containernetworking/plugins plugins/ipam/host-local):
 * - the range runs from the subnet's first address + 1 to its last − 1 (range.go Canonicalize: rangeStart
 *   `ip.NextIP(network)`, rangeEnd the last address before broadcast), and the gateway (subnet + 1, config.go)
 *   is never handed out (allocator.go Get: "Do not allocate the gateway IP"), so pods start at `.2`;
 * - each allocation continues after the last one reserved (disk store `last_reserved_ip.0`; allocator.go
 *   GetIter starts at lastReservedIP + 1), wrapping at the end of the range: a released address is reused only
 *   after the iterator has gone round, which is why a recreated pod usually gets a new IP.
 */
export class HostLocalIpam {
  private readonly start: Ipv4
  private readonly end: Ipv4
  private readonly gateway: Ipv4
  private readonly used = new Map<Ipv4, string>()
  private lastReserved: Ipv4 | null = null

  constructor(readonly subnet: Cidr) {
    if (subnet.prefix > 30) throw new RangeError(`host-local: subnet ${formatCidr(subnet)} is too small (need a /30 or larger)`)
    this.start = (subnet.base + 1) >>> 0
    this.end = (cidrLast(subnet) - 1) >>> 0
    this.gateway = this.start
  }

  /** Addresses in use, by owner (container id / pod). */
  get allocated(): ReadonlyMap<Ipv4, string> {
    return this.used
  }

  /** Reserves the next free address after the last one reserved (allocator.go Get). */
  allocate(owner: string): Ipv4 {
    const size = this.end - this.start + 1
    let ip = this.lastReserved === null ? this.start : this.next(this.lastReserved)
    for (let i = 0; i < size; i++, ip = this.next(ip)) {
      if (ip === this.gateway || this.used.has(ip)) continue
      this.used.set(ip, owner)
      this.lastReserved = ip
      return ip
    }
    throw new IpamExhaustedError(`no IP addresses available in range set: ${formatIpv4(this.start)}-${formatIpv4(this.end)}`, owner)
  }

  /** Releases the address held by `owner` (CNI DEL); a no-op when it holds none. */
  release(owner: string): void {
    for (const [ip, o] of this.used) {
      if (o === owner) {
        this.used.delete(ip)
        return
      }
    }
  }

  private next(ip: Ipv4): Ipv4 {
    return ip >= this.end ? this.start : ((ip + 1) >>> 0)
  }
}
