import { describe, expect, it } from "vitest"
import type { EndpointSliceView, EndpointView, ServiceView } from "../api-view"
import type { IptablesProxierConfig } from "./config"
import { service, slice, startProxier } from "../test-support/fixtures"
import { netfilterProxier } from "../test-support/netfilter-node"
import { OVERALL_SERVICES, OVERALL_SLICES } from "../test-support/overall-fixture"
import { type PacketFlowTest, tracePacket } from "../test-support/packet-flow"

// Upstream's packet-flow tests of pkg/proxy/iptables/proxier_test.go, same inputs and expectations, with the
// payload (and the jump rules) landed in kubesim's netfilter and each packet judged by its evaluator.

// proxier_test.go conventions: testNodeIP, testNodeIPAlt, testExternalIP (the tracer's LOCAL addresses, with 127.0.0.1).
const testNodeIP = "192.168.0.2"
const testNodeIPAlt = "192.168.1.2"
const testExternalClient = "203.0.113.2"
const testExternalClientBlocked = "203.0.113.130"
const LOCAL_IPS = ["127.0.0.1", testNodeIP, testNodeIPAlt, "192.168.99.11"]

const sync = (services: ReadonlyArray<ServiceView>, slices: ReadonlyArray<EndpointSliceView>, overrides: Partial<IptablesProxierConfig> = {}) => {
  const p = netfilterProxier(overrides)
  startProxier(p.proxier, services, slices)
  return p
}

const runPacketFlowTests = (ruleset: Parameters<typeof tracePacket>[0], cases: ReadonlyArray<PacketFlowTest>): void => {
  const got = cases.map((tc) => ({ name: tc.name, ...tracePacket(ruleset, LOCAL_IPS, tc) }))
  expect(got).toEqual(cases.map((tc) => ({ name: tc.name, output: tc.output, masq: tc.masq ?? false })))
}

const p80 = [{ name: "p80", port: 80 }]

describe("TestTracePacket (on TestOverallIPTablesRules' rules)", () => {
  it("traces pod, node and external packets to endpoints, DROP, ACCEPT and REJECT", () => {
    const { sink } = sync(OVERALL_SERVICES, OVERALL_SLICES)
    runPacketFlowTests(sink.ruleset, [
      { name: "no match", sourceIP: "10.0.0.2", destIP: "10.0.0.3", destPort: 80, output: "" },
      { name: "single endpoint", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: "10.180.0.1:80" },
      { name: "multiple endpoints", sourceIP: "10.0.0.2", destIP: "172.30.0.44", destPort: 80, output: "10.180.0.4:80, 10.180.0.5:80" },
      { name: "LOCAL, KUBE-MARK-MASQ", sourceIP: testNodeIP, destIP: "192.168.99.22", destPort: 80, output: "10.180.0.2:80", masq: true },
      { name: "DROP", sourceIP: testExternalClient, destIP: "192.168.99.22", destPort: 80, output: "DROP" },
      { name: "ACCEPT (NodePortHealthCheck)", sourceIP: testNodeIP, destIP: testNodeIP, destPort: 30000, output: "ACCEPT" },
      { name: "REJECT", sourceIP: "10.0.0.2", destIP: "172.30.0.46", destPort: 80, output: "REJECT" },
    ])
  })
})

describe("TestNoEndpointsReject", () => {
  it("rejects connections to the ClusterIP, externalIPs, NodePort and LoadBalancer IP", () => {
    const svc = service(
      "ns1",
      "svc1",
      { type: "LoadBalancer", clusterIP: "172.30.0.41", externalIPs: ["192.168.99.11"], ports: [{ name: "p80", protocol: "TCP", port: 80, nodePort: 3001 }] },
      ["1.2.3.4"],
    )
    const { sink } = sync([svc], [])
    runPacketFlowTests(sink.ruleset, [
      { name: "pod to cluster IP with no endpoints", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: "REJECT" },
      { name: "external to external IP with no endpoints", sourceIP: testExternalClient, destIP: "192.168.99.11", destPort: 80, output: "REJECT" },
      { name: "pod to NodePort with no endpoints", sourceIP: "10.0.0.2", destIP: testNodeIP, destPort: 3001, output: "REJECT" },
      { name: "external to NodePort with no endpoints", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output: "REJECT" },
      { name: "pod to LoadBalancer IP with no endpoints", sourceIP: "10.0.0.2", destIP: "1.2.3.4", destPort: 80, output: "REJECT" },
      { name: "external to LoadBalancer IP with no endpoints", sourceIP: testExternalClient, destIP: "1.2.3.4", destPort: 80, output: "REJECT" },
    ])
  })
})

describe("TestClusterIPGeneral", () => {
  it("handles hairpins, several endpoints, targetPorts and one port number over TCP, UDP and SCTP", () => {
    const svc1 = service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "http", port: 80, protocol: "TCP" }] })
    const svc2 = service("ns2", "svc2", {
      clusterIP: "172.30.0.42",
      ports: [
        { name: "http", port: 80, protocol: "TCP" },
        { name: "https", port: 443, protocol: "TCP", targetPort: 8443 },
        { name: "dns-udp", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 5353 },
        { name: "dns-sctp", port: 53, protocol: "SCTP" },
      ],
    })
    const eps1 = slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"], nodeName: "test-node" }], [{ name: "http", port: 80 }])
    const eps2 = slice(
      "ns2",
      "svc2",
      1,
      [
        { addresses: ["10.180.0.1"], nodeName: "test-node" },
        { addresses: ["10.180.2.1"], nodeName: "node2" },
      ],
      [
        { name: "http", port: 80 },
        { name: "https", port: 8443 },
        { name: "dns-udp", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 5353 },
        { name: "dns-sctp", port: 53, protocol: "SCTP" },
      ],
    )
    const { sink } = sync([svc1, svc2], [eps1, eps2])
    runPacketFlowTests(sink.ruleset, [
      { name: "simple clusterIP", sourceIP: "10.180.0.2", destIP: "172.30.0.41", destPort: 80, output: "10.180.0.1:80" },
      { name: "hairpin to cluster IP", sourceIP: "10.180.0.1", destIP: "172.30.0.41", destPort: 80, output: "10.180.0.1:80", masq: true },
      { name: "clusterIP with multiple endpoints", sourceIP: "10.180.0.2", destIP: "172.30.0.42", destPort: 80, output: "10.180.0.1:80, 10.180.2.1:80" },
      { name: "clusterIP with TargetPort", sourceIP: "10.180.0.2", destIP: "172.30.0.42", destPort: 443, output: "10.180.0.1:8443, 10.180.2.1:8443" },
      { name: "same port (TCP)", sourceIP: "10.180.0.2", protocol: "TCP", destIP: "172.30.0.42", destPort: 53, output: "10.180.0.1:5353, 10.180.2.1:5353" },
      { name: "same port (UDP)", sourceIP: "10.180.0.2", protocol: "UDP", destIP: "172.30.0.42", destPort: 53, output: "10.180.0.1:53, 10.180.2.1:53" },
      { name: "same port (SCTP)", sourceIP: "10.180.0.2", protocol: "SCTP", destIP: "172.30.0.42", destPort: 53, output: "10.180.0.1:53, 10.180.2.1:53" },
      { name: "TCP-only port does not match UDP traffic", sourceIP: "10.180.0.2", protocol: "UDP", destIP: "172.30.0.42", destPort: 80, output: "" },
      { name: "svc1 does not accept svc2's ports", sourceIP: "10.180.0.2", destIP: "172.30.0.41", destPort: 443, output: "" },
    ])
  })
})

describe("TestLoadBalancer (loadBalancerSourceRanges)", () => {
  it("lets allowed sources, the node and NodePorts through KUBE-FW and drops the rest in KUBE-PROXY-FIREWALL", () => {
    const svc = service(
      "ns1",
      "svc1",
      {
        type: "LoadBalancer",
        clusterIP: "172.30.0.41",
        ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }],
        // Regression test upstream: excess whitespace is ignored.
        loadBalancerSourceRanges: ["192.168.0.0/24", " 203.0.113.0/25"],
      },
      ["1.2.3.4", "5.6.7.8"],
    )
    const { sink } = sync([svc], [slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }], p80)])
    const ep = "10.180.0.1:80"
    runPacketFlowTests(sink.ruleset, [
      { name: "pod to cluster IP", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: ep },
      { name: "external to nodePort", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output: ep, masq: true },
      { name: "nodePort bypasses LoadBalancerSourceRanges", sourceIP: testExternalClientBlocked, destIP: testNodeIP, destPort: 3001, output: ep, masq: true },
      { name: "accepted external to LB1", sourceIP: testExternalClient, destIP: "1.2.3.4", destPort: 80, output: ep, masq: true },
      { name: "accepted external to LB2", sourceIP: testExternalClient, destIP: "5.6.7.8", destPort: 80, output: ep, masq: true },
      { name: "blocked external to LB1", sourceIP: testExternalClientBlocked, destIP: "1.2.3.4", destPort: 80, output: "DROP" },
      { name: "blocked external to LB2", sourceIP: testExternalClientBlocked, destIP: "5.6.7.8", destPort: 80, output: "DROP" },
      { name: "pod to LB1 (blocked by LoadBalancerSourceRanges)", sourceIP: "10.0.0.2", destIP: "1.2.3.4", destPort: 80, output: "DROP" },
      { name: "pod to LB2 (blocked by LoadBalancerSourceRanges)", sourceIP: "10.0.0.2", destIP: "5.6.7.8", destPort: 80, output: "DROP" },
      { name: "node to LB1 (allowed by LoadBalancerSourceRanges)", sourceIP: testNodeIP, destIP: "1.2.3.4", destPort: 80, output: ep, masq: true },
      { name: "node to LB2 (allowed by LoadBalancerSourceRanges)", sourceIP: testNodeIP, destIP: "5.6.7.8", destPort: 80, output: ep, masq: true },
      { name: "same node to LB1, SNATted to LB1 (implicitly allowed)", sourceIP: "1.2.3.4", destIP: "1.2.3.4", destPort: 80, output: ep, masq: true },
      { name: "same node to LB2, SNATted to LB2 (implicitly allowed)", sourceIP: "5.6.7.8", destIP: "5.6.7.8", destPort: 80, output: ep, masq: true },
    ])
  })
})

describe("TestNodePorts (IPv4 cases)", () => {
  const svc = service("ns1", "svc1", { type: "NodePort", clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }] })
  const eps = slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }, { addresses: ["10.180.2.1"], nodeName: "test-node" }], p80)
  const output = "10.180.0.1:80, 10.180.2.1:80"
  const cases: ReadonlyArray<{ name: string; localhostNodePorts: boolean; nodePortAddresses?: string[]; allowAltNodeIP: boolean; expectFirewall: boolean }> = [
    { name: "ipv4, localhost-nodeports enabled", localhostNodePorts: true, allowAltNodeIP: true, expectFirewall: true },
    { name: "ipv4, localhost-nodeports disabled", localhostNodePorts: false, allowAltNodeIP: true, expectFirewall: false },
    {
      name: "ipv4, localhost-nodeports disabled, localhost in nodeport-addresses",
      localhostNodePorts: false,
      nodePortAddresses: ["192.168.0.0/24", "127.0.0.1/32"],
      allowAltNodeIP: false,
      expectFirewall: false,
    },
    {
      name: "ipv4, localhost-nodeports enabled, multiple nodeport-addresses",
      localhostNodePorts: false,
      nodePortAddresses: ["192.168.0.0/24", "192.168.1.0/24", "2001:db8::/64"],
      allowAltNodeIP: true,
      expectFirewall: false,
    },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      // nfacct off: kubesim's kernel has no nfacct (upstream's tracer skips the match; the generic rule serves).
      const { sink } = sync([svc], [eps], {
        nfacct: false,
        localhostNodePorts: tc.localhostNodePorts,
        ...(tc.nodePortAddresses === undefined ? {} : { nodePortAddresses: tc.nodePortAddresses }),
      })
      runPacketFlowTests(sink.ruleset, [
        { name: "pod to cluster IP", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output },
        { name: "external to nodePort", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output, masq: true },
        { name: "node to nodePort", sourceIP: testNodeIP, destIP: testNodeIP, destPort: 3001, output, masq: true },
        tc.localhostNodePorts
          ? { name: "localhost to nodePort gets masqueraded", sourceIP: "127.0.0.1", destIP: "127.0.0.1", destPort: 3001, output, masq: true }
          : { name: "localhost to nodePort is ignored", sourceIP: "127.0.0.1", destIP: "127.0.0.1", destPort: 3001, output: "" },
        tc.allowAltNodeIP
          ? { name: "external to nodePort on secondary IP", sourceIP: testExternalClient, destIP: testNodeIPAlt, destPort: 3001, output, masq: true }
          : { name: "secondary nodeIP ignores NodePorts", sourceIP: testExternalClient, destIP: testNodeIPAlt, destPort: 3001, output: "" },
      ])
      const firewall = sink.last.split("\n").filter((l) => l.startsWith("-A KUBE-FIREWALL "))
      expect(firewall).toEqual(
        tc.expectFirewall
          ? ['-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP']
          : [],
      )
    })
  }
})

describe("TestHealthCheckNodePort", () => {
  it("accepts the healthCheckNodePort whatever the endpoints, and stops once the Service is gone", () => {
    const svc = service("ns1", "svc1", {
      type: "LoadBalancer",
      clusterIP: "172.30.0.42",
      ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }],
      healthCheckNodePort: 30000,
      externalTrafficPolicy: "Local",
    })
    const { proxier, sink } = sync([svc], [], { nodePortAddresses: ["127.0.0.0/8"] })
    runPacketFlowTests(sink.ruleset, [
      { name: "firewall accepts HealthCheckNodePort", sourceIP: "1.2.3.4", destIP: testNodeIP, destPort: 30000, output: "ACCEPT" },
    ])
    proxier.onServiceDelete(svc)
    proxier.syncProxyRules()
    runPacketFlowTests(sink.ruleset, [
      { name: "HealthCheckNodePort no longer has any rule", sourceIP: "1.2.3.4", destIP: testNodeIP, destPort: 30000, output: "" },
    ])
  })
})

describe("externalTrafficPolicy", () => {
  const lbService = (policy: "Local" | "Cluster") =>
    service(
      "ns1",
      "svc1",
      {
        type: "LoadBalancer",
        externalTrafficPolicy: policy,
        clusterIP: "172.30.0.41",
        externalIPs: ["192.168.99.11"],
        ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001, targetPort: 80 }],
        ...(policy === "Local" ? { healthCheckNodePort: 30000 } : {}),
      },
      ["1.2.3.4"],
    )
  const endpoints: EndpointView[] = [{ addresses: ["10.180.0.1"] }, { addresses: ["10.180.2.1"], nodeName: "test-node" }]
  const both = "10.180.0.1:80, 10.180.2.1:80"

  it("TestExternalTrafficPolicyLocal: external traffic reaches only the local endpoint, unmasqueraded", () => {
    const { sink } = sync([lbService("Local")], [slice("ns1", "svc1", 1, endpoints, p80)])
    const local = "10.180.2.1:80"
    runPacketFlowTests(sink.ruleset, [
      { name: "pod to cluster IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: both },
      { name: "pod to external IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: "192.168.99.11", destPort: 80, output: both },
      { name: "external to external IP hits only local endpoint, unmasqueraded", sourceIP: testExternalClient, destIP: "192.168.99.11", destPort: 80, output: local },
      { name: "pod to LB IP hits only both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: "1.2.3.4", destPort: 80, output: both },
      { name: "external to LB IP hits only local endpoint, unmasqueraded", sourceIP: testExternalClient, destIP: "1.2.3.4", destPort: 80, output: local },
      { name: "pod to NodePort hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: testNodeIP, destPort: 3001, output: both },
      { name: "external to NodePort hits only local endpoint, unmasqueraded", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output: local },
    ])
  })

  it("TestExternalTrafficPolicyCluster: external traffic reaches every endpoint, masqueraded", () => {
    const { sink } = sync([lbService("Cluster")], [slice("ns1", "svc1", 1, endpoints, p80)])
    runPacketFlowTests(sink.ruleset, [
      { name: "pod to cluster IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: both },
      { name: "pod to external IP hits both endpoints, masqueraded", sourceIP: "10.0.0.2", destIP: "192.168.99.11", destPort: 80, output: both, masq: true },
      { name: "external to external IP hits both endpoints, masqueraded", sourceIP: testExternalClient, destIP: "192.168.99.11", destPort: 80, output: both, masq: true },
      { name: "pod to LB IP hits both endpoints, masqueraded", sourceIP: "10.0.0.2", destIP: "1.2.3.4", destPort: 80, output: both, masq: true },
      { name: "external to LB IP hits both endpoints, masqueraded", sourceIP: testExternalClient, destIP: "1.2.3.4", destPort: 80, output: both, masq: true },
      { name: "pod to NodePort hits both endpoints, masqueraded", sourceIP: "10.0.0.2", destIP: testNodeIP, destPort: 3001, output: both, masq: true },
      { name: "external to NodePort hits both endpoints, masqueraded", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output: both, masq: true },
    ])
  })
})

// After upstream's TestInternalTrafficPolicy: ClusterIP traffic with internalTrafficPolicy Local reaches only this
// node's endpoints (KUBE-SVL), and is dropped in filter KUBE-SERVICES ("has no local endpoints") when there are none.
describe("internalTrafficPolicy", () => {
  const svc = (policy: "Local" | "Cluster") =>
    service("ns1", "svc1", { clusterIP: "172.30.1.1", internalTrafficPolicy: policy, ports: [{ name: "", port: 80, protocol: "TCP" }] })
  const eps = (nodes: ReadonlyArray<string>) =>
    slice("ns1", "svc1", 1, nodes.map((n, i) => ({ addresses: [`10.0.1.${i + 1}`], nodeName: n })), [{ name: "", port: 80 }])
  const cases: ReadonlyArray<{ name: string; policy: "Local" | "Cluster"; nodes: string[]; output: string }> = [
    { name: "internalTrafficPolicy is cluster", policy: "Cluster", nodes: ["test-node", "host1", "host2"], output: "10.0.1.1:80, 10.0.1.2:80, 10.0.1.3:80" },
    { name: "local, one local endpoint", policy: "Local", nodes: ["test-node", "host1", "host2"], output: "10.0.1.1:80" },
    { name: "local, multiple local endpoints", policy: "Local", nodes: ["test-node", "test-node", "host2"], output: "10.0.1.1:80, 10.0.1.2:80" },
    { name: "local, no local endpoints", policy: "Local", nodes: ["host0", "host1", "host2"], output: "DROP" },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      const { sink } = sync([svc(tc.policy)], [eps(tc.nodes)])
      runPacketFlowTests(sink.ruleset, [{ name: "pod to ClusterIP", sourceIP: "10.0.0.2", destIP: "172.30.1.1", destPort: 80, output: tc.output }])
      if (tc.output === "DROP") expect(sink.last).toContain('-A KUBE-SERVICES -m comment --comment "ns1/svc1 has no local endpoints" -m tcp -p tcp -d 172.30.1.1 --dport 80 -j DROP\n')
    })
  }
})
