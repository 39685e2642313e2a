import type { Rng } from "../sim/index"
import type { DnsAnswer, ResourceRecord } from "./dns-message"

/**
 * CoreDNS' `loadbalance` plugin, policy `round_robin` (coredns v1.11.1 plugin/loadbalance/loadbalance.go
 * `randomShuffle` / `roundRobin` / `roundRobinShuffle`): on every NOERROR reply it reorders the answer, authority
 * and additional sections each as CNAMEs, then other records, then the A/AAAA records shuffled, then MX shuffled.
 * The shuffle is not a uniform permutation: two records swap when `dns.Id()` is even; more records get
 * `l × (id % 4 + 1)` swaps of two random positions (a position paired with itself takes the next one). `dns.Id()`
 * is a uniform 16-bit number; here each one is drawn from `rng`.
 */
export const loadbalanceAnswer = (a: DnsAnswer, rng: Rng): DnsAnswer => {
  if (a.rcode !== "NOERROR") return a
  return { ...a, answer: roundRobin(a.answer, rng), authority: roundRobin(a.authority, rng), additional: roundRobin(a.additional, rng) }
}

/** miekg/dns `Id()`: a uniform uint16. */
const dnsId = (rng: Rng): number => rng.uint32() & 0xffff

const roundRobin = (rrs: ReadonlyArray<ResourceRecord>, rng: Rng): ReadonlyArray<ResourceRecord> => {
  if (rrs.length < 2) return rrs
  const cname: ResourceRecord[] = []
  const address: ResourceRecord[] = []
  const mx: ResourceRecord[] = []
  const rest: ResourceRecord[] = []
  for (const r of rrs) {
    if (r.type === "CNAME") cname.push(r)
    else if (r.type === "A" || r.type === "AAAA") address.push(r)
    else if (r.type === "MX") mx.push(r)
    else rest.push(r)
  }
  roundRobinShuffle(address, rng)
  roundRobinShuffle(mx, rng)
  return [...cname, ...rest, ...address, ...mx]
}

const roundRobinShuffle = (records: ResourceRecord[], rng: Rng): void => {
  const l = records.length
  if (l < 2) return
  if (l === 2) {
    if (dnsId(rng) % 2 === 0) swap(records, 0, 1)
    return
  }
  const swaps = l * ((dnsId(rng) % 4) + 1)
  for (let j = 0; j < swaps; j++) {
    const q = dnsId(rng) % l
    let p = dnsId(rng) % l
    if (q === p) p = (p + 1) % l
    swap(records, q, p)
  }
}

const swap = (xs: ResourceRecord[], i: number, j: number): void => {
  const t = xs[i] as ResourceRecord
  xs[i] = xs[j] as ResourceRecord
  xs[j] = t
}
