import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { fibMultipathHash, selectMultipath } from "./multipath"
import { RouteTable } from "./route-table"

const VIP = 0xac12ffc8 // 172.18.255.200

describe("multipath routes (fib_semantics.c fib_rebalance / fib_select_multipath)", () => {
  it("upper bounds split the 31-bit hash space by weight; the first hop whose bound ≥ hash wins", () => {
    const t = new RouteTable<string>()
    const r = t.addMultipath(VIP, 32, [{ via: 1, dev: "eth0" }, { via: 2, dev: "eth0", weight: 2 }, { via: 3, dev: "eth1" }])
    // fib_rebalance: DIV_ROUND_CLOSEST(w << 31, total) − 1 with w = 1, 3, 4 of total 4.
    expect(r.nexthops!.map((h) => h.upperBound)).toEqual([2 ** 29 - 1, 3 * 2 ** 29 - 1, 2 ** 31 - 1])
    expect(t.lookup(VIP)).toBe(r)
    expect(r.via).toBe(1)
    expect(selectMultipath(r, 0).via).toBe(1)
    expect(selectMultipath(r, 2 ** 29 - 1).via).toBe(1)
    expect(selectMultipath(r, 2 ** 29).via).toBe(2)
    expect(selectMultipath(r, 2 ** 31 - 1).via).toBe(3)
    expect(() => t.addMultipath(VIP, 32, [])).toThrow(/at least one next hop/)
    expect(() => t.addMultipath(VIP, 32, [{ via: 1, dev: "a" }, { via: 2, dev: "a", weight: 0 }])).toThrow(/weight 0/)
    // One next hop is a plain route; a device going away takes the multipath route with it.
    expect(t.addMultipath(VIP, 32, [{ via: 9, dev: "eth0" }]).nexthops).toBeNull()
    t.addMultipath(VIP, 32, [{ via: 1, dev: "eth0" }, { via: 3, dev: "eth1" }])
    t.deleteDev("eth1")
    expect(t.lookup(VIP)).toBeNull()
  })

  it("property: the L4 hash is 31-bit, a pure function of (seed, tuple); L3 ignores ports; flows spread evenly", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (seed, src, dst, sport, dport) => {
        const h = fibMultipathHash(1, seed, src, dst, 6, sport, dport)
        expect(h).toBeGreaterThanOrEqual(0)
        expect(h).toBeLessThan(2 ** 31)
        expect(fibMultipathHash(1, seed, src, dst, 6, sport, dport)).toBe(h)
        expect(fibMultipathHash(0, seed, src, dst, 6, sport, dport)).toBe(fibMultipathHash(0, seed, src, dst, 17, 1, 2))
      }),
      { numRuns: runs(200) },
    )
    const t = new RouteTable<string>()
    const r = t.addMultipath(VIP, 32, [1, 2, 3].map((via) => ({ via, dev: "eth0" })))
    const counts = [0, 0, 0]
    const n = 30_000
    for (let p = 0; p < n; p++) counts[selectMultipath(r, fibMultipathHash(1, 12345, 0xac120064, VIP, 6, 32768 + p, 80)).via - 1]!++
    // Chi-square with 2 degrees of freedom below 13.8 (p = 0.001) for ephemeral source ports of one client.
    const chi = counts.reduce((a, c) => a + (c - n / 3) ** 2 / (n / 3), 0)
    expect(chi).toBeLessThan(13.8)
    // Different seeds (two routers) map the same flow independently.
    const differ = Array.from({ length: 200 }, (_, p) => fibMultipathHash(1, 1, 10, VIP, 6, p, 80) !== fibMultipathHash(1, 2, 10, VIP, 6, p, 80)).filter(Boolean).length
    expect(differ).toBeGreaterThan(190)
  })
})
