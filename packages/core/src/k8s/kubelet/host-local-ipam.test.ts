import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { formatIpv4, parseCidr } from "../../net/index"
import { HostLocalIpam, IpamExhaustedError } from "./host-local-ipam"

describe("host-local IPAM", () => {
  it("starts at .2 (network and gateway skipped), continues after the last reserved, never hands out broadcast", () => {
    const ipam = new HostLocalIpam(parseCidr("10.244.1.0/29"))
    expect([1, 2, 3, 4, 5].map((i) => formatIpv4(ipam.allocate(`p${i}`)))).toEqual(["10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6"])
    expect(() => ipam.allocate("p6")).toThrow(IpamExhaustedError)
    expect(() => ipam.allocate("p6")).toThrow(/no IP addresses available in range set: 10\.244\.1\.1-10\.244\.1\.6/)
  })

  it("a released address is reused only after the iterator wraps", () => {
    const ipam = new HostLocalIpam(parseCidr("10.244.1.0/29"))
    for (const p of ["a", "b", "c"]) ipam.allocate(p)
    ipam.release("a")
    expect(formatIpv4(ipam.allocate("d"))).toBe("10.244.1.5")
    expect(formatIpv4(ipam.allocate("e"))).toBe("10.244.1.6")
    expect(formatIpv4(ipam.allocate("f"))).toBe("10.244.1.2")
  })

  it("property: matches a model of allocator.go (next free after last reserved, wrapping, gateway skipped)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 26, max: 30 }), fc.array(fc.tuple(fc.boolean(), fc.nat(40)), { maxLength: 120 }), (prefix, ops) => {
        const ipam = new HostLocalIpam(parseCidr(`10.0.0.0/${prefix}`))
        const size = 2 ** (32 - prefix)
        const range = Array.from({ length: size - 3 }, (_, i) => i + 2) // .2 … last-1
        const used = new Map<string, number>()
        let last = -1
        let n = 0
        for (const [alloc, k] of ops) {
          if (alloc) {
            const owner = `o${n++}`
            const start = last < 0 ? 0 : (range.indexOf(last) + 1) % range.length
            let expected: number | undefined
            for (let i = 0; i < range.length; i++) {
              const cand = range[(start + i) % range.length] as number
              if (![...used.values()].includes(cand)) {
                expected = cand
                break
              }
            }
            if (expected === undefined) {
              expect(() => ipam.allocate(owner)).toThrow(IpamExhaustedError)
            } else {
              expect(ipam.allocate(owner) & 0xff).toBe(expected)
              used.set(owner, expected)
              last = expected
            }
          } else {
            const owners = [...used.keys()]
            if (owners.length === 0) continue
            const owner = owners[k % owners.length] as string
            ipam.release(owner)
            used.delete(owner)
          }
        }
        expect(ipam.allocated.size).toBe(used.size)
      }),
      { numRuns: runs(200) },
    )
  })
})
