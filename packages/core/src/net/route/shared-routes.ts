import type { Ipv4 } from "../packet/packet"

/** One shared route: `<dst>/<prefixLen> via <via>`, present in every attached table but its owner's. */
export interface SharedRoute {
  readonly dst: Ipv4
  readonly prefixLen: number
  readonly via: Ipv4
  /** The table that does not hold this route (a node has no host-gw route to its own pod CIDR). */
  readonly owner: unknown
}

const maskOf = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0)

/**
 * Routes that many hosts' tables hold alike, stored once: the host-gw routes of a pod network (kindnet writes,
 * on every node, `<podCIDR of node B> via <node B's IP> dev eth0` for each other node B). N nodes would hold
 * N·(N−1) routes — 25M at 5,000 nodes — where this holds N; each RouteTable attached to it (`attachShared`) sees
 * them through its own `dev`, without its owner's. Same longest-prefix match, one map probe per length.
 */
export class SharedRoutes {
  private readonly byLen = new Map<number, Map<number, SharedRoute>>()
  /** Distinct prefix lengths present, longest first. */
  lens: number[] = []

  /** Adds (or replaces) `dst/prefixLen via via`, absent from `owner`'s table. */
  add(dst: Ipv4, prefixLen: number, via: Ipv4, owner: unknown): void {
    if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) {
      throw new RangeError(`route: prefix length ${prefixLen} is not an integer in [0, 32]`)
    }
    let m = this.byLen.get(prefixLen)
    if (m === undefined) {
      m = new Map()
      this.byLen.set(prefixLen, m)
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a)
    }
    const net = (dst & maskOf(prefixLen)) >>> 0
    m.set(net, { dst: net, prefixLen, via: via >>> 0, owner })
  }

  /** The route for exactly `dst/prefixLen`, whoever's table it is absent from. */
  get(dst: Ipv4, prefixLen: number): SharedRoute | undefined {
    return this.byLen.get(prefixLen)?.get((dst & maskOf(prefixLen)) >>> 0)
  }

  /** The most specific route to `ip` longer than `longerThan` that `viewer`'s table holds, or undefined. */
  lookup(ip: Ipv4, viewer: unknown, longerThan: number, hidden: ReadonlySet<SharedRoute> | null): SharedRoute | undefined {
    const lens = this.lens
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i] as number
      if (len <= longerThan) return undefined
      const r = (this.byLen.get(len) as Map<number, SharedRoute>).get((ip & maskOf(len)) >>> 0)
      if (r !== undefined && r.owner !== viewer && (hidden === null || !hidden.has(r))) return r
    }
    return undefined
  }

  /** Every route, in no particular order (callers sort). */
  all(): IterableIterator<SharedRoute> {
    const maps = [...this.byLen.values()]
    return (function* () {
      for (const m of maps) yield* m.values()
    })()
  }
}
