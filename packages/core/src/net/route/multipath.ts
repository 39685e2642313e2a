import type { Ipv4 } from "../packet/packet"
import type { Nexthop, Route } from "./route-table"

/**
 * net.ipv4.fib_multipath_hash_policy: 0 hashes the addresses (L3, the kernel's default), 1 the 5-tuple (L4).
 * Policies 2 and 3 (inner headers, custom fields) are not modelled.
 */
export type MultipathHashPolicy = 0 | 1

/** One 32-bit mixing round (a multiply-rotate in the spirit of jhash's mix; ours, not the kernel's function). */
const mix = (h: number, k: number): number => {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/**
 * The flow hash that picks a next hop (route.c fib_multipath_hash): with policy 0 the source and destination
 * addresses, with policy 1 also the protocol and ports, hashed with the host's random seed (the kernel keys
 * flow_hash_from_keys with a boot-time random, so two hosts spread the same flows differently) and shifted to
 * 31 bits (`mhash >> 1`). Same inputs and seed → the same next hop for every packet of a flow.
 */
export const fibMultipathHash = (
  policy: MultipathHashPolicy,
  seed: number,
  src: Ipv4,
  dst: Ipv4,
  proto: number,
  sport: number,
  dport: number,
): number => {
  let h = seed | 0
  h = mix(h, src | 0)
  h = mix(h, dst | 0)
  if (policy === 1) {
    h = mix(h, proto)
    h = mix(h, ((sport & 0xffff) << 16) | (dport & 0xffff))
  }
  // Finalisation (avalanche) so that nearby tuples land in unrelated slices.
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 1) & 0x7fffffff
}

/**
 * fib_semantics.c fib_select_multipath: the first next hop whose upper bound is ≥ the 31-bit hash.
 * Throws for a single-path route (the caller checks `route.nexthops` first).
 */
export const selectMultipath = <D>(route: Route<D>, hash: number): Nexthop<D> => {
  const hops = route.nexthops
  if (hops === null) throw new Error("selectMultipath: not a multipath route")
  for (let i = 0; i < hops.length; i++) {
    const h = hops[i] as Nexthop<D>
    if (hash <= h.upperBound) return h
  }
  return hops[hops.length - 1] as Nexthop<D>
}
