import type { Ipv4 } from "../packet/packet"
import type { SharedRoute, SharedRoutes } from "./shared-routes"

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
  /** Routes held in common with other tables (`attachShared`), seen through `sharedDev`; null when none. */
  private shared: SharedRoutes | null = null
  private sharedDev: D | undefined
  private sharedOwner: unknown
  /** Shared routes deleted from this table. */
  private hidden: Set<SharedRoute> | null = null
  /** This table's Route for each shared route it has looked up (made on first use: traffic decides how many). */
  private readonly sharedViews = new Map<SharedRoute, Route<D>>()

  /**
   * Makes the routes of `shared` part of this table, through `dev`, but for those `owner` stands for (a node's
   * own pod CIDR). A route added here with the same dst/prefixLen replaces the shared one, as `ip route replace`.
   */
  attachShared(shared: SharedRoutes, owner: unknown, dev: D): void {
    this.shared = shared
    this.sharedOwner = owner
    this.sharedDev = dev
  }

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
    const s = this.visibleShared(dst, prefixLen)
    if (s !== undefined) (this.hidden ??= new Set()).add(s)
    const m = this.byLen.get(prefixLen)
    if (m === undefined) return s !== undefined
    const ok = m.delete((dst & maskOf(prefixLen)) >>> 0)
    if (m.size === 0) {
      this.byLen.delete(prefixLen)
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a)
    }
    return ok || s !== undefined
  }

  /** The shared route for exactly `dst/prefixLen` if this table holds it. */
  private visibleShared(dst: Ipv4, prefixLen: number): SharedRoute | undefined {
    const s = this.shared?.get(dst, prefixLen)
    return s !== undefined && s.owner !== this.sharedOwner && this.hidden?.has(s) !== true ? s : undefined
  }

  /** Removes every route through `dev` (the kernel flushes a device's routes when it goes away). */
  deleteDev(dev: D): void {
    for (const [len, m] of [...this.byLen]) {
      for (const [k, r] of [...m]) if (r.dev === dev || (r.nexthops !== null && r.nexthops.some((h) => h.dev === dev))) m.delete(k)
      if (m.size === 0) this.byLen.delete(len)
    }
    this.lens = [...this.byLen.keys()].sort((a, b) => b - a)
    // The kernel flushes the routes through a device that goes away, shared ones included.
    if (this.shared !== null && dev === this.sharedDev) this.shared = null
  }

  /** The most specific route to `ip`, or null. */
  lookup(ip: Ipv4): Route<D> | null {
    const lens = this.lens
    let own: Route<D> | null = null
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i] as number
      const r = (this.byLen.get(len) as Map<number, Route<D>>).get((ip & maskOf(len)) >>> 0)
      if (r !== undefined) {
        own = r
        break
      }
    }
    if (this.shared === null) return own
    const s = this.shared.lookup(ip, this.sharedOwner, own === null ? -1 : own.prefixLen, this.hidden)
    return s === undefined ? own : this.viewOf(s)
  }

  private viewOf(s: SharedRoute): Route<D> {
    let r = this.sharedViews.get(s)
    if (r === undefined) {
      r = { dst: s.dst, prefixLen: s.prefixLen, via: s.via, dev: this.sharedDev as D, nexthops: null }
      this.sharedViews.set(s, r)
    }
    return r
  }

  /** All routes, most specific first, then by destination (deterministic, like `ip route` sorted). */
  list(): Route<D>[] {
    const all: Route<D>[] = []
    for (const m of this.byLen.values()) all.push(...m.values())
    if (this.shared !== null) {
      for (const s of this.shared.all()) {
        if (s.owner !== this.sharedOwner && this.hidden?.has(s) !== true && this.byLen.get(s.prefixLen)?.has(s.dst) !== true) {
          all.push(this.sharedViews.get(s) ?? { dst: s.dst, prefixLen: s.prefixLen, via: s.via, dev: this.sharedDev as D, nexthops: null })
        }
      }
    }
    return all.sort((a, b) => b.prefixLen - a.prefixLen || a.dst - b.dst)
  }
}
