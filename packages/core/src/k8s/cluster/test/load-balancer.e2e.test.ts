import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import type { LoadBalancerAlgorithm } from "../cluster-config"
import { MS, S, applySeed, externalRequests, requestsOf, seedManifest } from "./e2e-support"

const run = (algorithm: LoadBalancerAlgorithm, policy: "Cluster" | "Local", replicas: number, seed = 13) => {
  const c = Cluster.create({ seed, loadBalancer: { algorithm } })
  c.apply(seedManifest("service1deployment.yml").replace("replicas: 3", `replicas: ${replicas}`), { file: "service1deployment.yml" })
  c.apply(seedManifest("service_lb.yml").replace("type: LoadBalancer", `type: LoadBalancer\n  externalTrafficPolicy: ${policy}`), { file: "service_lb.yml" })
  c.runUntil(30 * S)
  const ip = c.store.get("Service", "default", "web-service-lb")?.status.loadBalancer.ingress?.[0]?.ip as string
  const t0 = c.sim.now
  externalRequests(c, "external-client", `http://${ip}`, 60, 20 * MS)
  c.runUntil(t0 + 20 * S)
  return { c, ip, reqs: requestsOf(c, "external-client", t0) }
}

/** Which node each connection entered: the node whose conntrack holds the client's flow to the VIP. */
const entryNodes = (c: Cluster, ip: string): string[] =>
  [...c.nodes.values()].flatMap((n) => n.host.conntrack!.list(c.sim.now).filter((e) => e.origDst === ipNum(ip)).map(() => n.name))

const ipNum = (ip: string): number => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0)

describe("cloud load balancer (pass-through: the VIP is forwarded unchanged to a node)", () => {
  it("round-robin with Cluster: each node takes every third connection; the backend sees the entry node (KUBE-EXT masquerades)", () => {
    const { c, ip, reqs } = run("round-robin", "Cluster", 3)
    expect(reqs).toHaveLength(60)
    expect(reqs.every((r) => r.outcome === "ok")).toBe(true)
    const byNode = [...c.nodes.values()].map((n) => reqs.filter((r) => r.sourceIp === n.ip).length)
    expect(byNode).toEqual([20, 20, 20])
    // The nodes DNATed from the VIP itself (no NAT on the LB host): their conntrack originals are client → VIP.
    expect(entryNodes(c, ip).length).toBe(60)
    expect(c.loadBalancerRoutes()).toBe(`${ip}\n${[...c.nodes.values()].map((n) => `\tnexthop via ${n.ip} dev eth0 weight 1\n`).join("")}`)
  })

  it("Local: the backend sees the client's own IP; only nodes passing the health check are next hops", () => {
    const { c, reqs } = run("random", "Local", 2)
    const podNodes = new Set(c.store.list("Pod", { namespace: "default" }).map((p) => p.spec.nodeName))
    expect(podNodes.size).toBe(2)
    const routes = c.loadBalancerRoutes()
    for (const n of c.nodes.values()) {
      if (podNodes.has(n.name)) expect(routes).toContain(`nexthop via ${n.ip} dev eth0`)
      else expect(routes).not.toContain(n.ip)
    }
    expect(c.loadBalancer.healthyNodes("default", "web-service-lb")).toEqual([...c.nodes.keys()].filter((n) => podNodes.has(n)))
    expect(reqs).toHaveLength(60)
    expect(reqs.every((r) => r.outcome === "ok")).toBe(true)
    expect(new Set(reqs.map((r) => r.sourceIp))).toEqual(new Set([c.externalIp("external-client")]))
    expect(new Set(reqs.map((r) => r.pod)).size).toBe(2)
  })

  it("five-tuple-hash: the kernel's L4 multipath hash spreads connections over every node, the same way for the same seed", () => {
    const a = run("five-tuple-hash", "Cluster", 3, 4)
    expect(a.reqs.every((r) => r.outcome === "ok")).toBe(true)
    const spread = [...a.c.nodes.values()].map((n) => a.reqs.filter((r) => r.sourceIp === n.ip).length)
    expect(spread.every((k) => k >= 8)).toBe(true)
    expect(a.c.loadBalancer.flows).toBeNull()
    const b = run("five-tuple-hash", "Cluster", 3, 4)
    expect(b.reqs.map((r) => r.sourceIp)).toEqual(a.reqs.map((r) => r.sourceIp))
  })

  it("deleting the LoadBalancer Service withdraws its VIP", () => {
    const c = Cluster.create({ seed: 2 })
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service_lb.yml")
    c.runUntil(10 * S)
    expect(c.loadBalancerRoutes()).toMatch(/^172\.18\.255\.200\n\tnexthop via /)
    c.delete("Service", "default", "web-service-lb")
    c.runUntil(12 * S)
    expect(c.loadBalancerRoutes()).toBe("")
  })
})
