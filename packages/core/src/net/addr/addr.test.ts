import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import {
  AddressParseError,
  CidrAllocator,
  cidrAt,
  cidrContains,
  cidrHosts,
  cidrSubnet,
  formatCidr,
  formatIpPort,
  formatIpv4,
  parseCidr,
  parseIpPort,
  parseIpv4,
} from "./index"

const ipv4 = fc.integer({ min: 0, max: 0xffffffff })

describe("Ipv4", () => {
  it("parses and formats dotted quads", () => {
    expect(parseIpv4("10.0.0.1")).toBe(0x0a000001)
    expect(parseIpv4("255.255.255.255")).toBe(0xffffffff)
    expect(formatIpv4(0xc0a80002)).toBe("192.168.0.2")
  })
  it("round-trips every address", () => {
    fc.assert(fc.property(ipv4, (ip) => parseIpv4(formatIpv4(ip)) === ip), { numRuns: runs(500) })
  })
  it("rejects bad text with an error quoting it", () => {
    for (const bad of ["", "10.0.0", "10.0.0.256", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1..2.3", "1.2.3.4.5"]) {
      expect(() => parseIpv4(bad)).toThrow(AddressParseError)
      expect(() => parseIpv4(bad)).toThrow(`"${bad}"`)
    }
  })
  it("never throws anything but AddressParseError on random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        try {
          parseIpv4(s)
        } catch (e) {
          return e instanceof AddressParseError
        }
        return true
      }),
      { numRuns: runs(300) },
    )
  })
})

describe("Cidr", () => {
  it("parses strictly and sloppily", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ base: 0x0a000000, prefix: 8 })
    expect(() => parseCidr("10.1.0.0/8")).toThrow(/did you mean 10.0.0.0\/8/)
    expect(parseCidr("10.1.0.0/8", { strict: false })).toEqual({ base: 0x0a000000, prefix: 8 })
    expect(parseCidr("1.2.3.4", { strict: false })).toEqual({ base: 0x01020304, prefix: 32 })
    expect(() => parseCidr("1.2.3.4/33")).toThrow(AddressParseError)
    expect(formatCidr(parseCidr("0.0.0.0/0"))).toBe("0.0.0.0/0")
  })
  it("contains exactly the addresses sharing the prefix", () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (a, p, b) => {
        const c = parseCidr(`${formatIpv4(a)}/${p}`, { strict: false })
        const same = p === 0 || a >>> (32 - p) === b >>> (32 - p)
        return cidrContains(c, b) === same && cidrContains(c, a)
      }),
      { numRuns: runs(500) },
    )
  })
  it("iterates hosts without network and broadcast addresses", () => {
    expect([...cidrHosts(parseCidr("10.0.0.0/30"))].map(formatIpv4)).toEqual(["10.0.0.1", "10.0.0.2"])
    expect([...cidrHosts(parseCidr("10.0.0.0/31"))].length).toBe(2)
    expect(formatIpv4(cidrAt(parseCidr("10.96.0.0/12"), 10))).toBe("10.96.0.10")
    expect(formatCidr(cidrSubnet(parseCidr("10.244.0.0/16"), 24, 3))).toBe("10.244.3.0/24")
  })
})

describe("IpPort", () => {
  it("round-trips and rejects bad ports", () => {
    expect(parseIpPort("10.180.0.1:80")).toEqual({ ip: 0x0ab40001, port: 80 })
    expect(formatIpPort({ ip: 0x0ab40001, port: 8080 })).toBe("10.180.0.1:8080")
    for (const bad of ["10.0.0.1", "10.0.0.1:", "10.0.0.1:65536", "10.0.0.1:080", ":80"]) {
      expect(() => parseIpPort(bad)).toThrow(`"${bad}"`)
    }
  })
})

describe("CidrAllocator", () => {
  it("allocates every host exactly once, then reports exhaustion", () => {
    const a = new CidrAllocator(parseCidr("10.0.0.0/29"))
    const got = new Set<number>()
    for (let i = 0; i < 6; i++) got.add(a.allocateNext(3))
    expect(got.size).toBe(6)
    expect([...got].map(formatIpv4)).toEqual(["10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.1", "10.0.0.2", "10.0.0.3"])
    expect(() => a.allocateNext()).toThrow(/no free address/)
    expect(a.release(parseIpv4("10.0.0.5"))).toBe(true)
    expect(formatIpv4(a.allocateNext())).toBe("10.0.0.5")
    expect(a.allocate(parseIpv4("10.0.0.5"))).toBe(false)
    expect(() => a.allocate(parseIpv4("10.0.0.7"))).toThrow(/not an allocatable address/)
  })
})
