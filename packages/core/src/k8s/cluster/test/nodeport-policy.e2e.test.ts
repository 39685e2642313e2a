import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { S, externalRequests, requestsOf, seedManifest } from "./e2e-support"

/** The seed's NodePort Service with an externalTrafficPolicy, and its Deployment with 2 replicas on 3 nodes. */
const setup = (policy: "Cluster" | "Local") => {
  const c = Cluster.create({ seed: 21 })
  c.apply(seedManifest("service1deployment.yml").replace("replicas: 3", "replicas: 2"), { file: "service1deployment.yml" })
  c.apply(seedManifest("service_nodeport.yml").replace("type: NodePort", `type: NodePort\n  externalTrafficPolicy: ${policy}`), { file: "service_nodeport.yml" })
  c.runUntil(20 * S)
  const svc = c.store.get("Service", "default", "web-service")
  const nodePort = svc?.spec.ports[0]?.nodePort as number
  const podNode = new Map(c.store.list("Pod", { namespace: "default" }).map((p) => [p.metadata.name, p.spec.nodeName as string] as const))
  const withPods = new Set(podNode.values())
  const t0 = c.sim.now
  for (const n of c.nodes.values()) externalRequests(c, "external-client", `http://${n.ip}:${nodePort}`, 20, 50 * 1_000_000)
  c.runUntil(t0 + 90 * S)
  return { c, podNode, withPods, reqs: requestsOf(c, "external-client", t0) }
}

describe("NodePort externalTrafficPolicy", () => {
  it("Local: the backend sees the client's IP and only local endpoints serve; a node without one drops", () => {
    const { c, podNode, withPods, reqs } = setup("Local")
    expect(withPods.size).toBe(2)
    const client = c.externalIp("external-client")
    for (const n of c.nodes.values()) {
      const mine = reqs.filter((r) => r.node === n.name)
      expect(mine.length).toBeGreaterThan(0)
      if (withPods.has(n.name)) {
        expect(mine.every((r) => r.outcome === "ok")).toBe(true)
        expect(mine.every((r) => r.sourceIp === client)).toBe(true)
        expect(mine.every((r) => podNode.get(r.pod as string) === n.name)).toBe(true)
      } else {
        // proxier.go: "has no local endpoints" → KUBE-EXT-… jumps to KUBE-MARK-DROP semantics: dropped, the client times out.
        expect(mine.every((r) => r.outcome === "failed" && r.cause === "timeout")).toBe(true)
      }
    }
  })

  it("Cluster: every node serves, and traffic reaching the backend is SNATed to the node it entered", () => {
    const { c, podNode, reqs } = setup("Cluster")
    let crossNode = 0
    for (const n of c.nodes.values()) {
      const mine = reqs.filter((r) => r.node === n.name)
      expect(mine).toHaveLength(20)
      expect(mine.every((r) => r.outcome === "ok")).toBe(true)
      // kube-proxy marks external traffic for masquerade: the backend sees the entry node's address.
      expect(mine.every((r) => r.sourceIp === n.ip)).toBe(true)
      crossNode += mine.filter((r) => podNode.get(r.pod as string) !== n.name).length
    }
    expect(crossNode).toBeGreaterThan(20)
  })
})
