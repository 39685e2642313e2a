import { describe, expect, it } from "vitest"
import type { Endpoint } from "../../api/index"
import { givingAndReceivingZones, hintsByZone, redistributeHints, type Allocation } from "./topology-allocation"

// Ported from staging/src/k8s.io/endpointslice/topologycache/utils_test.go.

const ep = (zone: string, hint: string | undefined, ready: boolean | "unknown" = true): Endpoint => ({
  addresses: ["10.0.0.1"],
  conditions: ready === "unknown" ? {} : { ready },
  zone,
  ...(hint !== undefined ? { hints: { forZones: [{ name: hint }] } } : {}),
})
const m = (o: Record<string, number>) => new Map(Object.entries(o))
const obj = (mp: ReadonlyMap<string, number> | undefined) => (mp === undefined ? undefined : Object.fromEntries([...mp].sort()))
const allocs = (o: Record<string, Partial<Allocation>>): Map<string, Allocation> =>
  new Map(Object.entries(o).map(([z, a]) => [z, { minimum: a.minimum ?? 0, maximum: a.maximum ?? 0, desired: a.desired ?? 0 }]))

describe("redistributeHints (Test_redistributeHints)", () => {
  const cases: Array<[string, Endpoint[][], Record<string, number>, Record<string, number>, Record<string, number>]> = [
    ["empty", [], {}, {}, {}],
    ["single endpoint", [[ep("zone-a", "zone-a")]], { "zone-a": 1 }, { "zone-b": 1 }, { "zone-a": -1, "zone-b": 1 }],
    [
      "endpoints from 1 zone redistributed to 2 other zones",
      [[ep("zone-a", "zone-a"), ep("zone-a", "zone-a"), ep("zone-a", "zone-a")]],
      { "zone-a": 2 },
      { "zone-b": 1, "zone-c": 1 },
      { "zone-a": -2, "zone-b": 1, "zone-c": 1 },
    ],
  ]
  for (const [name, slices, giving, receiving, want] of cases) {
    it(name, () => {
      const ss = slices.map((endpoints) => ({ endpoints }))
      expect(obj(redistributeHints(ss, m(giving), m(receiving)))).toEqual(want)
    })
  }

  it("re-hints the giving zone's endpoints for the receiving zones, in zone order", () => {
    const s = { endpoints: [ep("zone-a", "zone-a"), ep("zone-b", "zone-b"), ep("zone-a", "zone-a"), ep("zone-a", "zone-a")] }
    redistributeHints([s], m({ "zone-a": 2 }), m({ "zone-c": 1, "zone-b": 1 }))
    expect(s.endpoints.map((e) => e.hints?.forZones?.[0]?.name)).toEqual(["zone-b", "zone-b", "zone-c", "zone-a"])
  })
})

describe("givingAndReceivingZones (Test_getGivingAndReceivingZones)", () => {
  const cases: Array<[string, Record<string, number>, Record<string, number>, Record<string, number>, Record<string, number>]> = [
    ["empty", {}, {}, {}, {}],
    ["simple allocation with no need for rebalancing", { "zone-a": 1.2, "zone-b": 1.1, "zone-c": 1.0 }, { "zone-a": 1, "zone-b": 1, "zone-c": 1 }, {}, {}],
    [
      "preference for same zone even when giving an extra endpoint would result in slightly better distribution",
      { "zone-a": 5.1, "zone-b": 5.1, "zone-c": 5.8 },
      { "zone-a": 16 },
      { "zone-a": 10 },
      { "zone-b": 5, "zone-c": 5 },
    ],
    ["when 2 zones need < 1 endpoint, give to zone that needs endpoint most", { "zone-a": 5.0, "zone-b": 5.6, "zone-c": 5.4 }, { "zone-a": 16 }, { "zone-a": 11 }, { "zone-b": 6, "zone-c": 5 }],
    ["when 2 zones have extra endpoints, give from zone with most extra", { "zone-a": 5.0, "zone-b": 5.6, "zone-c": 5.4 }, { "zone-b": 8, "zone-c": 8 }, { "zone-b": 2, "zone-c": 3 }, { "zone-a": 5 }],
    ["ensure function can handle unexpected data (more allocated than allocations)", { "zone-a": 5, "zone-b": 5, "zone-c": 5 }, { "zone-a": 6, "zone-b": 6, "zone-c": 6 }, {}, {}],
    ["ensure function can handle unexpected data (negative allocations)", { "zone-a": -5, "zone-b": -5, "zone-c": -5 }, { "zone-a": 6, "zone-b": 6, "zone-c": 6 }, {}, {}],
    ["ensure function can handle unexpected data (negative allocated)", { "zone-a": 5, "zone-b": 5, "zone-c": 5 }, { "zone-a": -4, "zone-b": -3, "zone-c": -2 }, {}, {}],
    ["ensure function can handle unexpected data (negative for 1 zone)", { "zone-a": 5, "zone-b": 5, "zone-c": 5 }, { "zone-a": -40, "zone-b": 20, "zone-c": 20 }, { "zone-b": 15, "zone-c": 15 }, { "zone-a": 30 }],
  ]
  for (const [name, desired, allocated, giving, receiving] of cases) {
    it(name, () => {
      const a = allocs(Object.fromEntries(Object.entries(desired).map(([z, d]) => [z, { desired: d }])))
      const got = givingAndReceivingZones(a, m(allocated))
      expect(obj(got.giving)).toEqual(giving)
      expect(obj(got.receiving)).toEqual(receiving)
    })
  }
})

describe("hintsByZone (Test_getHintsByZone)", () => {
  const cases: Array<[string, Endpoint[], Record<string, number>, Record<string, Partial<Allocation>>, Record<string, number> | undefined]> = [
    ["empty", [], {}, {}, {}],
    ["single zone hint", [ep("zone-a", "zone-a")], { "zone-a": 1 }, { "zone-a": { maximum: 3 } }, { "zone-a": 1 }],
    [
      "single zone hint with 1 unready endpoint and 1 unknown endpoint",
      [ep("zone-a", "zone-a"), ep("zone-a", "zone-a", false), ep("zone-a", "zone-a", "unknown")],
      { "zone-a": 1 },
      { "zone-a": { maximum: 3 } },
      { "zone-a": 1 },
    ],
    [
      "multiple zone hints",
      [ep("zone-a", "zone-a"), ep("zone-a", "zone-b"), ep("zone-b", "zone-b")],
      { "zone-a": 1, "zone-b": 1, "zone-c": 1 },
      { "zone-a": { maximum: 3 }, "zone-b": { maximum: 3 }, "zone-c": { maximum: 3 } },
      { "zone-a": 1, "zone-b": 2 },
    ],
    ["invalid by zones that no longer requires any allocations", [ep("zone-a", "zone-non-existent")], { "zone-a": 1, "zone-b": 1, "zone-c": 1 }, { "zone-a": { maximum: 3 } }, undefined],
    ["invalid by endpoints with nil hints", [ep("zone-a", undefined)], {}, { "zone-a": { maximum: 3 } }, undefined],
    ["invalid by endpoint with no hints", [{ ...ep("zone-a", undefined), hints: { forZones: [] } }], {}, { "zone-a": { maximum: 3 } }, undefined],
    ["invalid by hints that would make minimum allocations impossible", [ep("zone-a", "zone-a"), ep("zone-a", "zone-a")], { "zone-a": 1 }, { "zone-a": { maximum: 2 } }, undefined],
  ]
  for (const [name, endpoints, allocated, allocations, want] of cases) {
    it(name, () => {
      expect(obj(hintsByZone({ endpoints }, m(allocated), allocs(allocations)))).toEqual(want)
    })
  }
})
