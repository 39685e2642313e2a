import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import type { Endpoint, Node } from "../../api/index"
import {
  INSUFFICIENT_NODE_INFO,
  INSUFFICIENT_NUMBER_OF_ENDPOINTS,
  MIN_ALLOCATION_EXCEEDS_OVERLOAD_THRESHOLD,
  NO_ZONE_SPECIFIED,
  TOPOLOGY_AWARE_HINTS_ENABLED,
  TopologyCache,
  type HintsEvent,
} from "./topology-cache"
import type { HintSlice, SliceInfo } from "./topology-allocation"

// Ported from staging/src/k8s.io/endpointslice/topologycache/topologycache_test.go (TestAddHints, TestSetNodes).

const node = (zone: string, cpu: string, ready = "True", labels: Record<string, string> = {}): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: `n-${zone}-${cpu}`, labels: { ...labels, ...(zone !== "" ? { "topology.kubernetes.io/zone": zone } : {}) } },
  spec: {},
  status: { allocatable: { cpu }, conditions: [{ type: "Ready", status: ready as "True" }] },
})

/** A cache whose zone ratios are `ratios` (TestAddHints sets cpuRatiosByZone; here nodes with those CPU shares). */
const cacheWith = (ratios: Record<string, number> | undefined): TopologyCache => {
  const c = new TopologyCache()
  c.setNodes(ratios === undefined ? [] : Object.entries(ratios).map(([z, r]) => node(z, `${Math.round(r * 100000)}m`)))
  return c
}

const ep = (address: string, zone: string | undefined, ready: boolean | "unknown" = true, hint?: string): Endpoint => ({
  addresses: [address],
  conditions: ready === "unknown" ? {} : { ready },
  ...(zone !== undefined ? { zone } : {}),
  ...(hint !== undefined ? { hints: { forZones: [{ name: hint }] } } : {}),
})
const slice = (...endpoints: Endpoint[]): HintSlice => ({ endpoints })
const hintsOf = (slices: HintSlice[]) => slices.map((s) => s.endpoints.map((e) => e.hints?.forZones?.map((z) => z.name).join(",") ?? null))

/** compareExpectedEvents: same type and reason, message with the expected prefix. */
const expectEvents = (got: HintsEvent[], want: Array<[HintsEvent["type"], string]>) => {
  expect(got.map((e) => [e.type, e.reason])).toEqual(want.map(([t]) => [t, t === "Normal" ? "TopologyAwareHintsEnabled" : "TopologyAwareHintsDisabled"]))
  got.forEach((e, i) => expect(e.message.startsWith(want[i]![1])).toBe(true))
}

describe("TopologyCache.addHints (TestAddHints)", () => {
  it("empty", () => {
    const c = cacheWith(undefined)
    const si: SliceInfo = { serviceKey: "ns/svc", toCreate: [], toUpdate: [], unchanged: [] }
    expectEvents(c.addHints(si), [["Warning", INSUFFICIENT_NODE_INFO]])
    expect(si.toCreate).toEqual([])
    expect(si.toUpdate).toEqual([])
    expect(c.hasPopulatedHints("ns/svc")).toBe(false)
  })

  it("slice to create, no zone ratios", () => {
    const c = cacheWith(undefined)
    const si: SliceInfo = { serviceKey: "ns/svc", toCreate: [slice(ep("10.1.2.3", "zone-a"))], toUpdate: [], unchanged: [] }
    const events = c.addHints(si)
    expectEvents(events, [["Warning", INSUFFICIENT_NODE_INFO]])
    expect(events[0]?.message).toBe(`${INSUFFICIENT_NODE_INFO}, addressType: IPv4`)
    expect(hintsOf(si.toCreate)).toEqual([[null]])
    expect(c.hasPopulatedHints("ns/svc")).toBe(false)
  })

  it("slice to create with 2 endpoints, zone ratios require 3", () => {
    const c = cacheWith({ "zone-a": 0.3, "zone-b": 0.4, "zone-c": 0.3 })
    const si: SliceInfo = { serviceKey: "ns/svc", toCreate: [slice(ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b"))], toUpdate: [], unchanged: [] }
    const events = c.addHints(si)
    expectEvents(events, [["Warning", INSUFFICIENT_NUMBER_OF_ENDPOINTS]])
    expect(events[0]?.message).toBe("Insufficient number of endpoints (2 endpoints, 3 zones), addressType: IPv4")
    expect(hintsOf(si.toCreate)).toEqual([[null, null]])
    expect(c.hasPopulatedHints("ns/svc")).toBe(false)
  })

  it("slice to create with 2 endpoints, zone ratios only require 2", () => {
    const c = cacheWith({ "zone-a": 0.45, "zone-b": 0.55 })
    const si: SliceInfo = { serviceKey: "ns/svc", toCreate: [slice(ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b"))], toUpdate: [], unchanged: [] }
    expectEvents(c.addHints(si), [["Normal", TOPOLOGY_AWARE_HINTS_ENABLED]])
    expect(hintsOf(si.toCreate)).toEqual([["zone-a", "zone-b"]])
    expect(si.toUpdate).toEqual([])
    expect(c.hasPopulatedHints("ns/svc")).toBe(true)
    // A second sync with hints already populated publishes no event.
    expect(c.addHints({ serviceKey: "ns/svc", toCreate: [slice(ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b"))], toUpdate: [], unchanged: [] })).toEqual([])
  })

  it("slice to create with 2 ready, 1 unready, 1 unknown endpoints, zone ratios only require 2", () => {
    const c = cacheWith({ "zone-a": 0.45, "zone-b": 0.55 })
    const si: SliceInfo = {
      serviceKey: "ns/svc",
      toCreate: [slice(ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b"), ep("10.1.2.5", "zone-b", false), ep("10.1.2.6", "zone-b", "unknown"))],
      toUpdate: [],
      unchanged: [],
    }
    expectEvents(c.addHints(si), [["Normal", TOPOLOGY_AWARE_HINTS_ENABLED]])
    expect(hintsOf(si.toCreate)).toEqual([["zone-a", "zone-b", null, null]])
  })

  it("slices to create and update within 3 zone threshold", () => {
    const c = cacheWith({ "zone-a": 0.35, "zone-b": 0.35, "zone-c": 0.3 })
    const si: SliceInfo = {
      serviceKey: "ns/svc",
      toCreate: [slice(ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b")), slice(ep("10.1.3.3", "zone-c"), ep("10.1.3.4", "zone-c"), ep("10.1.3.4", "zone-a"))],
      toUpdate: [slice(ep("10.2.2.3", "zone-a"), ep("10.2.2.4", "zone-a")), slice(ep("10.2.3.3", "zone-b"), ep("10.2.3.4", "zone-c"), ep("10.2.3.4", "zone-a"))],
      unchanged: [],
    }
    expectEvents(c.addHints(si), [["Normal", TOPOLOGY_AWARE_HINTS_ENABLED]])
    expect(hintsOf(si.toCreate)).toEqual([
      ["zone-b", "zone-b"],
      ["zone-c", "zone-c", "zone-a"],
    ])
    expect(hintsOf(si.toUpdate)).toEqual([
      ["zone-a", "zone-a"],
      ["zone-b", "zone-c", "zone-a"],
    ])
  })

  // Beyond upstream's table: the other ways AddHints gives up, and unchanged slices.
  it("an endpoint without a zone removes every hint, unchanged slices' too", () => {
    const c = cacheWith({ "zone-a": 0.5, "zone-b": 0.5 })
    const kept = slice(ep("10.0.0.9", "zone-b", true, "zone-b"))
    const si: SliceInfo = { serviceKey: "ns/svc", toCreate: [slice(ep("10.0.0.1", "zone-a"), ep("10.0.0.2", undefined), ep("10.0.0.3", "zone-b"))], toUpdate: [], unchanged: [kept] }
    expectEvents(c.addHints(si), [["Warning", NO_ZONE_SPECIFIED]])
    expect(hintsOf(si.toCreate)).toEqual([[null, null, null]])
    expect(si.unchanged).toEqual([])
    expect(hintsOf(si.toUpdate)).toEqual([[null]])
  })

  it("a zone whose minimum cannot be met without overloading another gives up", () => {
    // 3 endpoints, zone shares 0.5/0.5: minimums ceil(1.5/1.2)=2 each exceed 3.
    const c = cacheWith({ "zone-a": 0.5, "zone-b": 0.5 })
    const si: SliceInfo = { serviceKey: "ns/svc", toCreate: [slice(ep("10.0.0.1", "zone-a"), ep("10.0.0.2", "zone-a"), ep("10.0.0.3", "zone-b"))], toUpdate: [], unchanged: [] }
    const events = c.addHints(si)
    expectEvents(events, [["Warning", MIN_ALLOCATION_EXCEEDS_OVERLOAD_THRESHOLD]])
    expect(events[0]?.message).toBe(`${MIN_ALLOCATION_EXCEEDS_OVERLOAD_THRESHOLD} (3 endpoints, 2 zones), addressType: IPv4`)
  })

  it("unchanged slices keep valid hints and count towards their zones; stale ones are updated", () => {
    const c = cacheWith({ "zone-a": 0.5, "zone-b": 0.5 })
    const valid = slice(ep("10.0.0.1", "zone-a", true, "zone-a"), ep("10.0.0.2", "zone-b", true, "zone-b"))
    const stale = slice(ep("10.0.0.3", "zone-a"), ep("10.0.0.4", "zone-b", true, "zone-c"))
    const si: SliceInfo = { serviceKey: "ns/svc", toCreate: [], toUpdate: [], unchanged: [valid, stale] }
    c.addHints(si)
    expect(si.unchanged).toEqual([valid])
    expect(hintsOf(si.toUpdate)).toEqual([["zone-a", "zone-b"]])
  })
})

describe("TopologyCache.setNodes (TestSetNodes)", () => {
  const cases: Array<[string, Node[], Record<string, number> | undefined]> = [
    ["empty", [], undefined],
    ["single node", [node("zone-a", "1000m")], undefined],
    ["single zone", [node("zone-a", "1000m"), node("zone-a", "1000m")], undefined],
    ["2 zones", [node("zone-a", "1000m"), node("zone-b", "1000m")], { "zone-a": 0.5, "zone-b": 0.5 }],
    ["2 zones, unready node in 1, ready node in 1", [node("zone-a", "1000m", "False"), node("zone-b", "1000m")], undefined],
    ["2 zones, control plane node in 1, ready node in 1", [node("zone-a", "1000m"), node("zone-b", "1000m", "True", { "node-role.kubernetes.io/control-plane": "" })], undefined],
    ["2 zones, unready node in 1, ready node in 2", [node("zone-a", "1000m"), node("zone-b", "1000m"), node("zone-b", "1000m", "False")], { "zone-a": 0.5, "zone-b": 0.5 }],
    [
      "2 zones, control plane node in 1, ready node in 2",
      [node("zone-a", "1000m"), node("zone-b", "1000m"), node("zone-b", "1000m", "True", { "node-role.kubernetes.io/control-plane": "" })],
      { "zone-a": 0.5, "zone-b": 0.5 },
    ],
    [
      "3 zones, 4 nodes in 1, 2 nodes in 1, 1 node in 1",
      [node("zone-a", "1000m"), node("zone-a", "1000m"), node("zone-a", "1000m"), node("zone-a", "2000m"), node("zone-b", "3000m"), node("zone-b", "1500m"), node("zone-c", "500m")],
      { "zone-a": 0.5, "zone-b": 0.45, "zone-c": 0.05 },
    ],
    // Beyond upstream's table: one node without a zone or CPU spoils the whole cluster's information.
    ["a node without a zone label", [node("zone-a", "1000m"), node("zone-b", "1000m"), node("", "1000m")], undefined],
    ["a node without allocatable CPU", [node("zone-a", "1000m"), node("zone-b", "1000m"), node("zone-b", "0")], undefined],
  ]
  for (const [name, nodes, want] of cases) {
    it(name, () => {
      const c = new TopologyCache()
      c.setNodes(nodes)
      const got = c.cpuRatiosByZone
      expect(got === undefined ? undefined : Object.fromEntries(got)).toEqual(want)
    })
  }
})

describe("TopologyCache allocation invariants", () => {
  // What upstream's allocation guarantees — and what it does not: with zones of very unequal CPU a zone can be left
  // with no endpoint hinted for it, or one short of its minimum (e.g. CPUs 17 and 1, five endpoints all in the big
  // zone: the small zone wants 1 but the big one has only 0.28 of an endpoint to give, and getGivingAndReceivingZones
  // stops below 0.5). kube-proxy then routes that zone's clients cluster-wide (topology.go: no endpoint hinted for
  // the node's zone), so no client is left without endpoints.
  it("every ready endpoint gets one hint for a zone with CPU; redistribution stops only when no whole endpoint can move; no zone ends more than one endpoint below its minimum", () => {
    const zoneNames = ["zone-a", "zone-b", "zone-c", "zone-d"]
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(3), fc.boolean()), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        (cpusByZone, eps, perSlice) => {
          const zones = zoneNames.slice(0, cpusByZone.length)
          const c = new TopologyCache()
          c.setNodes(cpusByZone.flatMap((cpus, z) => cpus.map((n, i) => ({ ...node(zones[z]!, String(n)), metadata: { name: `n${z}-${i}`, labels: { "topology.kubernetes.io/zone": zones[z]! } } }))))
          const endpoints = eps.map(([z, ready], i) => ep(`10.0.${i >> 8}.${i & 255}`, zones[z % zones.length], ready))
          const slices: HintSlice[] = []
          for (let i = 0; i < endpoints.length; i += perSlice) slices.push(slice(...endpoints.slice(i, i + perSlice)))
          const si: SliceInfo = { serviceKey: "ns/svc", toCreate: slices, toUpdate: [], unchanged: [] }
          const events = c.addHints(si)
          const all = si.toCreate.flatMap((s) => s.endpoints)
          if (events.some((e) => e.type === "Warning")) {
            expect(all.filter((e) => e.hints !== undefined)).toEqual([])
            expect(c.hasPopulatedHints("ns/svc")).toBe(false)
            return
          }
          const n = all.filter((e) => e.conditions.ready === true).length
          const got = c.getAllocations(n)
          if (!("allocations" in got)) throw new Error("allocations succeeded in addHints")
          const byZone = new Map<string, number>()
          for (const e of all) {
            if (e.conditions.ready !== true) {
              expect(e.hints).toBeUndefined()
              continue
            }
            expect(e.hints?.forZones?.length).toBe(1)
            const z = e.hints!.forZones![0]!.name
            expect(got.allocations.has(z)).toBe(true)
            byZone.set(z, (byZone.get(z) ?? 0) + 1)
          }
          let give = 0
          let receive = 0
          for (const [zone, a] of got.allocations) {
            const have = byZone.get(zone) ?? 0
            give = Math.max(give, have - a.desired)
            receive = Math.max(receive, a.desired - have)
            // minimum = ceil(share × N / 1.2): the fewest endpoints that keep each below 1.2× its fair load.
            expect(have).toBeGreaterThanOrEqual(a.minimum - 1)
          }
          // getGivingAndReceivingZones' exit condition holds on the final counts.
          expect(give < 0.5 || receive < 0.5 || (give < 1 && receive < 1)).toBe(true)
        },
      ),
      { numRuns: runs(300) },
    )
  })
})
