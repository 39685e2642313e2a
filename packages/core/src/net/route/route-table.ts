import type { Ipv4 } from "../packet/packet"

/** One route: `<dst>/<prefixLen> [via <gateway>] dev <dev>` (ip-route(8)). `via` 0 means on-link. */
export interface Route<D> {
  readonly dst: Ipv4
  readonly prefixLen: number
  readonly via: Ipv4
  readonly dev: D
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
    const r: Route<D> = { dst: net, prefixLen, via: via >>> 0, dev }
    m.set(net, r)
    return r
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
      for (const [k, r] of [...m]) if (r.dev === dev) m.delete(k)
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
