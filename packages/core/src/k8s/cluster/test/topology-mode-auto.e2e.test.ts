import { describe, expect, it } from "vitest"
import type { EndpointSlice } from "../../api/index"
import { Cluster } from "../cluster"
import { ZONE_LABEL, defaultNodes } from "../cluster-config"
import { S, requestsOf, webClientOnKindWorker } from "./e2e-support"

// `service.kubernetes.io/topology-mode: Auto` end to end: the EndpointSlice controller's topology cache
// (staging/src/k8s.io/endpointslice/topologycache) allocates hints by each zone's share of allocatable CPU, and
// kube-proxy (pkg/proxy/topology.go) keeps a zone's clients on the endpoints hinted for it — or, without hints,
// routes cluster-wide. Four workers: kind-worker, kind-worker2 in zone-a; kind-worker3, kind-worker4 in zone-b.

const zonedNodes = (cpusB: number) => defaultNodes(4).map((n, i) => ({ ...n, cpus: i < 2 ? 8 : cpusB, labels: { [ZONE_LABEL]: i < 2 ? "zone-a" : "zone-b" } }))

const manifests = (replicas: number, annotations: string, trafficDistribution?: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {${annotations}}
spec:
  selector: {app: web}
  ports: [{port: 80}]${trafficDistribution === undefined ? "" : `\n  trafficDistribution: ${trafficDistribution}`}
---
${webClientOnKindWorker}`

const AUTO = "service.kubernetes.io/topology-mode: Auto"

const run = (o: { replicas: number; annotations?: string; trafficDistribution?: string; cpusB?: number }) => {
  const nodes = zonedNodes(o.cpusB ?? 8)
  const zoneOfNode = new Map(nodes.map((n) => [n.name, n.labels[ZONE_LABEL]] as const))
  const c = Cluster.create({ seed: 4, nodes })
  c.apply(manifests(o.replicas, o.annotations ?? AUTO, o.trafficDistribution))
  c.runUntil(40 * S)
  const pods = c.store.list("Pod").filter((p) => p.metadata.labels?.["app"] === "web")
  const zoneOfPod = new Map(pods.map((p) => [p.metadata.name, zoneOfNode.get(p.spec.nodeName ?? "")] as const))
  const rs = requestsOf(c, "client", 10 * S)
  const slices = c.store.list("EndpointSlice").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web") as EndpointSlice[]
  const eps = slices.flatMap((s) => s.endpoints)
  return { c, rs, zones: rs.map((r) => zoneOfPod.get(r.pod ?? "")), eps, podZones: [...zoneOfPod.values()] }
}

describe("topology: topology-mode Auto end to end (topologycache.go AddHints → topology.go)", () => {
  it("equal zones, two endpoints each: every endpoint hinted for its own zone; a zone-a client stays in zone-a", () => {
    const { rs, zones, eps } = run({ replicas: 4 })
    expect(eps.length).toBe(4)
    expect(new Set(eps.map((e) => e.zone))).toEqual(new Set(["zone-a", "zone-b"]))
    for (const e of eps) expect(e.hints).toEqual({ forZones: [{ name: e.zone as string }] })
    expect(rs.length).toBeGreaterThan(100)
    expect(rs.every((r) => r.outcome === "ok")).toBe(true)
    expect(new Set(zones)).toEqual(new Set(["zone-a"]))
  })

  it("zone-a holds 80 % of the CPU: one zone-b endpoint is re-hinted for zone-a (redistributeHints), which the client then uses", () => {
    // Shares 0.8 / 0.2 of 4 endpoints: desired 3.2 and 0.8; zone-b gives its surplus endpoint to zone-a.
    const { zones, eps } = run({ replicas: 4, cpusB: 2 })
    const hintedFor = (z: string) => eps.filter((e) => e.hints?.forZones?.[0]?.name === z)
    expect(hintedFor("zone-a").length).toBe(3)
    expect(hintedFor("zone-b").length).toBe(1)
    expect(hintedFor("zone-a").filter((e) => e.zone === "zone-b").length).toBe(1)
    expect(new Set(zones)).toEqual(new Set(["zone-a", "zone-b"]))
  })

  it("three endpoints over two equal zones cannot meet both minimums (2 + 2): no hints, the client goes cluster-wide", () => {
    const { zones, eps, podZones } = run({ replicas: 3 })
    expect(eps.length).toBe(3)
    expect(new Set(podZones)).toEqual(new Set(["zone-a", "zone-b"]))
    for (const e of eps) expect(e.hints).toBeUndefined()
    expect(new Set(zones)).toEqual(new Set(["zone-a", "zone-b"]))
  })

  it("the annotation wins over trafficDistribution (reconciler.go): PreferClose is ignored when Auto removes hints", () => {
    expect(run({ replicas: 3, annotations: "", trafficDistribution: "PreferClose" }).eps.every((e) => e.hints !== undefined)).toBe(true)
    const both = run({ replicas: 3, trafficDistribution: "PreferClose" })
    for (const e of both.eps) expect(e.hints).toBeUndefined()
    expect(new Set(both.zones)).toEqual(new Set(["zone-a", "zone-b"]))
    // "Disabled" turns the annotation off, and trafficDistribution applies again.
    expect(run({ replicas: 3, annotations: "service.kubernetes.io/topology-mode: Disabled", trafficDistribution: "PreferClose" }).eps.every((e) => e.hints !== undefined)).toBe(true)
  })

  it("scaling 4 → 3 removes the hints from slices the scale-down left unchanged; the deprecated annotation works too", () => {
    const { c } = run({ replicas: 4, annotations: "service.kubernetes.io/topology-aware-hints: auto" })
    const web = () => c.store.list("EndpointSlice").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web").flatMap((s) => s.endpoints)
    expect(web().every((e) => e.hints !== undefined)).toBe(true)
    const d = c.store.get("Deployment", "default", "web")!
    c.store.update({ ...d, spec: { ...d.spec, replicas: 3 } })
    c.runFor(30 * S)
    expect(web().filter((e) => e.conditions.ready === true).length).toBe(3)
    for (const e of web()) expect(e.hints).toBeUndefined()
  })

  it("a Node changing zone re-syncs the Service it overloads (updateNode → checkNodeTopologyDistribution)", () => {
    const { c } = run({ replicas: 4 })
    const web = () => c.store.list("EndpointSlice").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web").flatMap((s) => s.endpoints)
    const onWorker4 = () => web().find((e) => e.nodeName === "kind-worker4")
    expect(onWorker4()?.hints).toEqual({ forZones: [{ name: "zone-b" }] })
    // kind-worker4 moves to zone-a: shares 0.75 / 0.25, and zone-a's 2 hinted endpoints are below its minimum
    // ceil(4 × 0.75 / 1.2) = 3, so the Service is overloaded and re-synced — no pod changed, only the Node.
    const n = c.store.get("Node", undefined, "kind-worker4")!
    c.store.update({ ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, [ZONE_LABEL]: "zone-a" } } })
    c.runFor(5 * S)
    expect(onWorker4()?.zone).toBe("zone-a")
    expect(onWorker4()?.hints).toEqual({ forZones: [{ name: "zone-a" }] })
    expect(web().filter((e) => e.hints?.forZones?.[0]?.name === "zone-a").length).toBe(3)
  })
})
