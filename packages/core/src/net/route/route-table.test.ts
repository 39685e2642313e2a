import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { RouteTable } from "./route-table"

const mask = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0)

describe("RouteTable", () => {
  it("longest prefix wins; replace and delete", () => {
    const t = new RouteTable<string>()
    t.add(0, 0, "eth0", 0xc0a8_0001)
    t.add(0x0af4_0000, 16, "eth0", 0xc0a8_000b)
    t.add(0x0af4_000a, 32, "veth1")
    expect(t.lookup(0x0af4_000a)?.dev).toBe("veth1")
    expect(t.lookup(0x0af4_0105)?.via).toBe(0xc0a8_000b)
    expect(t.lookup(0x08080808)?.dev).toBe("eth0")
    t.deleteDev("veth1")
    expect(t.lookup(0x0af4_000a)?.prefixLen).toBe(16)
    expect(t.delete(0, 0)).toBe(true)
    expect(t.lookup(0x08080808)).toBeNull()
  })

  it("property: lookup equals a linear scan for the longest matching prefix", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dst: fc.nat({ max: 0xffffffff }), len: fc.integer({ min: 0, max: 32 }) }), { maxLength: 30 }),
        fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 20 }),
        (routes, probes) => {
          const t = new RouteTable<number>()
          routes.forEach((r, i) => t.add(r.dst, r.len, i))
          for (const ip of probes) {
            let best: { len: number; dev: number } | null = null
            routes.forEach((r, i) => {
              if (((ip & mask(r.len)) >>> 0) === ((r.dst & mask(r.len)) >>> 0) && (best === null || r.len > best.len || r.len === best.len)) {
                if (best === null || r.len >= best.len) best = { len: r.len, dev: i }
              }
            })
            const got = t.lookup(ip)
            expect(got === null ? null : { len: got.prefixLen, dev: got.dev }).toEqual(best)
          }
        },
      ),
      { numRuns: runs(200) },
    )
  })
})
