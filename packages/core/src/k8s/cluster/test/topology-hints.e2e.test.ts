import { describe, expect, it } from "vitest"
import type { EndpointSlice } from "../../api/index"
import { Cluster } from "../cluster"
import { ZONE_LABEL, defaultNodes } from "../cluster-config"
import { S, requestsOf, webDeploymentAndService } from "./e2e-support"

// Four workers: kind-worker, kind-worker2 in zone-a; kind-worker3, kind-worker4 in zone-b.
const nodes = defaultNodes(4).map((n, i) => ({ ...n, labels: { [ZONE_LABEL]: i < 2 ? "zone-a" : "zone-b" } }))
const zoneOfNode = new Map(nodes.map((n) => [n.name, n.labels[ZONE_LABEL]] as const))

const manifests = (trafficDistribution: string | null): string => `${webDeploymentAndService({ replicas: 4, ...(trafficDistribution !== null ? { trafficDistribution } : {}) })}---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeSelector: {kubernetes.io/hostname: kind-worker}
  containers:
    - name: busybox
      image: busybox
      command: ["sh", "-c", "while true; do wget -q -O - http://web/; sleep 0.1; done"]
`

/** The zones of the pods that answered the client (pod → node → zone), from 10 s to 40 s. */
const run = (trafficDistribution: string | null) => {
  const c = Cluster.create({ seed: 4, nodes })
  c.apply(manifests(trafficDistribution))
  c.runUntil(40 * S)
  const nodeOfPod = new Map(c.store.list("Pod").map((p) => [p.metadata.name, p.spec.nodeName ?? ""] as const))
  const rs = requestsOf(c, "client", 10 * S)
  const zones = rs.map((r) => zoneOfNode.get(nodeOfPod.get(r.pod ?? "") ?? ""))
  const slices = c.store.list("EndpointSlice").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web") as EndpointSlice[]
  return { c, rs, zones, slices }
}

describe("topology: trafficDistribution PreferClose end to end (trafficdist.go → topology.go CategorizeEndpoints)", () => {
  it("the controller hints each ready endpoint for its own zone; a client in zone-a reaches only zone-a pods", () => {
    const { rs, zones, slices } = run("PreferClose")
    // The scheduler spreads four replicas over both zones, so zone-b pods exist and are skipped.
    const eps = slices.flatMap((s) => s.endpoints)
    expect(new Set(eps.map((e) => e.zone))).toEqual(new Set(["zone-a", "zone-b"]))
    for (const e of eps) expect(e.hints).toEqual({ forZones: [{ name: e.zone as string }] })
    expect(rs.length).toBeGreaterThan(100)
    expect(rs.every((r) => r.outcome === "ok")).toBe(true)
    expect(new Set(zones)).toEqual(new Set(["zone-a"]))
  })

  it("without trafficDistribution: no hints, and the same client reaches both zones", () => {
    const { zones, slices } = run(null)
    for (const e of slices.flatMap((s) => s.endpoints)) expect(e.hints).toBeUndefined()
    expect(new Set(zones)).toEqual(new Set(["zone-a", "zone-b"]))
  })

  it("PreferSameNode: node hints too, and the client uses the pod on its own node when there is one", () => {
    const { c, zones, slices, rs } = run("PreferSameNode")
    for (const e of slices.flatMap((s) => s.endpoints)) expect(e.hints).toEqual({ forZones: [{ name: e.zone as string }], forNodes: [{ name: e.nodeName as string }] })
    const local = c.store.list("Pod").filter((p) => p.metadata.labels?.["app"] === "web" && p.spec.nodeName === "kind-worker")
    if (local.length > 0) expect(new Set(rs.map((r) => r.pod))).toEqual(new Set(local.map((p) => p.metadata.name)))
    else expect(new Set(zones)).toEqual(new Set(["zone-a"]))
  })

  it("turning trafficDistribution off removes the hints from unchanged slices (defaultHeuristic)", () => {
    const { c } = run("PreferClose")
    const svc = c.store.get("Service", "default", "web")!
    c.store.update({ ...svc, spec: { ...svc.spec, trafficDistribution: undefined } } as typeof svc)
    c.runFor(5 * S)
    const eps = c.store.list("EndpointSlice").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web").flatMap((s) => s.endpoints)
    expect(eps.length).toBe(4)
    for (const e of eps) expect(e.hints).toBeUndefined()
  })
})
