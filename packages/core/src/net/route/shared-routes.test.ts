import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { RouteTable } from "./route-table"
import { SharedRoutes } from "./shared-routes"

const OWNERS = 4
const mask = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0)

/** Each owner's table with the shared routes attached, beside the same table with every route copied into it. */
const build = (own: ReadonlyArray<{ owner: number; dst: number; len: number }>, shared: ReadonlyArray<{ owner: number; dst: number; len: number }>) => {
  const s = new SharedRoutes()
  const viaShared = Array.from({ length: OWNERS }, (_, o) => {
    const t = new RouteTable<string>()
    t.attachShared(s, o, "eth0")
    return t
  })
  const copied = Array.from({ length: OWNERS }, () => new RouteTable<string>())
  shared.forEach((r, i) => {
    s.add(r.dst, r.len, i + 1, r.owner)
    copied.forEach((t, o) => {
      if (o !== r.owner) t.add(r.dst, r.len, "eth0", i + 1)
    })
  })
  // Own routes after the shared ones: `ip route replace` of a shared destination wins.
  own.forEach((r, i) => {
    viaShared[r.owner]?.add(r.dst, r.len, `veth${i}`)
    copied[r.owner]?.add(r.dst, r.len, `veth${i}`)
  })
  return { viaShared, copied }
}

const route = fc.record({ owner: fc.integer({ min: 0, max: OWNERS - 1 }), dst: fc.nat({ max: 0xffffffff }), len: fc.constantFrom(0, 8, 16, 24, 32) })
const plain = (r: { dst: number; prefixLen: number; via: number; dev: string } | null) => (r === null ? null : { dst: r.dst, prefixLen: r.prefixLen, via: r.via, dev: r.dev })

describe("SharedRoutes", () => {
  it("a node sees every other node's pod CIDR via that node, not its own", () => {
    const s = new SharedRoutes()
    const a = new RouteTable<string>()
    const b = new RouteTable<string>()
    a.attachShared(s, "a", "eth0-a")
    b.attachShared(s, "b", "eth0-b")
    s.add(0x0af4_0100, 24, 0xac12_0002, "a")
    s.add(0x0af4_0200, 24, 0xac12_0003, "b")
    expect(a.lookup(0x0af4_0205)).toMatchObject({ via: 0xac12_0003, dev: "eth0-a", prefixLen: 24 })
    expect(a.lookup(0x0af4_0105)).toBeNull()
    expect(b.lookup(0x0af4_0105)).toMatchObject({ via: 0xac12_0002, dev: "eth0-b" })
    expect(b.delete(0x0af4_0100, 24)).toBe(true)
    expect(b.lookup(0x0af4_0105)).toBeNull()
    expect(a.lookup(0x0af4_0205)?.via).toBe(0xac12_0003)
    b.deleteDev("eth0-b")
    expect(b.list()).toEqual([])
  })

  it("property: lookup, list and delete equal a table holding copies of the routes", () => {
    fc.assert(
      fc.property(
        fc.array(route, { maxLength: 20 }),
        // One owner per destination, as pod CIDRs are: each node's own.
        fc.uniqueArray(route, { maxLength: 20, selector: (r) => `${(r.dst & mask(r.len)) >>> 0}/${r.len}` }),
        fc.array(fc.record({ owner: fc.integer({ min: 0, max: OWNERS - 1 }), pick: fc.nat(), probe: fc.nat({ max: 0xffffffff }) }), { minLength: 1, maxLength: 20 }),
        (own, shared, ops) => {
          const { viaShared, copied } = build(own, shared)
          const all = [...own, ...shared]
          for (const op of ops) {
            const a = viaShared[op.owner] as RouteTable<string>
            const b = copied[op.owner] as RouteTable<string>
            expect(plain(a.lookup(op.probe))).toEqual(plain(b.lookup(op.probe)))
            // Probe inside a known route too: random addresses rarely hit one.
            const r = all[op.pick % Math.max(1, all.length)]
            if (r !== undefined) {
              expect(plain(a.lookup(r.dst))).toEqual(plain(b.lookup(r.dst)))
              if (op.pick % 3 === 0) expect(a.delete(r.dst, r.len)).toBe(b.delete(r.dst, r.len))
            }
            expect(a.list().map(plain)).toEqual(b.list().map(plain))
          }
        },
      ),
      { numRuns: runs(300) },
    )
  })
})
