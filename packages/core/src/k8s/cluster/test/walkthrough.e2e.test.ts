import { describe, expect, it } from "vitest"
import { getAll } from "../../views/index"
import { Cluster } from "../cluster"
import { applySeed, expectLoadBalancerServes, expectNodePortServedByEveryNode, chiSquare, chiSquarePValueDf2, MS, requestsOf, rulesCaughtUp, S } from "./e2e-support"

/**
 * The seed walkthrough, step by step, through the public API: the same manifests, read from disk, and the
 * behaviour the walkthrough shows at each step. One cluster, one seed; each step runs on from the last.
 */
describe("seed walkthrough end to end", () => {
  const c = Cluster.create({ seed: 7 })
  let webPods: string[] = []

  it("service1deployment.yml + service1.yml: get all lists 3 Running pods, the Deployment, its ReplicaSet and web-service", () => {
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service1.yml")
    c.runUntil(20 * S)
    const pods = c.store.list("Pod", { namespace: "default" })
    expect(pods).toHaveLength(3)
    for (const p of pods) {
      expect(p.status.phase).toBe("Running")
      expect(p.status.conditions?.find((x) => x.type === "Ready")?.status).toBe("True")
      expect(p.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/)
    }
    webPods = pods.map((p) => p.metadata.name).sort()
    const all = getAll(c.store, { namespace: "default" })
    for (const name of webPods) expect(all).toMatch(new RegExp(`pod/${name}\\s+1/1\\s+Running\\s+0`))
    expect(all).toMatch(/deployment\.apps\/web-deploy\s+3\/3\s+3\s+3/)
    expect(all).toMatch(/replicaset\.apps\/web-deploy-[a-z0-9]+\s+3\s+3\s+3/)
    expect(all).toMatch(/service\/web-service\s+ClusterIP\s+10\.(9[6-9]|1[01]\d)\.\d+\.\d+\s+<none>\s+80\/TCP/)
    expect(all).toMatch(/service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/)
    // Pods are spread over the workers (the scheduler's spreading) and each got host-local's first free address.
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBeGreaterThan(1)
  })

  it("busybox.yml: the container's env has the seven WEB_SERVICE_* variables of the Service", () => {
    applySeed(c, "busybox.yml")
    c.runUntil(30 * S)
    const svc = c.store.get("Service", "default", "web-service")
    const ip = svc?.spec.clusterIP as string
    const env = c.exec("busybox", ["env"])
    const web = env.split("\n").filter((l) => l.startsWith("WEB_SERVICE_")).sort()
    expect(web).toEqual(
      [
        `WEB_SERVICE_PORT=tcp://${ip}:80`,
        `WEB_SERVICE_PORT_80_TCP=tcp://${ip}:80`,
        `WEB_SERVICE_PORT_80_TCP_ADDR=${ip}`,
        "WEB_SERVICE_PORT_80_TCP_PORT=80",
        "WEB_SERVICE_PORT_80_TCP_PROTO=tcp",
        `WEB_SERVICE_SERVICE_HOST=${ip}`,
        "WEB_SERVICE_SERVICE_PORT=80",
      ].sort(),
    )
    expect(c.exec("busybox", ["cat", "/etc/resolv.conf"])).toBe(
      "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
    )
  })

  it("the wget loop: ≥ 300 requests, all ok, spread over the 3 pods consistently with uniform (chi-square)", () => {
    c.runUntil(360 * S)
    const reqs = requestsOf(c, "busybox", 0, 360 * S)
    expect(reqs.length).toBeGreaterThanOrEqual(300)
    expect(reqs.every((r) => r.outcome === "ok" && r.status === 200)).toBe(true)
    expect(reqs.every((r) => r.service === "default/web-service" && r.url === "http://web-service")).toBe(true)
    const counts = webPods.map((p) => reqs.filter((r) => r.pod === p).length)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(reqs.length)
    // The kernel's thresholds give each endpoint 1/3 up to 2^-31; a 0.1 % test level.
    const x = chiSquare(counts, [1 / 3, 1 / 3, 1 / 3])
    expect(chiSquarePValueDf2(x)).toBeGreaterThan(0.001)
    // Every node's rules give each web endpoint its share from the 31-bit thresholds.
    const busyboxNode = c.store.get("Pod", "default", "busybox")?.spec.nodeName
    const lastRules = c.records.ofKind("rules").filter((r) => r.node === busyboxNode).at(-1)
    const shares = Object.values(lastRules?.shares["default/web-service"] ?? {})
    expect(shares).toHaveLength(3)
    for (const s of shares) expect(Math.abs(s - 1 / 3)).toBeLessThan(1e-9)
    // The backend saw the pod's own address: no SNAT for pod-to-service traffic inside the cluster CIDR.
    const busyboxIp = c.store.get("Pod", "default", "busybox")?.status.podIP
    expect(reqs.every((r) => r.sourceIp === busyboxIp)).toBe(true)
  })

  it("service_sa.yml (sessionAffinity: ClientIP): every later request reaches one pod", () => {
    const t0 = c.sim.now
    applySeed(c, "service_sa.yml")
    c.runUntil(t0 + 5 * S)
    // The first sync on the busybox's node after kube-proxy's informer saw the change (watch delay 50 ms).
    const busyboxNode = c.store.get("Pod", "default", "busybox")?.spec.nodeName as string
    const synced = rulesCaughtUp(c, busyboxNode, t0 + 50 * MS, () => true)
    expect(synced).toBeDefined()
    c.runUntil(t0 + 125 * S)
    const later = requestsOf(c, "busybox", (synced as number) + 1 * S)
    expect(later.length).toBeGreaterThan(100)
    expect(later.every((r) => r.outcome === "ok")).toBe(true)
    expect(new Set(later.map((r) => r.pod)).size).toBe(1)
    // proxier.go writeServiceToEndpointRules: `-m recent --rcheck --seconds 10800 --reap` per endpoint, `--set` in each KUBE-SEP.
    const save = c.iptablesSave(busyboxNode)
    expect(save.match(/-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-\w+/g)?.length).toBe(3)
    expect(save).toMatch(/-m recent --set --name KUBE-SEP-\w+/)
  })

  it("service_nodeport.yml: the NodePort answers from an external host through every node", () => {
    applySeed(c, "service_nodeport.yml")
    c.runFor(5 * S)
    const svc = c.store.get("Service", "default", "web-service")
    expect(svc?.spec.type).toBe("NodePort")
    const nodePort = svc?.spec.ports[0]?.nodePort as number
    expect(nodePort).toBeGreaterThanOrEqual(30000)
    expect(nodePort).toBeLessThanOrEqual(32767)
    expectNodePortServedByEveryNode(c, nodePort)
  })

  it("service_lb.yml: the LoadBalancer Service gets an external IP and serves from outside", () => {
    applySeed(c, "service_lb.yml")
    // EXTERNAL-IP is <pending> while the cloud provisions (2–5 s), then the LB host answers on it.
    c.runFor(1 * S)
    expect(c.store.get("Service", "default", "web-service-lb")?.status.loadBalancer.ingress).toBeUndefined()
    c.runFor(9 * S)
    const svc = c.store.get("Service", "default", "web-service-lb")
    const ip = svc?.status.loadBalancer.ingress?.[0]?.ip
    expect(ip).toBe("172.18.255.200")
    expect(getAll(c.store, { namespace: "default" })).toMatch(/service\/web-service-lb\s+LoadBalancer\s+\S+\s+172\.18\.255\.200\s+80:3\d{4}\/TCP/)
    expectLoadBalancerServes(c, ip as string)
  })

  it("service_externalname.yml: nslookup external-db gives a CNAME to db.example.com and no rule mentions it", () => {
    applySeed(c, "service_externalname.yml")
    c.runFor(5 * S)
    const out = c.exec("busybox", ["nslookup", "external-db"])
    expect(out).toContain("external-db.default.svc.cluster.local\tcanonical name = db.example.com")
    expect(out).toContain("Address: 93.184.216.34")
    for (const n of c.nodes.keys()) expect(c.iptablesSave(n)).not.toContain("external-db")
    // The wget loop kept working throughout the walkthrough.
    const all = requestsOf(c, "busybox")
    expect(all.every((r) => r.outcome === "ok")).toBe(true)
  })
})
