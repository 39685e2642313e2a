import { describe, expect, it } from "vitest"
import type { ServiceView } from "./api-view"
import { makeEndpoint, type Endpoint } from "./endpoint"
import { applyEndpointsChanges, EndpointsChangeTracker, type EndpointsMap } from "./endpoints-change-tracker"
import { applyServiceChanges, ServiceChangeTracker, type ServicePortMap } from "./service-change-tracker"
import { newServicePortInfo } from "./service-port"
import { slice, service } from "./test-support/fixtures"
import { categorizeEndpoints } from "./topology"

const ep = (ip: string, o: { local?: boolean; ready?: boolean; serving?: boolean; terminating?: boolean } = {}): Endpoint =>
  makeEndpoint(ip, 80, o.local === true ? "node-a" : "node-b", "", undefined, o.ready ?? true, o.serving ?? true, o.terminating ?? false)

const svcInfo = (spec: Partial<ServiceView["spec"]>) =>
  newServicePortInfo(service("ns", "s", { clusterIP: "172.30.0.1", ports: [{ name: "p", port: 80, nodePort: 30001 }], type: "NodePort", ...spec }), {
    name: "p",
    port: 80,
    nodePort: 30001,
  })

const texts = (xs: ReadonlyArray<Endpoint>) => xs.map((e) => e.ip)

describe("CategorizeEndpoints (pkg/proxy/topology.go)", () => {
  it("cluster policy uses ready endpoints, falling back to serving+terminating", () => {
    const info = svcInfo({})
    const r = categorizeEndpoints([ep("10.0.0.1"), ep("10.0.0.2", { ready: false, terminating: true })], info, "node-a", "")
    expect(texts(r.clusterEndpoints)).toEqual(["10.0.0.1"])
    const t = categorizeEndpoints([ep("10.0.0.2", { ready: false, terminating: true }), ep("10.0.0.3", { ready: false, serving: false })], info, "node-a", "")
    expect(texts(t.clusterEndpoints)).toEqual(["10.0.0.2"])
    expect(t.hasAnyEndpoints).toBe(true)
  })

  it("decides the fallback separately for local endpoints (eTP Local)", () => {
    const info = svcInfo({ externalTrafficPolicy: "Local" })
    // TestTerminatingEndpointsTrafficPolicyLocal: local endpoints only serving-terminating, a ready remote one.
    const eps = [
      ep("10.0.1.2", { local: true, ready: false, terminating: true }),
      ep("10.0.1.3", { local: true, ready: false, terminating: true }),
      ep("10.0.1.5"),
    ]
    const r = categorizeEndpoints(eps, info, "node-a", "")
    expect(texts(r.clusterEndpoints)).toEqual(["10.0.1.5"])
    expect(texts(r.localEndpoints)).toEqual(["10.0.1.2", "10.0.1.3"])
    expect(texts(r.allReachableEndpoints)).toEqual(["10.0.1.2", "10.0.1.3", "10.0.1.5"])
  })

  it("iTP Local without external access uses only local endpoints", () => {
    const info = newServicePortInfo(service("ns", "s", { clusterIP: "172.30.0.1", internalTrafficPolicy: "Local", ports: [{ port: 80 }] }), { port: 80 })
    const r = categorizeEndpoints([ep("10.0.0.1"), ep("10.0.0.2", { local: true })], info, "node-a", "")
    expect(r.clusterEndpoints).toEqual([])
    expect(texts(r.allReachableEndpoints)).toEqual(["10.0.0.2"])
  })
})

describe("change trackers", () => {
  it("a Service added then deleted before a sync nets out", () => {
    const t = new ServiceChangeTracker()
    const s = service("ns", "a", { clusterIP: "172.30.0.9", ports: [{ port: 80 }] })
    expect(t.update(undefined, s)).toBe(true)
    expect(t.update(s, undefined)).toBe(false)
    const map: ServicePortMap = new Map()
    expect(applyServiceChanges(map, t).updatedServices.size).toBe(0)
  })

  it("headless and ExternalName Services are ignored", () => {
    const t = new ServiceChangeTracker()
    expect(t.update(undefined, service("ns", "h", { clusterIP: "None", ports: [{ port: 80 }] }))).toBe(false)
    expect(t.update(undefined, service("ns", "e", { type: "ExternalName", ports: [{ port: 80 }] }))).toBe(false)
  })

  it("merges slices: the same ip:port once, local copy winning, sorted as strings", () => {
    const t = new EndpointsChangeTracker("node-a")
    const ports = [{ name: "p", port: 8080 }]
    t.endpointSliceUpdate(slice("ns", "s", 1, [{ addresses: ["10.0.0.10"] }, { addresses: ["10.0.0.2"] }], ports), false)
    t.endpointSliceUpdate(slice("ns", "s", 2, [{ addresses: ["10.0.0.2"], nodeName: "node-a" }], ports), false)
    const map: EndpointsMap = new Map()
    applyEndpointsChanges(map, t)
    const list = map.get("ns/s:p/TCP") ?? []
    expect(list.map((e) => e.text)).toEqual(["10.0.0.10:8080", "10.0.0.2:8080"])
    expect(list[1]?.nodeName).toBe("node-a")
  })

  it("an update that restores the applied slice is not a change; slices without the label are ignored", () => {
    const t = new EndpointsChangeTracker("node-a")
    const s1 = slice("ns", "s", 1, [{ addresses: ["10.0.0.1"] }], [{ name: "p", port: 80 }])
    t.endpointSliceUpdate(s1, false)
    applyEndpointsChanges(new Map(), t)
    expect(t.endpointSliceUpdate(slice("ns", "s", 1, [{ addresses: ["10.0.0.1"] }], [{ name: "p", port: 80 }]), false)).toBe(false)
    expect(t.endpointSliceUpdate({ ...s1, metadata: { namespace: "ns", name: "x" } }, false)).toBe(false)
  })
})
