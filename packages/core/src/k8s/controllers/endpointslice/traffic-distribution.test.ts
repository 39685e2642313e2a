import { describe, expect, it } from "vitest"
import type { Endpoint, Service } from "../../api/index"
import { hintHeuristicFor, topologyAnnotationEnabled } from "./traffic-distribution"

const svc = (trafficDistribution?: string, annotations?: Record<string, string>): Service =>
  ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "s", namespace: "ns", ...(annotations !== undefined ? { annotations } : {}) },
    spec: { ports: [{ port: 80, protocol: "TCP" }], ...(trafficDistribution !== undefined ? { trafficDistribution } : {}) },
  }) as unknown as Service

const ep = (ip: string, o: { zone?: string; node?: string; ready?: boolean; hints?: Endpoint["hints"] } = {}): Endpoint => ({
  addresses: [ip],
  conditions: { ready: o.ready ?? true, serving: o.ready ?? true, terminating: false },
  ...(o.node !== undefined ? { nodeName: o.node } : {}),
  ...(o.zone !== undefined ? { zone: o.zone } : {}),
  ...(o.hints !== undefined ? { hints: o.hints } : {}),
})

/** Cases after staging/src/k8s.io/endpointslice/trafficdist/trafficdist_test.go. */
describe("trafficdist ReconcileHints heuristics", () => {
  it("PreferClose (and PreferSameZone): each ready endpoint hinted for its zone; not-ready and zoneless ones left alone", () => {
    for (const td of ["PreferClose", "PreferSameZone"]) {
      const out = hintHeuristicFor(svc(td)).update([ep("10.0.0.1", { zone: "zone-a", node: "n1" }), ep("10.0.0.2", { zone: "zone-b", ready: false }), ep("10.0.0.3", { node: "n3" })])
      expect(out.map((e) => e.hints)).toEqual([{ forZones: [{ name: "zone-a" }] }, undefined, undefined])
    }
  })

  it("PreferSameNode: zone and node hints", () => {
    const out = hintHeuristicFor(svc("PreferSameNode")).update([ep("10.0.0.1", { zone: "zone-a", node: "n1" }), ep("10.0.0.2", { node: "n2" })])
    expect(out.map((e) => e.hints)).toEqual([{ forZones: [{ name: "zone-a" }], forNodes: [{ name: "n1" }] }, { forNodes: [{ name: "n2" }] }])
  })

  it("needsUpdate: missing, wrong or stale hints on ready endpoints; not-ready endpoints are not looked at", () => {
    const h = hintHeuristicFor(svc("PreferClose"))
    expect(h.needsUpdate([ep("10.0.0.1", { zone: "zone-a", hints: { forZones: [{ name: "zone-a" }] } })])).toBe(false)
    expect(h.needsUpdate([ep("10.0.0.1", { zone: "zone-a" })])).toBe(true)
    expect(h.needsUpdate([ep("10.0.0.1", { zone: "zone-a", hints: { forZones: [{ name: "zone-b" }] } })])).toBe(true)
    expect(h.needsUpdate([ep("10.0.0.1", { hints: { forZones: [{ name: "zone-b" }] } })])).toBe(true)
    expect(h.needsUpdate([ep("10.0.0.1", { zone: "zone-a", node: "n1", hints: { forZones: [{ name: "zone-a" }], forNodes: [{ name: "n1" }] } })])).toBe(true)
    expect(h.needsUpdate([ep("10.0.0.1", { zone: "zone-a", ready: false })])).toBe(false)
  })

  it("no trafficDistribution, an unknown value, or the topology annotation: hints are removed", () => {
    const hinted = [ep("10.0.0.1", { zone: "zone-a", hints: { forZones: [{ name: "zone-a" }] } })]
    for (const s of [svc(), svc("Nearby"), svc("PreferClose", { "service.kubernetes.io/topology-mode": "Auto" })]) {
      const h = hintHeuristicFor(s)
      expect(h.needsUpdate(hinted)).toBe(true)
      expect(h.update(hinted)[0]?.hints).toBeUndefined()
    }
  })

  it("hintsEnabled: topology-mode, else the deprecated topology-aware-hints; disabled/Disabled/empty are off", () => {
    expect(topologyAnnotationEnabled(svc(undefined, { "service.kubernetes.io/topology-mode": "Auto" }))).toBe(true)
    expect(topologyAnnotationEnabled(svc(undefined, { "service.kubernetes.io/topology-aware-hints": "auto" }))).toBe(true)
    for (const v of ["", "disabled", "Disabled"]) expect(topologyAnnotationEnabled(svc(undefined, { "service.kubernetes.io/topology-mode": v }))).toBe(false)
  })
})
