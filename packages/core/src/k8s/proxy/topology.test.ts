import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { makeEndpoint, type Endpoint } from "./endpoint"
import { newServicePortInfo } from "./service-port"
import { service } from "./test-support/fixtures"
import { categorizeEndpoints } from "./topology"

/** An endpoint on `node` with zone hints `zones` and node hints `nodes` (undefined: no hint of that kind). */
const ep = (ip: string, node: string, zones?: string[], nodes?: string[], ready = true): Endpoint =>
  makeEndpoint(ip, 80, node, "", zones === undefined ? undefined : new Set(zones), ready, ready, false, nodes === undefined ? undefined : new Set(nodes))

const cluster = newServicePortInfo(service("ns", "s", { clusterIP: "172.30.0.1", ports: [{ port: 80 }] }), { port: 80 })
const ips = (xs: ReadonlyArray<Endpoint>) => xs.map((e) => e.ip)

/** Cases after pkg/proxy/topology_test.go TestCategorizeEndpoints. */
describe("CategorizeEndpoints topology (pkg/proxy/topology.go topologyModeFromHints / availableForTopology)", () => {
  it("zone hints: only endpoints hinted for this node's zone", () => {
    const eps = [ep("10.1.2.3", "n1", ["zone-a"]), ep("10.1.2.4", "n2", ["zone-b"]), ep("10.1.2.5", "n3", ["zone-c"]), ep("10.1.2.6", "n4", ["zone-a"])]
    expect(ips(categorizeEndpoints(eps, cluster, "n9", "zone-a").clusterEndpoints)).toEqual(["10.1.2.3", "10.1.2.6"])
  })

  it("an endpoint missing its hint: hints ignored, cluster-wide", () => {
    const eps = [ep("10.1.2.3", "n1", ["zone-a"]), ep("10.1.2.4", "n2"), ep("10.1.2.5", "n3", ["zone-c"])]
    expect(ips(categorizeEndpoints(eps, cluster, "n9", "zone-a").clusterEndpoints)).toEqual(["10.1.2.3", "10.1.2.4", "10.1.2.5"])
  })

  it("no endpoint hinted for this zone (or the node has no zone label): cluster-wide", () => {
    const eps = [ep("10.1.2.3", "n1", ["zone-b"]), ep("10.1.2.4", "n2", ["zone-c"])]
    expect(ips(categorizeEndpoints(eps, cluster, "n9", "zone-a").clusterEndpoints)).toEqual(["10.1.2.3", "10.1.2.4"])
    expect(ips(categorizeEndpoints(eps, cluster, "n9", "").clusterEndpoints)).toEqual(["10.1.2.3", "10.1.2.4"])
  })

  it("a not-ready endpoint without hints does not turn hints off (only ready endpoints count)", () => {
    const eps = [ep("10.1.2.3", "n1", ["zone-a"]), ep("10.1.2.4", "n2", undefined, undefined, false), ep("10.1.2.5", "n3", ["zone-b"])]
    expect(ips(categorizeEndpoints(eps, cluster, "n9", "zone-a").clusterEndpoints)).toEqual(["10.1.2.3"])
  })

  it("PreferSameNode: node hints for this node win; without one for this node, zone hints apply", () => {
    const eps = [ep("10.1.2.3", "n1", ["zone-a"], ["n1"]), ep("10.1.2.4", "n2", ["zone-a"], ["n2"]), ep("10.1.2.5", "n3", ["zone-b"], ["n3"])]
    expect(ips(categorizeEndpoints(eps, cluster, "n2", "zone-a").clusterEndpoints)).toEqual(["10.1.2.4"])
    expect(ips(categorizeEndpoints(eps, cluster, "n7", "zone-a").clusterEndpoints)).toEqual(["10.1.2.3", "10.1.2.4"])
    expect(ips(categorizeEndpoints(eps, cluster, "n7", "zone-z").clusterEndpoints)).toEqual(["10.1.2.3", "10.1.2.4", "10.1.2.5"])
  })

  it("property: hints narrow the choice only when every ready endpoint carries one and one matches; never to nothing", () => {
    const zones = ["zone-a", "zone-b", "zone-c"]
    fc.assert(
      fc.property(
        fc.array(fc.record({ zone: fc.option(fc.constantFrom(...zones), { nil: undefined }), ready: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...zones, ""),
        (specs, myZone) => {
          const eps = specs.map((s, i) => ep(`10.0.0.${i + 1}`, `n${i}`, s.zone === undefined ? undefined : [s.zone], undefined, s.ready))
          const ready = eps.filter((e) => e.ready)
          const got = ips(categorizeEndpoints(eps, cluster, "nX", myZone).clusterEndpoints)
          const useHints = ready.length > 0 && ready.every((e) => e.zoneHints !== undefined) && ready.some((e) => e.zoneHints?.has(myZone))
          const want = useHints ? ready.filter((e) => e.zoneHints?.has(myZone)) : ready
          if (ready.length > 0) expect(got).toEqual(ips(want))
          if (ready.length > 0) expect(got.length).toBeGreaterThan(0)
        },
      ),
      { numRuns: runs(200) },
    )
  })
})
