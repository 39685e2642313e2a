import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import type { LoadBalancerAlgorithm } from "../cluster-config"
import { MS, S, applySeed, externalRequests, requestsOf, seedManifest } from "./e2e-support"

const run = (algorithm: LoadBalancerAlgorithm, policy: "Cluster" | "Local", replicas: number) => {
  const c = Cluster.create({ seed: 13, loadBalancer: { algorithm } })
  c.apply(seedManifest("service1deployment.yml").replace("replicas: 3", `replicas: ${replicas}`), { file: "service1deployment.yml" })
  c.apply(seedManifest("service_lb.yml").replace("type: LoadBalancer", `type: LoadBalancer\n  externalTrafficPolicy: ${policy}`), { file: "service_lb.yml" })
  c.runUntil(30 * S)
  const ip = c.store.get("Service", "default", "web-service-lb")?.status.loadBalancer.ingress?.[0]?.ip as string
  const t0 = c.sim.now
  externalRequests(c, "external-client", `http://${ip}`, 60, 20 * MS)
  c.runUntil(t0 + 20 * S)
  return { c, reqs: requestsOf(c, "external-client", t0) }
}

describe("cloud load balancer", () => {
  it("round-robin over every node with Cluster policy: each node gets every third connection", () => {
    const { c, reqs } = run("round-robin", "Cluster", 3)
    expect(reqs).toHaveLength(60)
    expect(reqs.every((r) => r.outcome === "ok")).toBe(true)
    // Behind a proxying LB the node masquerades (the LB's address is outside the cluster CIDR): the backend sees the entry node.
    const byNode = [...c.nodes.values()].map((n) => reqs.filter((r) => r.sourceIp === n.ip).length)
    expect(byNode).toEqual([20, 20, 20])
  })

  it("Local policy: only nodes holding a ready endpoint pass the health check and get traffic", () => {
    const { c, reqs } = run("random", "Local", 2)
    const podNodes = new Set(c.store.list("Pod", { namespace: "default" }).map((p) => p.spec.nodeName))
    expect(podNodes.size).toBe(2)
    const save = c.loadBalancerSave()
    for (const n of c.nodes.values()) {
      if (podNodes.has(n.name)) expect(save).toContain(`--to-destination ${n.ip}:`)
      else expect(save).not.toContain(`--to-destination ${n.ip}:`)
    }
    expect(reqs).toHaveLength(60)
    expect(reqs.every((r) => r.outcome === "ok")).toBe(true)
  })

  it("deleting the LoadBalancer Service removes its frontend", () => {
    const c = Cluster.create({ seed: 2 })
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service_lb.yml")
    c.runUntil(10 * S)
    expect(c.loadBalancerSave()).toContain("-d 172.18.255.200/32")
    c.delete("Service", "default", "web-service-lb")
    c.runUntil(12 * S)
    expect(c.loadBalancerSave()).not.toContain("172.18.255.200")
  })
})
