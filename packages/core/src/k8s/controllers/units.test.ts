import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { Simulation } from "../../sim/index"
import { formatIpv4, parseIpv4 } from "../../net/addr/index"
import { ALPHANUMS, randomString, safeEncodeString } from "./util/names"
import { computeHash, fnv32a } from "./util/template-hash"
import { resolveFenceposts, scaledValue } from "./util/int-or-percent"
import { milliCpu, parseQuantity, wholeUnits } from "../api/quantity"
import { ServiceIpRange } from "./allocators/service-ip-range"
import { NodePortAllocatorRange } from "./allocators/node-port-range"
import { parseCidr } from "../../net/addr/index"
import { testCluster, webDeployment } from "./test-support/cluster"
import { seconds } from "../../sim/index"

describe("util/rand and ComputeHash", () => {
  it("randomString uses only upstream's alphabet and is reproducible per stream", () => {
    const a = new Simulation(1).rng("replicaset-controller")
    const b = new Simulation(1).rng("replicaset-controller")
    const s = Array.from({ length: 200 }, () => randomString(a, 5))
    expect(s).toEqual(Array.from({ length: 200 }, () => randomString(b, 5)))
    for (const x of s) expect(x).toMatch(new RegExp(`^[${ALPHANUMS}]{5}$`))
    // Every character shows up (uniform over 27): a rejection bug would starve some.
    expect(new Set(s.join("")).size).toBe(27)
  })
  it("SafeEncodeString maps decimal digits to 4-9 and b c d f, as real pod-template-hash values", () => {
    expect(safeEncodeString("0123456789")).toBe("456789bcdf")
    expect(computeHash({ metadata: { labels: { app: "web" } }, spec: {} as never }, undefined)).toMatch(/^[4-9bcdf]{1,10}$/)
  })
  it("FNV-32a matches the reference vectors", () => {
    expect(fnv32a("")).toBe(0x811c9dc5)
    expect(fnv32a("a")).toBe(0xe40c292c)
    expect(fnv32a("foobar")).toBe(0xbf9cf968)
  })
  it("the collision count changes the hash", () => {
    const t = { metadata: { labels: { app: "web" } }, spec: {} as never }
    expect(computeHash(t, 1)).not.toBe(computeHash(t, undefined))
    expect(computeHash(t, 1)).not.toBe(computeHash(t, 2))
  })
  it("the collision count is hashed as 8 bytes: uint32 little-endian then 4 zero bytes (controller_utils.go ComputeHash)", () => {
    const t = { metadata: { labels: { app: "web" } }, spec: {} as never }
    const base = Number([...computeHash(t, undefined)].map((ch) => String((ALPHANUMS.indexOf(ch) + 6) % 27)).join(""))
    let h = base
    for (const b of [0x02, 0x01, 0, 0, 0, 0, 0, 0]) h = Math.imul(h ^ b, 0x01000193) >>> 0
    expect(computeHash(t, 0x0102)).toBe(safeEncodeString(String(h)))
  })
})

describe("ResolveFenceposts", () => {
  it("maxSurge rounds up, maxUnavailable down, both 0 → unavailable 1", () => {
    expect(resolveFenceposts("25%", "25%", 10)).toEqual({ surge: 3, unavailable: 2 })
    expect(resolveFenceposts("25%", "25%", 3)).toEqual({ surge: 1, unavailable: 0 })
    expect(resolveFenceposts("10%", "10%", 1)).toEqual({ surge: 1, unavailable: 0 })
    expect(resolveFenceposts(0, "10%", 5)).toEqual({ surge: 0, unavailable: 1 })
    expect(scaledValue("100%", 7, false)).toBe(7)
    expect(() => scaledValue("abc", 3, true)).toThrow(/not a percentage: "abc"/)
  })
})

describe("quantities", () => {
  it("parses cpu and memory like resource.Quantity", () => {
    expect(milliCpu("100m")).toBe(100)
    expect(milliCpu("0.5")).toBe(500)
    expect(milliCpu("2")).toBe(2000)
    expect(wholeUnits("128Mi")).toBe(128 * 2 ** 20)
    expect(wholeUnits("1G")).toBe(1e9)
    expect(parseQuantity("1e3")).toBe(1000)
    expect(() => parseQuantity("12 apples")).toThrow(/"12 apples"/)
  })
})

describe("allocator ranges", () => {
  it("10.96.0.0/12: 1048574 addresses, static band 256, dynamic allocation from 10.96.1.1 up", () => {
    const r = new ServiceIpRange(parseCidr("10.96.0.0/12"))
    expect(r.size).toBe(1048574)
    expect(r.staticBand).toBe(256)
    expect(formatIpv4(r.indexed(1))).toBe("10.96.0.1")
    expect(formatIpv4(r.indexed(10))).toBe("10.96.0.10")
    const rng = new Simulation(3).rng("ipallocator/services")
    for (let i = 0; i < 500; i++) expect(r.allocateNext(rng)! >= parseIpv4("10.96.1.1")).toBe(true)
    expect(r.allocate(parseIpv4("10.96.0.10"))).toBeUndefined()
    expect(r.allocate(parseIpv4("10.96.0.10"))).toBe("allocated")
    expect(r.failureText("not-in-range", parseIpv4("10.0.0.1"))).toBe("the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12")
  })
  it("the static band is min(max(16, cidrSize/16), 256) of the whole CIDR (ipallocator.go calculateRangeOffset)", () => {
    const band = (prefix: number) => new ServiceIpRange(parseCidr(`10.0.0.0/${prefix}`)).staticBand
    expect([28, 27, 24, 22, 21, 20, 16].map(band)).toEqual([0, 16, 16, 64, 128, 256, 256])
  })
  it("a small range fills the upper band before the lower and then reports full, never duplicating", () => {
    fc.assert(
      fc.property(fc.integer({ min: 24, max: 29 }), fc.integer(), (prefix, seed) => {
        const r = new ServiceIpRange(parseCidr(`10.0.0.0/${prefix}`))
        const rng = new Simulation(seed).rng("x")
        const seen = new Set<number>()
        for (let i = 0; i < r.size; i++) {
          const ip = r.allocateNext(rng)!
          expect(r.contains(ip)).toBe(true)
          expect(seen.has(ip)).toBe(false)
          // While the upper band has room, nothing comes from the static band.
          if (i < r.size - r.staticBand) expect(ip - parseIpv4("10.0.0.1")).toBeGreaterThanOrEqual(r.staticBand)
          seen.add(ip)
        }
        expect(r.allocateNext(rng)).toBeUndefined()
      }),
      { numRuns: runs(30) },
    )
  })
  it("node ports: default band split 86, upstream messages", () => {
    const p = new NodePortAllocatorRange()
    expect(p.staticBand).toBe(86)
    expect(p.failureText("allocated")).toBe("provided port is already allocated")
    expect(p.failureText("not-in-range")).toBe("provided port is not in the valid range. The range of valid ports is 30000-32767")
    const rng = new Simulation(5).rng("portallocator/services")
    for (let i = 0; i < 100; i++) expect(p.allocateNext(rng)!).toBeGreaterThanOrEqual(30086)
  })
})

describe("service allocation through the store", () => {
  const svc = (name: string, type: string, extra = "") => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: ${type}
  selector: { app: web }
  ports:
  - port: 80
${extra}`
  it("explicit ClusterIP and NodePort honoured; conflicts rejected with upstream's messages; released on delete and type change", () => {
    const c = testCluster(1, 1)
    c.apply(svc("kube-dns", "ClusterIP", "  clusterIP: 10.96.0.10\n"))
    expect(c.store.get("Service", "default", "kube-dns")!.spec.clusterIPs).toEqual(["10.96.0.10"])
    expect(() => c.apply(svc("other", "ClusterIP", "  clusterIP: 10.96.0.10\n"))).toThrow(
      'The Service "other" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    )
    c.apply(svc("np", "NodePort", "    nodePort: 30080\n"))
    expect(() => c.apply(svc("np2", "NodePort", "    nodePort: 30080\n"))).toThrow(
      'The Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    )
    c.store.delete("Service", "default", "np")
    c.sim.run({ until: c.sim.now + 1 })
    c.apply(svc("np2", "NodePort", "    nodePort: 30080\n"))
    // NodePort → ClusterIP drops the carried-over node port (strategy.go dropTypeDependentFields) and frees it.
    c.apply(svc("np2", "ClusterIP"))
    expect(c.store.get("Service", "default", "np2")!.spec.ports[0]!.nodePort).toBeUndefined()
    c.sim.run({ until: c.sim.now + 1 })
    expect(c.allocator.nodePorts.has(30080)).toBe(false)
  })
  it("LoadBalancer: <pending> until the provisioning delay, then an ingress IP; released on delete", () => {
    const c = testCluster(2, 1)
    c.apply(svc("lb", "LoadBalancer"))
    expect(c.store.get("Service", "default", "lb")!.status.loadBalancer.ingress).toBeUndefined()
    c.sim.run({ until: c.sim.now + seconds(10) })
    expect(c.store.get("Service", "default", "lb")!.status.loadBalancer.ingress).toEqual([{ ip: "203.0.113.1", ipMode: "VIP" }])
    const before = c.controllers.loadBalancer.available
    c.store.delete("Service", "default", "lb")
    c.sim.run({ until: c.sim.now + 1 })
    expect(c.controllers.loadBalancer.available).toBe(before + 1)
  })
})

describe("EndpointSlice controller", () => {
  it("splits 210 endpoints into slices of at most 100", () => {
    const c = testCluster(9, 3)
    c.apply(webDeployment(210))
    c.apply(`
apiVersion: v1
kind: Service
metadata:
  name: web-service
spec:
  selector: { app: web }
  ports:
  - port: 80
    targetPort: http
`)
    c.sim.run({ until: seconds(60) })
    const slices = c.store.list("EndpointSlice")
    expect(slices.map((s) => s.endpoints.length).sort((a, b) => b - a)).toEqual([100, 100, 10])
  }, 60_000)
})
