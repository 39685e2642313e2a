import type { Ipv4 } from "../packet/packet"

/** Where a route sends a packet: the gateway (`via`, 0 = on-link) and the device. */
export interface Path<D> {
  readonly via: Ipv4
  readonly dev: D
}

/**
 * One next hop of a multipath route (`nexthop via <gw> dev <dev> weight <w>`): `upperBound` is the top of its
 * slice of the 31-bit hash space, as fib_semantics.c fib_rebalance computes it.
 */
export interface Nexthop<D> extends Path<D> {
  readonly weight: number
  readonly upperBound: number
}

/**
 * One route: `<dst>/<prefixLen> [via <gateway>] dev <dev>` (ip-route(8)). `via` 0 means on-link. A multipath
 * route (`ip route replace <dst> nexthop via … nexthop via …`) lists its next hops in `nexthops`, and `via`/`dev`
 * are those of the first (the kernel's fib_nh[0]); `nexthops` is null for a single-path route.
 */
export interface Route<D> extends Path<D> {
  readonly dst: Ipv4
  readonly prefixLen: number
  readonly nexthops: ReadonlyArray<Nexthop<D>> | null
}

const maskOf = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0)

/**
 * A routing table with longest-prefix match (the kernel's fib lookup returns the most specific route).
 *
 * Routes are kept in one map per prefix length; lookup tries the lengths present from longest to shortest,
 * so a lookup costs one map probe per distinct length (typically 32, 24, 16, 0), not one per route.
 * Adding a route with the same dst/len replaces it (`ip route replace`).
 */
export class RouteTable<D> {
  private readonly byLen = new Map<number, Map<number, Route<D>>>()
  /** Distinct prefix lengths present, longest first. */
  private lens: number[] = []

  add(dst: Ipv4, prefixLen: number, dev: D, via: Ipv4 = 0): Route<D> {
    if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) {
      throw new RangeError(`route: prefix length ${prefixLen} is not an integer in [0, 32]`)
    }
    const net = (dst & maskOf(prefixLen)) >>> 0
    let m = this.byLen.get(prefixLen)
    if (m === undefined) {
      m = new Map()
      this.byLen.set(prefixLen, m)
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a)
    }
    const r: Route<D> = { dst: net, prefixLen, via: via >>> 0, dev, nexthops: null }
    m.set(net, r)
    return r
  }

  /**
   * `ip route replace dst/prefixLen nexthop via … [weight w] nexthop via …`: a multipath route. Each next hop
   * gets the slice of the 31-bit hash space its weight earns (fib_semantics.c fib_rebalance:
   * upper_bound = DIV_ROUND_CLOSEST(w_cumulative << 31, total) − 1). One next hop makes a single-path route.
   */
  addMultipath(dst: Ipv4, prefixLen: number, hops: ReadonlyArray<{ readonly via: Ipv4; readonly dev: D; readonly weight?: number }>): Route<D> {
    const first = hops[0]
    if (first === undefined) throw new RangeError(`route: a multipath route to ${dst >>> 0}/${prefixLen} needs at least one next hop`)
    if (hops.length === 1) return this.add(dst, prefixLen, first.dev, first.via)
    let total = 0
    for (const [i, h] of hops.entries()) {
      const w = h.weight ?? 1
      // ip-route(8): weight is 1..256 (rtnh_hops + 1).
      if (!Number.isInteger(w) || w < 1 || w > 256) throw new RangeError(`route: next hop ${i} weight ${w} is not an integer in [1, 256]`)
      total += w
    }
    let cumulative = 0
    const nexthops: Nexthop<D>[] = hops.map((h) => {
      const weight = h.weight ?? 1
      cumulative += weight
      return { via: h.via >>> 0, dev: h.dev, weight, upperBound: Math.round((cumulative * 2 ** 31) / total) - 1 }
    })
    const r = this.add(dst, prefixLen, first.dev, first.via)
    const multi: Route<D> = { dst: r.dst, prefixLen, via: r.via, dev: first.dev, nexthops }
    ;(this.byLen.get(prefixLen) as Map<number, Route<D>>).set(r.dst, multi)
    return multi
  }

  /** Removes the route for exactly `dst/prefixLen`; returns whether one existed. */
  delete(dst: Ipv4, prefixLen: number): boolean {
    const m = this.byLen.get(prefixLen)
    if (m === undefined) return false
    const ok = m.delete((dst & maskOf(prefixLen)) >>> 0)
    if (m.size === 0) {
      this.byLen.delete(prefixLen)
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a)
    }
    return ok
  }

  /** Removes every route through `dev` (the kernel flushes a device's routes when it goes away). */
  deleteDev(dev: D): void {
    for (const [len, m] of [...this.byLen]) {
      for (const [k, r] of [...m]) if (r.dev === dev || (r.nexthops !== null && r.nexthops.some((h) => h.dev === dev))) m.delete(k)
      if (m.size === 0) this.byLen.delete(len)
    }
    this.lens = [...this.byLen.keys()].sort((a, b) => b - a)
  }

  /** The most specific route to `ip`, or null. */
  lookup(ip: Ipv4): Route<D> | null {
    const lens = this.lens
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i] as number
      const r = (this.byLen.get(len) as Map<number, Route<D>>).get((ip & maskOf(len)) >>> 0)
      if (r !== undefined) return r
    }
    return null
  }

  /** All routes, most specific first, then by destination (deterministic, like `ip route` sorted). */
  list(): Route<D>[] {
    const out: Route<D>[] = []
    for (const len of this.lens) {
      const rs = [...(this.byLen.get(len) as Map<number, Route<D>>).values()].sort((a, b) => a.dst - b.dst)
      out.push(...rs)
    }
    return out
  }
}
