import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../../sim/index"
import { PROTO_UDP } from "../packet/packet"
import { ip, makeCluster } from "../test/cluster"
import { IPS_ASSURED } from "./ct-state"
import { ConntrackTable, KERNEL_CONNTRACK_BUCKETS, KERNEL_CONNTRACK_MAX, tupleHash } from "./table"

const S = NANOS_PER_SECOND

/** Confirms a UDP entry 10.0.0.1:sport → 10.0.0.2:53, assured or not. */
const entry = (t: ConntrackTable, sport: number, assured: boolean) => {
  const e = t.create(PROTO_UDP, ip("10.0.0.1"), ip("10.0.0.2"), sport, 53, 0)
  e.expires = 100 * S
  if (assured) e.status |= IPS_ASSURED
  expect(t.confirm(e, 0)).toBe(true)
  return e
}
const hashOf = (sport: number) => tupleHash(ip("10.0.0.1"), ip("10.0.0.2"), sport, 53, PROTO_UDP)

describe("conntrack table limit (nf_conntrack_max) and early_drop (nf_conntrack_core.c)", () => {
  it("defaults to the kernel's sizing on a 64-bit machine with more than 4 GiB: 262144 entries and buckets", () => {
    const t = new ConntrackTable()
    expect([t.max, t.buckets]).toEqual([KERNEL_CONNTRACK_MAX, KERNEL_CONNTRACK_BUCKETS])
    expect([KERNEL_CONNTRACK_MAX, KERNEL_CONNTRACK_BUCKETS]).toEqual([262144, 262144])
    t.buckets = 40960
    expect(t.buckets).toBe(65536)
  })

  it("full: a new connection evicts the non-ASSURED entries of the first bucket in range that has some", () => {
    const t = new ConntrackTable()
    t.max = 3
    // One kernel bucket holds everything: early_drop's first bucket has all three entries.
    t.buckets = 1
    const a = entry(t, 1001, true)
    const b = entry(t, 1002, false)
    const c = entry(t, 1003, true)
    expect(t.full).toBe(true)
    expect(t.admitWhenFull(hashOf(2000), S)).toBe(true)
    expect(t.list(S)).toEqual([a, c])
    expect(b.expires).toBe(100 * S)
    expect([t.earlyDrops, t.fullDrops]).toEqual([1, 0])
  })

  it("full of ASSURED entries: nothing can be evicted and the packet is dropped", () => {
    const t = new ConntrackTable()
    t.max = 2
    t.buckets = 1
    entry(t, 1001, true)
    entry(t, 1002, true)
    expect(t.admitWhenFull(hashOf(2000), S)).toBe(false)
    expect([t.size, t.earlyDrops, t.fullDrops]).toEqual([2, 0, 1])
  })

  it("only NF_CT_EVICTION_RANGE (8) buckets from the new tuple's are looked at; expired entries met are collected", () => {
    const t = new ConntrackTable()
    t.max = 2
    t.buckets = 1 << 20
    const mask = (1 << 20) - 1
    // Find source ports whose entries sit far from the new tuple's bucket, and one right after it.
    const target = hashOf(2000) & mask
    const distance = (sport: number) => Math.min(((hashOf(sport) & mask) - target + (1 << 20)) & mask, ((tupleHash(ip("10.0.0.2"), ip("10.0.0.1"), 53, sport, PROTO_UDP) & mask) - target + (1 << 20)) & mask)
    let far = 1
    while (distance(far) < 64) far++
    entry(t, far, false)
    let far2 = far + 1
    while (distance(far2) < 64) far2++
    const e2 = entry(t, far2, false)
    expect(t.admitWhenFull(hashOf(2000), S)).toBe(false)
    expect(t.size).toBe(2)
    // An expired entry is collected wherever the lookup meets it, but that alone does not admit (early_drop_list).
    e2.expires = S
    expect(t.gc(2 * S)).toBe(1)
    expect(t.full).toBe(false)
  })

  it("on a node: a new connection finding the table full of ASSURED entries is dropped (conntrack-full); a non-ASSURED one is evicted", () => {
    const c = makeCluster({ backends: 1 })
    const node = c.nodes[0]!
    const ct = node.conntrack!
    ct.max = 1
    ct.buckets = 1
    const full: number[] = []
    ct.onTableFull = (pkt) => full.push(pkt.dport)
    c.backends[0]!.tcpListen(8080, () => ({}))
    let first = false
    c.client.tcpConnect(c.serviceIp, 80, { onConnected: () => (first = true) })
    c.sim.run({ until: 1 * S })
    expect(first).toBe(true)
    expect(ct.list(c.sim.now).map((e) => (e.status & IPS_ASSURED) !== 0)).toEqual([true])
    // The second connection's SYNs (first try and retransmissions) are dropped at the node.
    let second = false
    c.client.tcpConnect(c.serviceIp, 80, { onConnected: () => (second = true) })
    c.sim.run({ until: 5 * S })
    expect(second).toBe(false)
    expect(node.counters.droppedBy("conntrack-full")).toBeGreaterThanOrEqual(2)
    expect(full.length).toBe(node.counters.droppedBy("conntrack-full"))
    expect(full.every((p) => p === 80)).toBe(true)
    expect([ct.fullDrops, ct.earlyDrops]).toEqual([full.length, 0])

    // A UDP entry that saw no reply is not ASSURED: the next new connection evicts it and goes through.
    const d = makeCluster({ backends: 1 })
    const dct = d.nodes[0]!.conntrack!
    dct.max = 1
    dct.buckets = 1
    d.backends[0]!.tcpListen(8080, () => ({}))
    d.client.udpBind(0, {}).sendTo(ip("10.244.0.10"), 9999, "x", 10)
    d.sim.run({ until: 1 * S })
    expect(dct.size).toBe(1)
    let connected = false
    d.client.tcpConnect(d.serviceIp, 80, { onConnected: () => (connected = true) })
    d.sim.run({ until: 2 * S })
    expect(connected).toBe(true)
    expect(dct.earlyDrops).toBe(1)
    expect(d.nodes[0]!.counters.droppedBy("conntrack-full")).toBe(0)
  })
})
