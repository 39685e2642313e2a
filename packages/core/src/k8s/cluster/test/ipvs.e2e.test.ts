import { describe, expect, it } from "vitest"
import { formatIpv4, renderIpvsadmList } from "../../../net/index"
import { Cluster } from "../cluster"
import { applySeed, expectLoadBalancerServes, expectNodePortServedByEveryNode, requestsOf, S } from "./e2e-support"

/**
 * The seed walkthrough with kube-proxy in IPVS mode (`proxy.mode: "ipvs"`): Service addresses on kube-ipvs0,
 * virtual servers per ClusterIP / NodePort / LB address, DNS through kube-dns's UDP virtual server, rr spread and
 * ClientIP persistence — all through packets on the hosts' IPVS hook (ip_vs_in at LOCAL_IN).
 */
describe("seed walkthrough in IPVS mode", () => {
  const c = Cluster.create({ seed: 7, proxy: { mode: "ipvs" } })
  let webPods: string[] = []
  let busyboxNode = ""

  it("ClusterIP by name: DNS through kube-dns's virtual server, every request ok, exact round-robin from the client's node", () => {
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service1.yml")
    applySeed(c, "busybox.yml")
    c.runUntil(120 * S)
    webPods = c.store.list("Pod", { namespace: "default" }).map((p) => p.metadata.name).filter((n) => n !== "busybox").sort()
    busyboxNode = c.store.get("Pod", "default", "busybox")?.spec.nodeName as string
    const reqs = requestsOf(c, "busybox", 30 * S)
    expect(reqs.length).toBeGreaterThan(60)
    expect(reqs.every((r) => r.outcome === "ok" && r.status === 200 && r.service === "default/web-service")).toBe(true)
    // rr on the busybox node's ClusterIP virtual server: consecutive connections cycle through the 3 pods.
    const counts = webPods.map((p) => reqs.filter((r) => r.pod === p).length)
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1)
    for (let i = 3; i < reqs.length; i++) expect(reqs[i]?.pod).toBe(reqs[i - 3]?.pod)
    // Inside the cluster CIDR nothing is masqueraded: the pod sees the client's own address.
    const busyboxIp = c.store.get("Pod", "default", "busybox")?.status.podIP
    expect(reqs.every((r) => r.sourceIp === busyboxIp)).toBe(true)
    const dns = c.records.ofKind("dns").filter((d) => d.client === "busybox" && d.t >= 30 * S)
    expect(dns.length).toBeGreaterThan(0)
    expect(dns.every((d) => d.rcode === "NOERROR")).toBe(true)
  })

  it("each node: Service addresses on kube-ipvs0, the virtual servers of ipvsadm -Ln, no KUBE-SVC chains; rules records say ipvs with 1/3 shares", () => {
    const svc = c.store.get("Service", "default", "web-service")
    const ip = svc?.spec.clusterIP as string
    for (const [name, n] of c.nodes) {
      const dummy = n.host.iface("kube-ipvs0").addresses.map(formatIpv4)
      expect(dummy).toContain(ip)
      expect(dummy).toContain("10.96.0.10")
      // kube-dns's three ports share one address: bound once (EnsureAddressBind is idempotent).
      expect(new Set(dummy).size).toBe(dummy.length)
      const list = renderIpvsadmList(n.host.ipvs!, c.sim.now)
      expect(list).toContain(`TCP  ${ip}:80 rr`)
      expect(list).toContain("UDP  10.96.0.10:53 rr")
      const save = c.iptablesSave(name)
      expect(save).not.toContain("KUBE-SVC-")
      expect(save).toContain("-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT")
    }
    const last = c.records.ofKind("rules").filter((r) => r.node === busyboxNode).at(-1)
    expect(last?.mode).toBe("ipvs")
    const shares = Object.values(
      c.records
        .ofKind("rules")
        .filter((r) => r.node === busyboxNode && r.shares["default/web-service"] !== undefined)
        .at(-1)?.shares["default/web-service"] ?? {},
    )
    expect(shares).toEqual([1 / 3, 1 / 3, 1 / 3])
  })

  it("service_sa.yml (ClientIP): the virtual server becomes persistent (-p 10800) and every later request reaches one pod", () => {
    const t0 = c.sim.now
    applySeed(c, "service_sa.yml")
    c.runUntil(t0 + 65 * S)
    expect(renderIpvsadmList(c.nodes.get(busyboxNode)!.host.ipvs!, c.sim.now)).toMatch(/rr persistent 10800/)
    const later = requestsOf(c, "busybox", t0 + 5 * S)
    expect(later.length).toBeGreaterThan(40)
    expect(later.every((r) => r.outcome === "ok")).toBe(true)
    expect(new Set(later.map((r) => r.pod)).size).toBe(1)
  })

  it("service_nodeport.yml: the NodePort answers from an external host through every node's address", () => {
    applySeed(c, "service_nodeport.yml")
    c.runFor(5 * S)
    const nodePort = c.store.get("Service", "default", "web-service")?.spec.ports[0]?.nodePort as number
    expectNodePortServedByEveryNode(c, nodePort)
  })

  it("service_lb.yml: the LB address is bound on every node's kube-ipvs0 and serves from outside", () => {
    applySeed(c, "service_lb.yml")
    c.runFor(10 * S)
    const ip = c.store.get("Service", "default", "web-service-lb")?.status.loadBalancer.ingress?.[0]?.ip as string
    expect(ip).toBe("172.18.255.200")
    for (const n of c.nodes.values()) expect(n.host.iface("kube-ipvs0").addresses.map(formatIpv4)).toContain(ip)
    expectLoadBalancerServes(c, ip as string)
  })
})

/** `proxy.ipvs.scheduler` reaches every node's virtual servers (KubeProxyIPVSConfiguration.scheduler). */
describe("IPVS scheduler from the cluster config", () => {
  const clientRun = (scheduler: "sh" | "lc") => {
    const c = Cluster.create({ seed: 7, proxy: { mode: "ipvs", ipvs: { scheduler } } })
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service1.yml")
    applySeed(c, "busybox.yml")
    c.runUntil(60 * S)
    return { c, reqs: requestsOf(c, "busybox", 30 * S) }
  }

  it("sh: the one client's address hashes to one bucket, so every request reaches the same pod (ip_vs_sh.c)", () => {
    const { c, reqs } = clientRun("sh")
    expect(reqs.length).toBeGreaterThan(20)
    expect(reqs.every((r) => r.outcome === "ok")).toBe(true)
    expect(new Set(reqs.map((r) => r.pod)).size).toBe(1)
    for (const n of c.nodes.values()) expect(renderIpvsadmList(n.host.ipvs!, c.sim.now)).toMatch(/TCP {2}10\.\d+\.\d+\.\d+:80 sh/)
  })

  it("lc: each closed connection stays an inactive one (TIME_WAIT, 2 min) on its real server, so the least loaded is the next one: even spread", () => {
    const { reqs } = clientRun("lc")
    expect(reqs.every((r) => r.outcome === "ok")).toBe(true)
    const counts = [...new Set(reqs.map((r) => r.pod))].map((p) => reqs.filter((r) => r.pod === p).length)
    expect(counts).toHaveLength(3)
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1)
  })
})
