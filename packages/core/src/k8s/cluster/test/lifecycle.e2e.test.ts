import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { S, applySeed, requestsOf, seedManifest } from "./e2e-support"

const withProbe = (port: number, initialDelay: number) =>
  seedManifest("service1deployment.yml").replace(
    "image: nginx:latest",
    `image: nginx:latest\n          readinessProbe:\n            httpGet:\n              path: /\n              port: ${port}\n            initialDelaySeconds: ${initialDelay}\n            periodSeconds: 2`,
  )

describe("pod lifecycle in a cluster", () => {
  it("readiness probes: pods become Ready after initialDelaySeconds, and endpoints follow; a probe on a closed port never passes", () => {
    const c = Cluster.create({ seed: 3 })
    c.apply(withProbe(80, 8), { file: "probe.yml" })
    applySeed(c, "service1.yml")
    c.runUntil(60 * S)
    const ready = c.records.ofKind("action").filter((a) => a.verb === "ready" && a.object.startsWith("Pod default/web-deploy"))
    const started = c.records.ofKind("action").filter((a) => a.verb === "start" && a.object.startsWith("Pod default/web-deploy"))
    expect(ready).toHaveLength(3)
    for (const r of ready) {
      const s = started.find((x) => x.object === r.object)?.t as number
      expect(r.t - s).toBeGreaterThanOrEqual(8 * S)
      expect(r.t - s).toBeLessThan(8 * S + 2 * S + S)
    }
    const slice = c.store.list("EndpointSlice", { namespace: "default" }).find((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web-service")
    expect(slice?.endpoints.map((e) => e.conditions.ready)).toEqual([true, true, true])

    const bad = Cluster.create({ seed: 3 })
    bad.apply(withProbe(8080, 0), { file: "probe.yml" })
    applySeed(bad, "service1.yml")
    bad.runUntil(60 * S)
    const pods = bad.store.list("Pod", { namespace: "default" })
    expect(pods.every((p) => p.status.phase === "Running" && p.status.containerStatuses?.[0]?.ready === false)).toBe(true)
    const badSlice = bad.store.list("EndpointSlice", { namespace: "default" }).find((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web-service")
    expect(badSlice?.endpoints.every((e) => e.conditions.ready === false)).toBe(true)
    // No ready endpoint: kube-proxy rejects the Service's traffic.
    expect(bad.iptablesSave("kind-worker")).toContain('"default/web-service has no endpoints"')
  })

  it("deleting a pod: the ReplicaSet replaces it with a new IP (host-local moves on), and the loop never fails", () => {
    const c = Cluster.create({ seed: 4 })
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service1.yml")
    applySeed(c, "busybox.yml")
    c.runUntil(30 * S)
    const victim = c.store.list("Pod", { namespace: "default", labelSelector: { matchLabels: { app: "web" } } })[0]
    const oldIp = victim?.status.podIP
    c.delete("Pod", "default", victim?.metadata.name as string)
    c.runUntil(90 * S)
    const web = c.store.list("Pod", { namespace: "default", labelSelector: { matchLabels: { app: "web" } } })
    expect(web).toHaveLength(3)
    expect(web.map((p) => p.metadata.name)).not.toContain(victim?.metadata.name)
    expect(web.map((p) => p.status.podIP)).not.toContain(oldIp)
    const reqs = requestsOf(c, "busybox")
    expect(reqs.length).toBeGreaterThan(50)
    // nginx quits gracefully while its endpoint is already terminating; wget retries nothing, yet none failed here.
    expect(reqs.filter((r) => r.outcome !== "ok").length).toBeLessThanOrEqual(1)
  })

  it("failNode: its pods stop answering and the LB's health checks drop it after 3 × 8 s; recoverNode brings it back", () => {
    const c = Cluster.create({ seed: 5 })
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service_lb.yml")
    c.runUntil(30 * S)
    const lbIp = c.store.get("Service", "default", "web-service-lb")?.status.loadBalancer.ingress?.[0]?.ip as string
    const failed = "kind-worker2"
    expect(c.loadBalancerRoutes()).toContain(`nexthop via ${c.node(failed).ip} dev eth0`)
    c.failNode(failed)
    // Three failed checks in a row (cloud-provider-gcp: unhealthy threshold 3, interval 8 s) before traffic moves.
    c.runUntil(40 * S)
    expect(c.loadBalancerRoutes()).toContain(c.node(failed).ip)
    c.runUntil(56 * S)
    const text = c.loadBalancerRoutes()
    expect(text).not.toContain(c.node(failed).ip)
    expect(text.startsWith(`${lbIp}\n`)).toBe(true)
    const host = c.podHost(c.store.list("Pod", { namespace: "default" }).find((p) => p.spec.nodeName === failed)?.metadata.name as string)
    expect(host?.up).toBe(false)
    c.recoverNode(failed)
    // One passing check (healthy threshold 1) brings it back.
    c.runUntil(66 * S)
    expect(host?.up).toBe(true)
    expect(c.loadBalancerRoutes()).toContain(c.node(failed).ip)
  })
})

describe("node failure with the node lifecycle controller", () => {
  it("requests landing on a failed node's pod time out until its lease expires and its endpoints turn not ready", () => {
    const c = Cluster.create({ seed: 8 })
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service1.yml")
    applySeed(c, "busybox.yml")
    c.runUntil(30 * S)
    const busyboxNode = c.store.get("Pod", "default", "busybox")?.spec.nodeName
    const web = c.store.list("Pod", { namespace: "default", labelSelector: { matchLabels: { app: "web" } } })
    const failed = web.map((p) => p.spec.nodeName as string).find((n) => n !== busyboxNode) as string
    const t0 = c.sim.now
    c.failNode(failed)
    c.runUntil(t0 + 400 * S)
    // node-monitor-grace-period (50 s) on the 5 s grid: Ready=Unknown, the pods marked not ready.
    const node = c.store.get("Node", undefined, failed)
    expect(node?.status.conditions?.find((x) => x.type === "Ready")?.status).toBe("Unknown")
    const notReady = c.records.ofKind("action").find((a) => a.actor === "node-lifecycle" && a.t > t0)?.t as number
    expect(notReady - t0).toBeGreaterThanOrEqual(50 * S)
    expect(notReady - t0).toBeLessThanOrEqual(60 * S)
    const during = requestsOf(c, "busybox", t0, notReady)
    expect(during.some((r) => r.outcome === "failed" && r.cause === "timeout")).toBe(true)
    const after = requestsOf(c, "busybox", notReady + 5 * S)
    expect(after.length).toBeGreaterThan(100)
    expect(after.every((r) => r.outcome === "ok")).toBe(true)
    expect(after.every((r) => c.store.get("Pod", "default", r.pod as string)?.spec.nodeName !== failed)).toBe(true)
  })
})
