import { describe, expect, it } from "vitest"
import type { ServiceRecord } from "../../../records/index"
import { Cluster } from "../cluster"
import { S, applySeed, seedManifest } from "./e2e-support"

const serviceRecords = (c: Cluster, from = 0): ServiceRecord[] => c.records.ofKind("service").filter((r) => r.t >= from)

describe("service records (docs/records.md `service`)", () => {
  it("one record per port when a Service appears, fields in the documented order, bootstrap Services included", () => {
    const c = Cluster.create({ seed: 3 })
    c.runUntil(1 * S)
    const dns = serviceRecords(c).filter((r) => r.service.startsWith("kube-system/kube-dns:"))
    expect(dns.map((r) => r.service)).toEqual(["kube-system/kube-dns:dns", "kube-system/kube-dns:dns-tcp", "kube-system/kube-dns:metrics"])
    expect(dns[0]).toEqual({
      kind: "service", t: dns[0]!.t, service: "kube-system/kube-dns:dns", type: "ClusterIP", clusterIP: "10.96.0.10", port: 53,
      protocol: "UDP", nodePort: null, sessionAffinity: "None", affinityTimeoutSeconds: null, externalTrafficPolicy: null,
      internalTrafficPolicy: "Cluster", deleted: false,
    })
    expect(Object.keys(dns[0]!)).toEqual([
      "kind", "t", "service", "type", "clusterIP", "port", "protocol", "nodePort", "sessionAffinity", "affinityTimeoutSeconds",
      "externalTrafficPolicy", "internalTrafficPolicy", "deleted",
    ])
    expect(serviceRecords(c).filter((r) => r.service === "default/kubernetes:https")).toHaveLength(1)
  })

  it("changes (ClientIP affinity, then NodePort) write a new record; unchanged applies write none; deletion writes deleted", () => {
    const c = Cluster.create({ seed: 3 })
    applySeed(c, "service1.yml")
    c.runUntil(2 * S)
    const first = serviceRecords(c).filter((r) => r.service === "default/web-service")
    // Created with clusterIP "" and allocated at once (admission), so the first record already has the address.
    expect(first).toHaveLength(1)
    expect(first[0]!.clusterIP).toMatch(/^10\.(9[6-9]|1[01]\d)\./)
    const t1 = c.sim.now
    applySeed(c, "service1.yml")
    c.runUntil(3 * S)
    expect(serviceRecords(c, t1)).toEqual([])
    c.apply(seedManifest("service1.yml").replace("spec:", "spec:\n  sessionAffinity: ClientIP"), { file: "affinity.yml" })
    c.runUntil(4 * S)
    const aff = serviceRecords(c, t1)
    expect(aff).toHaveLength(1)
    expect(aff[0]).toMatchObject({ service: "default/web-service", sessionAffinity: "ClientIP", affinityTimeoutSeconds: 10800, deleted: false })
    const t2 = c.sim.now
    applySeed(c, "service_nodeport.yml")
    c.runUntil(5 * S)
    const np = serviceRecords(c, t2)
    expect(np).toHaveLength(1)
    expect(np[0]!.type).toBe("NodePort")
    expect(np[0]!.nodePort).toBeGreaterThanOrEqual(30000)
    expect(np[0]!.externalTrafficPolicy).toBe("Cluster")
    const t3 = c.sim.now
    c.delete("Service", "default", "web-service")
    c.runUntil(6 * S)
    const gone = serviceRecords(c, t3)
    expect(gone).toHaveLength(1)
    expect(gone[0]).toMatchObject({ service: "default/web-service", type: "NodePort", deleted: true })
  })
})
