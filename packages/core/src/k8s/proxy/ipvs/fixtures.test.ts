import { describe, expect, it } from "vitest"
import type { Ruleset } from "../../../net/index"
import type { EndpointView } from "../api-view"
import { service, slice, startProxier } from "../test-support/fixtures"
import { fakeIpvsProxier } from "../test-support/ipvs-node"

// Upstream's fixtures of pkg/proxy/ipvs/proxier_test.go, asserted as upstream's checkIPVS / checkIPSet /
// checkIptables do: the virtual servers with their real servers, the sets' entries, and per chain the
// (jump target, matched set) of each rule kube-proxy wrote, in order.

/** checkIptables' view of a chain: `target` or `target set` per rule. */
const chain = (rs: Ruleset, table: "nat" | "filter", name: string): string[] =>
  (rs.chain(table, name)?.rules ?? []).map((r) => {
    const t = r.target
    const target = t.kind === "chain" ? t.chain : t.kind
    const set = r.matches.find((m) => m.kind === "set")
    return set === undefined ? target : `${target} ${set.kind === "set" ? set.name : ""}`
  })

const svc1 = (spec: Parameters<typeof service>[2], lb?: string[]) => service("ns1", "svc1", { clusterIP: "10.20.30.41", ...spec }, lb)
const eps1 = (endpoints: EndpointView[], protocol: "TCP" | "UDP" = "TCP") => slice("ns1", "svc1", 1, endpoints, [{ name: "p80", port: 80, protocol }])
const local = (ip: string): EndpointView => ({ addresses: [ip], nodeName: "test-node" })
const remote = (ip: string): EndpointView => ({ addresses: [ip], nodeName: "other-hostname" })

/** KUBE-SERVICES with one LoadBalancer Service, as TestLoadBalancer and TestOnlyLocalLoadBalancing expect it. */
const LB_SERVICES_CHAIN = [
  "RETURN",
  "KUBE-LOAD-BALANCER KUBE-LOAD-BALANCER",
  "KUBE-MARK-MASQ KUBE-CLUSTER-IP",
  "KUBE-NODE-PORT",
  "ACCEPT KUBE-CLUSTER-IP",
  "ACCEPT KUBE-LOAD-BALANCER",
]

describe("pkg/proxy/ipvs/proxier_test.go fixtures", () => {
  it("TestLoadBalancer: ClusterIP and LB virtual servers (no node addresses: no NodePort ones), KUBE-LOAD-BALANCER set and chains", () => {
    const { proxier, kernel } = fakeIpvsProxier()
    startProxier(proxier, [svc1({ type: "LoadBalancer", ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }] }, ["1.2.3.4"])], [eps1([{ addresses: ["10.180.0.1"] }])])
    expect(kernel.state()).toEqual(["TCP 1.2.3.4:80 rr -> 10.180.0.1:80/1", "TCP 10.20.30.41:80 rr -> 10.180.0.1:80/1"])
    expect(kernel.sets()[`KUBE-LOAD-BALANCER`]).toEqual(["1.2.3.4,tcp:80"])
    expect(chain(kernel.ruleset, "nat", "KUBE-SERVICES")).toEqual(LB_SERVICES_CHAIN)
    expect(chain(kernel.ruleset, "nat", "KUBE-LOAD-BALANCER")).toEqual(["KUBE-MARK-MASQ"])
    // Both Service addresses are on kube-ipvs0 and in KUBE-IPVS-IPS.
    expect([...kernel.dummy].sort()).toEqual(["1.2.3.4", "10.20.30.41"])
    expect(kernel.sets()["KUBE-IPVS-IPS"]).toEqual(["1.2.3.4", "10.20.30.41"])
  })

  it("TestOnlyLocalLoadBalancing: the LB virtual server gets only the local endpoint; KUBE-LOAD-BALANCER-LOCAL returns before masquerading", () => {
    const { proxier, kernel } = fakeIpvsProxier()
    const s = svc1({ type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }] }, ["1.2.3.4"])
    startProxier(proxier, [s], [eps1([local("10.180.0.1"), remote("10.180.1.1")])])
    expect(kernel.state()).toEqual(["TCP 1.2.3.4:80 rr -> 10.180.0.1:80/1", "TCP 10.20.30.41:80 rr -> 10.180.0.1:80/1 10.180.1.1:80/1"])
    expect(kernel.sets()["KUBE-LOAD-BALANCER"]).toEqual(["1.2.3.4,tcp:80"])
    expect(kernel.sets()["KUBE-LOAD-BALANCER-LOCAL"]).toEqual(["1.2.3.4,tcp:80"])
    // The local endpoint is also in KUBE-LOOP-BACK (hairpin masquerade).
    expect(kernel.sets()["KUBE-LOOP-BACK"]).toEqual(["10.180.0.1,tcp:80,10.180.0.1"])
    expect(chain(kernel.ruleset, "nat", "KUBE-SERVICES")).toEqual(LB_SERVICES_CHAIN)
    expect(chain(kernel.ruleset, "nat", "KUBE-LOAD-BALANCER")).toEqual(["RETURN KUBE-LOAD-BALANCER-LOCAL", "KUBE-MARK-MASQ"])
    expect(chain(kernel.ruleset, "nat", "KUBE-POSTROUTING")[0]).toBe("MASQUERADE KUBE-LOOP-BACK")
  })

  it("TestOnlyLocalNodePorts: nodePortAddresses 100.101.102.0/24 → one NodePort virtual server with the local endpoint; both NodePort sets", () => {
    const { proxier, kernel } = fakeIpvsProxier({ nodePortAddresses: ["100.101.102.0/24", "2001:db8::0/64"] })
    const s = svc1({ type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }] })
    startProxier(proxier, [s], [eps1([local("10.180.0.1"), remote("10.180.1.1")])])
    expect(kernel.state()).toEqual(["TCP 10.20.30.41:80 rr -> 10.180.0.1:80/1 10.180.1.1:80/1", "TCP 100.101.102.103:3001 rr -> 10.180.0.1:80/1"])
    expect(kernel.sets()["KUBE-NODE-PORT-TCP"]).toEqual(["3001"])
    expect(kernel.sets()["KUBE-NODE-PORT-LOCAL-TCP"]).toEqual(["3001"])
    expect(chain(kernel.ruleset, "nat", "KUBE-SERVICES")).toEqual(["RETURN", "KUBE-MARK-MASQ KUBE-CLUSTER-IP", "KUBE-NODE-PORT", "ACCEPT KUBE-CLUSTER-IP"])
    expect(chain(kernel.ruleset, "nat", "KUBE-NODE-PORT")).toEqual(["RETURN KUBE-NODE-PORT-LOCAL-TCP", "KUBE-MARK-MASQ KUBE-NODE-PORT-TCP"])
    expect(chain(kernel.ruleset, "filter", "KUBE-NODE-PORT")).toEqual(["ACCEPT KUBE-HEALTH-CHECK-NODE-PORT"])
    // Node IPs are not bound to kube-ipvs0.
    expect([...kernel.dummy]).toEqual(["10.20.30.41"])
  })

  it("TestHealthCheckNodePort: only Local LoadBalancer Services' health-check ports are in KUBE-HEALTH-CHECK-NODE-PORT", () => {
    const { proxier, kernel } = fakeIpvsProxier({ nodePortAddresses: ["100.101.102.0/24"] })
    const lb = (name: string, hc: number, policy: "Local" | "Cluster") =>
      service("ns1", name, { type: "LoadBalancer", clusterIP: "10.20.30.41", externalTrafficPolicy: policy, healthCheckNodePort: hc, ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3000 }] })
    startProxier(proxier, [lb("valid-svc1", 30000, "Local"), lb("valid-svc2", 30001, "Local"), lb("invalid-svc3", 30002, "Cluster")], [])
    expect(kernel.sets()["KUBE-HEALTH-CHECK-NODE-PORT"]).toEqual(["30000", "30001"])
    expect(chain(kernel.ruleset, "nat", "KUBE-NODE-PORT")).toEqual(["RETURN KUBE-NODE-PORT-LOCAL-TCP", "KUBE-MARK-MASQ KUBE-NODE-PORT-TCP"])
    expect(chain(kernel.ruleset, "filter", "KUBE-NODE-PORT")).toEqual(["ACCEPT KUBE-HEALTH-CHECK-NODE-PORT"])
  })

  it("TestLoadBalancerSourceRanges: KUBE-LOAD-BALANCER-FW / -SOURCE-CIDR and the filter chains; the node (outside the range) is kept off the VIP", () => {
    const { proxier, kernel } = fakeIpvsProxier()
    const s = svc1({ type: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/8"], ports: [{ name: "p80", port: 80, protocol: "TCP" }] }, ["1.2.3.4"])
    startProxier(proxier, [s], [eps1([{ addresses: ["10.180.0.1"] }])])
    expect(kernel.state()).toEqual(["TCP 1.2.3.4:80 rr -> 10.180.0.1:80/1", "TCP 10.20.30.41:80 rr -> 10.180.0.1:80/1"])
    expect(kernel.sets()["KUBE-LOAD-BALANCER"]).toEqual(["1.2.3.4,tcp:80"])
    expect(kernel.sets()["KUBE-LOAD-BALANCER-FW"]).toEqual(["1.2.3.4,tcp:80"])
    expect(kernel.sets()["KUBE-LOAD-BALANCER-SOURCE-CIDR"]).toEqual(["1.2.3.4,tcp:80,10.0.0.0/8"])
    expect(chain(kernel.ruleset, "filter", "KUBE-PROXY-FIREWALL")).toEqual(["KUBE-SOURCE-RANGES-FIREWALL KUBE-LOAD-BALANCER-FW"])
    expect(chain(kernel.ruleset, "filter", "KUBE-SOURCE-RANGES-FIREWALL")).toEqual(["RETURN KUBE-LOAD-BALANCER-SOURCE-CIDR", "DROP"])
    expect(kernel.last).toContain("-A KUBE-IPVS-OUT-FILTER -s 1.2.3.4 -m ipvs --vaddr 1.2.3.4 --vproto tcp --vport 80 -j DROP\n")
  })

  it("TestAcceptIPVSTraffic: ClusterIP with externalIPs, LoadBalancer and NodePort Services → KUBE-SERVICES in upstream's order", () => {
    const { proxier, kernel } = fakeIpvsProxier()
    const port = [{ name: "p80", port: 80, protocol: "TCP" as const, nodePort: 80 }]
    startProxier(
      proxier,
      [
        service("ns1", "svc1", { type: "ClusterIP", clusterIP: "10.20.30.40", externalIPs: ["5.6.7.8"], ports: port }),
        service("ns1", "svc2", { type: "LoadBalancer", clusterIP: "10.20.30.41", ports: port }, ["1.2.3.4"]),
        service("ns1", "svc3", { type: "NodePort", clusterIP: "10.20.30.42", ports: port }),
      ],
      [],
    )
    expect(chain(kernel.ruleset, "nat", "KUBE-SERVICES")).toEqual([
      "RETURN",
      "KUBE-LOAD-BALANCER KUBE-LOAD-BALANCER",
      "KUBE-MARK-MASQ KUBE-CLUSTER-IP",
      "KUBE-MARK-MASQ KUBE-EXTERNAL-IP",
      "ACCEPT KUBE-EXTERNAL-IP",
      "ACCEPT KUBE-EXTERNAL-IP",
      "KUBE-NODE-PORT",
      "ACCEPT KUBE-CLUSTER-IP",
      "ACCEPT KUBE-LOAD-BALANCER",
    ])
    expect(kernel.last).toContain(
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT\n',
    )
  })

  it("TestOnlyLocalExternalIPs: the externalIP virtual server gets only the local endpoint; KUBE-EXTERNAL-IP-LOCAL", () => {
    const { proxier, kernel } = fakeIpvsProxier()
    const s = svc1({ type: "NodePort", externalTrafficPolicy: "Local", externalIPs: ["50.60.70.81", "2012::51", "127.0.0.1"], ports: [{ name: "p80", port: 80, protocol: "TCP" }] })
    startProxier(proxier, [s], [eps1([local("10.180.0.1"), remote("10.180.1.1")])])
    // ipvs filters out by IP family: 3 virtual servers (ClusterIP, 50.60.70.81, 127.0.0.1).
    expect(kernel.state()).toEqual([
      "TCP 10.20.30.41:80 rr -> 10.180.0.1:80/1 10.180.1.1:80/1",
      "TCP 127.0.0.1:80 rr -> 10.180.0.1:80/1",
      "TCP 50.60.70.81:80 rr -> 10.180.0.1:80/1",
    ])
    expect(kernel.sets()["KUBE-EXTERNAL-IP-LOCAL"]).toEqual(["127.0.0.1,tcp:80", "50.60.70.81,tcp:80"])
    expect(kernel.sets()["KUBE-EXTERNAL-IP"]).toBeUndefined()
  })

  it("TestSessionAffinity: ClientIP affinity makes every virtual server persistent for 10800 s", () => {
    const { proxier, kernel } = fakeIpvsProxier({}, ["100.101.102.103"])
    const s = svc1({
      type: "NodePort",
      externalIPs: ["50.60.70.81"],
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }],
    })
    startProxier(proxier, [s], [])
    expect(kernel.state()).toEqual([
      "TCP 10.20.30.41:80 rr persistent 10800 -> ",
      "TCP 100.101.102.103:3001 rr persistent 10800 -> ",
      "TCP 50.60.70.81:80 rr persistent 10800 -> ",
    ])
  })

  it("TestClusterIPNoEndpoint: a virtual server without real servers; KUBE-CLUSTER-IP still holds the address", () => {
    const { proxier, kernel } = fakeIpvsProxier()
    startProxier(proxier, [svc1({ ports: [{ name: "p80", port: 80, protocol: "TCP" }] })], [])
    expect(kernel.state()).toEqual(["TCP 10.20.30.41:80 rr -> "])
    expect(kernel.sets()["KUBE-CLUSTER-IP"]).toEqual(["10.20.30.41,tcp:80"])
  })

  it("SCTP NodePort: KUBE-NODE-PORT-SCTP-HASH holds node IP,sctp:port (hash:ip,port); no virtual server (the kernel model has TCP and UDP)", () => {
    const { proxier, kernel } = fakeIpvsProxier({}, ["100.101.102.103"])
    startProxier(proxier, [svc1({ type: "NodePort", ports: [{ name: "p80", port: 80, protocol: "SCTP", nodePort: 3001 }] })], [])
    expect(kernel.state()).toEqual([])
    expect(kernel.sets()["KUBE-NODE-PORT-SCTP-HASH"]).toEqual(["100.101.102.103,sctp:3001"])
    expect(kernel.sets()["KUBE-CLUSTER-IP"]).toEqual(["10.20.30.41,sctp:80"])
    expect(chain(kernel.ruleset, "nat", "KUBE-NODE-PORT")).toEqual(["KUBE-MARK-MASQ KUBE-NODE-PORT-SCTP-HASH"])
  })

  describe("TestTestInternalTrafficPolicyE2E", () => {
    const cases = [
      { name: "cluster with non-zero local endpoints", policy: "Cluster" as const, hosts: ["test-node", "host1", "host2"], loopBack: 1, rs: ["10.0.1.1:80/1", "10.0.1.2:80/1", "10.0.1.3:80/1"] },
      { name: "cluster with zero local endpoints", policy: "Cluster" as const, hosts: ["host0", "host1", "host2"], loopBack: 0, rs: ["10.0.1.1:80/1", "10.0.1.2:80/1", "10.0.1.3:80/1"] },
      { name: "local with non-zero local endpoints", policy: "Local" as const, hosts: ["test-node", "host1", "host2"], loopBack: 1, rs: ["10.0.1.1:80/1"] },
      { name: "local with zero local endpoints", policy: "Local" as const, hosts: ["host0", "host1", "host2"], loopBack: 0, rs: [] },
    ]
    for (const tc of cases) {
      it(`internalTrafficPolicy is ${tc.name}`, () => {
        const { proxier, kernel } = fakeIpvsProxier()
        const s = service("ns1", "svc1", { clusterIP: "172.20.1.1", internalTrafficPolicy: tc.policy, ports: [{ name: "", port: 80, protocol: "TCP" }] })
        const sl = slice("ns1", "svc1", 1, tc.hosts.map((h, i) => ({ addresses: [`10.0.1.${i + 1}`], nodeName: h, conditions: { ready: true } })), [{ name: "", port: 80 }])
        startProxier(proxier, [s], [sl])
        expect(kernel.sets()["KUBE-LOOP-BACK"]?.length ?? 0).toBe(tc.loopBack)
        expect(kernel.state()).toEqual([`TCP 172.20.1.1:80 rr -> ${tc.rs.join(" ")}`])
        // After the EndpointSlice is deleted: the virtual server stays, without real servers or loop-back entries.
        proxier.onEndpointSliceDelete(sl)
        proxier.syncProxyRules()
        expect(kernel.sets()["KUBE-LOOP-BACK"]).toBeUndefined()
        expect(kernel.state()).toEqual(["TCP 172.20.1.1:80 rr -> "])
      })
    }
  })

  describe("ready and terminating endpoints (Test_EndpointSlice*ReadyAndTerminating*)", () => {
    type Cond = { ready: boolean; serving: boolean; terminating: boolean }
    const C = (ready: boolean, serving: boolean, terminating: boolean): Cond => ({ ready, serving, terminating })
    const run = (policy: "Cluster" | "Local", eps: ReadonlyArray<readonly [string, Cond]>) => {
      const { proxier, kernel } = fakeIpvsProxier()
      const s = service("ns1", "svc1", { type: "NodePort", clusterIP: "172.20.1.1", externalTrafficPolicy: policy, internalTrafficPolicy: "Cluster", externalIPs: ["1.2.3.4"], ports: [{ name: "", port: 80, protocol: "TCP" }] })
      const sl = slice("ns1", "svc1", 1, eps.map(([host, c], i) => ({ addresses: [`10.0.1.${i + 1}`], nodeName: host, conditions: c })), [{ name: "", port: 80 }])
      startProxier(proxier, [s], [sl])
      const before = { state: kernel.state(), loopBack: kernel.sets()["KUBE-LOOP-BACK"] }
      proxier.onEndpointSliceDelete(sl)
      proxier.syncProxyRules()
      expect(kernel.state()).toEqual(["TCP 1.2.3.4:80 rr -> ", "TCP 172.20.1.1:80 rr -> "])
      expect(kernel.sets()["KUBE-LOOP-BACK"]).toBeUndefined()
      return before
    }
    const mixed = [
      ["test-node", C(true, true, false)],
      ["test-node", C(true, true, false)],
      ["test-node", C(false, true, true)],
      ["test-node", C(false, false, true)],
      ["another-host", C(true, true, false)],
    ] as const

    it("Test_EndpointSliceReadyAndTerminatingCluster: only the ready endpoints, cluster-wide; every local endpoint in KUBE-LOOP-BACK", () => {
      const r = run("Cluster", mixed)
      expect(r.loopBack).toEqual(["10.0.1.1,tcp:80,10.0.1.1", "10.0.1.2,tcp:80,10.0.1.2", "10.0.1.3,tcp:80,10.0.1.3", "10.0.1.4,tcp:80,10.0.1.4"])
      expect(r.state).toEqual(["TCP 1.2.3.4:80 rr -> 10.0.1.1:80/1 10.0.1.2:80/1 10.0.1.5:80/1", "TCP 172.20.1.1:80 rr -> 10.0.1.1:80/1 10.0.1.2:80/1 10.0.1.5:80/1"])
    })

    it("Test_EndpointSliceReadyAndTerminatingLocal: the externalIP takes the local ready endpoints only", () => {
      const r = run("Local", mixed)
      expect(r.loopBack?.length).toBe(4)
      expect(r.state).toEqual(["TCP 1.2.3.4:80 rr -> 10.0.1.1:80/1 10.0.1.2:80/1", "TCP 172.20.1.1:80 rr -> 10.0.1.1:80/1 10.0.1.2:80/1 10.0.1.5:80/1"])
    })

    it("Test_EndpointSliceOnlyReadyAndTerminatingCluster: no ready endpoint → the serving terminating ones, cluster-wide", () => {
      const r = run("Cluster", [
        ["test-node", C(false, true, true)],
        ["test-node", C(false, true, true)],
        ["test-node", C(false, false, true)],
        ["another-host", C(false, true, true)],
        ["another-host", C(false, false, false)],
      ])
      expect(r.loopBack?.length).toBe(3)
      expect(r.state).toEqual(["TCP 1.2.3.4:80 rr -> 10.0.1.1:80/1 10.0.1.2:80/1 10.0.1.4:80/1", "TCP 172.20.1.1:80 rr -> 10.0.1.1:80/1 10.0.1.2:80/1 10.0.1.4:80/1"])
    })
  })

  it("scheduler and masquerade variants: wrr from config; masqueradeAll; no local detector → src,dst", () => {
    const a = fakeIpvsProxier({ scheduler: "wrr", masqueradeAll: true })
    startProxier(a.proxier, [svc1({ ports: [{ name: "p80", port: 80, protocol: "TCP" }] })], [eps1([{ addresses: ["10.180.0.1"] }])])
    expect(a.kernel.state()).toEqual(["TCP 10.20.30.41:80 wrr -> 10.180.0.1:80/1"])
    expect(a.kernel.last).toContain('--match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ\n')
    const b = fakeIpvsProxier({ clusterCIDR: undefined })
    startProxier(b.proxier, [svc1({ ports: [{ name: "p80", port: 80, protocol: "TCP" }] })], [])
    expect(b.kernel.last).toContain('--match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ\n')
    const c = fakeIpvsProxier()
    startProxier(c.proxier, [svc1({ ports: [{ name: "p80", port: 80, protocol: "TCP" }] })], [])
    expect(c.kernel.last).toContain('--match-set KUBE-CLUSTER-IP dst,dst ! -s 10.0.0.0/24 -j KUBE-MARK-MASQ\n')
  })

  it("a scheduler the kernel model lacks, or a negative timeout, is a config error naming the field", () => {
    expect(() => fakeIpvsProxier({ scheduler: "mh" as never })).toThrow(/^ipvs\.scheduler: expected rr, wrr, lc or sh, got "mh"$/)
    expect(() => fakeIpvsProxier({ udpTimeout: -1 })).toThrow(/^ipvs\.udpTimeout: must not be negative/)
    // Empty is upstream's "not specified": rr.
    const { proxier, kernel } = fakeIpvsProxier({ scheduler: "" })
    startProxier(proxier, [svc1({ ports: [{ name: "p80", port: 80, protocol: "TCP" }] })], [])
    expect(kernel.state()).toEqual(["TCP 10.20.30.41:80 rr -> "])
  })
})
