import { describe, expect, it } from "vitest"
import type { EndpointSliceView, ServiceView } from "../api-view"
import { service, slice, startProxier } from "../test-support/fixtures"
import { fakeNftProxier } from "../test-support/nft-node"
import { traceNftPacket } from "../test-support/nft-packet-flow"
import type { PacketFlowTest } from "../test-support/packet-flow"
import type { NftablesProxierConfig } from "./nftables-proxier"

// Upstream's packet-flow tests of pkg/proxy/nftables/proxier_test.go, same inputs and expectations, with the
// transaction applied to kubesim's nftables and each packet judged by its evaluator.

const testNodeIP = "192.168.0.2"
const testNodeIPAlt = "192.168.1.2"
const testExternalIP = "192.168.99.11"
const testExternalClient = "203.0.113.2"
const testExternalClientBlocked = "203.0.113.130"
const testNodeIPs = [testNodeIP, testNodeIPAlt, testExternalIP]

const sync = (services: ReadonlyArray<ServiceView>, slices: ReadonlyArray<EndpointSliceView>, overrides: Partial<NftablesProxierConfig> = {}) => {
  const p = fakeNftProxier(overrides)
  startProxier(p.proxier, services, slices)
  return p
}

const run = (services: ReadonlyArray<ServiceView>, slices: ReadonlyArray<EndpointSliceView>, cases: ReadonlyArray<PacketFlowTest>, overrides: Partial<NftablesProxierConfig> = {}): void => {
  const { sink } = sync(services, slices, overrides)
  const got = cases.map((tc) => ({ name: tc.name, ...traceNftPacket(sink.ruleset, testNodeIPs, tc) }))
  expect(got).toEqual(cases.map((tc) => ({ name: tc.name, output: tc.output, masq: tc.masq ?? false })))
}

const p80 = [{ name: "p80", port: 80 }]

describe("TestNoEndpointsReject", () => {
  it("rejects connections to the ClusterIP, externalIPs, NodePort and LoadBalancer IP", () => {
    const svc = service("ns1", "svc1", { type: "LoadBalancer", clusterIP: "172.30.0.41", externalIPs: [testExternalIP], ports: [{ name: "p80", protocol: "TCP", port: 80, nodePort: 3001 }] }, ["1.2.3.4"])
    run([svc], [], [
      { name: "pod to cluster IP with no endpoints", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: "REJECT" },
      { name: "external to external IP with no endpoints", sourceIP: testExternalClient, destIP: testExternalIP, destPort: 80, output: "REJECT" },
      { name: "pod to NodePort with no endpoints", sourceIP: "10.0.0.2", destIP: testNodeIP, destPort: 3001, output: "REJECT" },
      { name: "external to NodePort with no endpoints", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output: "REJECT" },
      { name: "pod to LoadBalancer IP with no endpoints", sourceIP: "10.0.0.2", destIP: "1.2.3.4", destPort: 80, output: "REJECT" },
      { name: "external to LoadBalancer IP with no endpoints", sourceIP: testExternalClient, destIP: "1.2.3.4", destPort: 80, output: "REJECT" },
    ])
  })
})

describe("TestClusterIPGeneral", () => {
  it("routes by address, port and protocol, rejects wrong ports and drops unallocated ClusterIPs", () => {
    const svcs = [
      service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "http", port: 80, protocol: "TCP" }] }),
      service("ns2", "svc2", {
        clusterIP: "172.30.0.42",
        ports: [
          { name: "http", port: 80, protocol: "TCP" },
          { name: "https", port: 443, protocol: "TCP", targetPort: 8443 },
          { name: "dns-udp", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 5353 },
          { name: "dns-sctp", port: 53, protocol: "SCTP" },
        ],
      }),
    ]
    const slices = [
      slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"], nodeName: "test-node" }], [{ name: "http", port: 80 }]),
      slice("ns2", "svc2", 1, [{ addresses: ["10.180.0.1"], nodeName: "test-node" }, { addresses: ["10.180.2.1"], nodeName: "node2" }], [
        { name: "http", port: 80 },
        { name: "https", port: 8443 },
        { name: "dns-udp", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 5353 },
        { name: "dns-sctp", port: 53, protocol: "SCTP" },
      ]),
    ]
    run(svcs, slices, [
      { name: "simple clusterIP", sourceIP: "10.180.0.2", destIP: "172.30.0.41", destPort: 80, output: "10.180.0.1:80" },
      { name: "hairpin to cluster IP", sourceIP: "10.180.0.1", destIP: "172.30.0.41", destPort: 80, output: "10.180.0.1:80", masq: true },
      { name: "clusterIP with multiple endpoints", sourceIP: "10.180.0.2", destIP: "172.30.0.42", destPort: 80, output: "10.180.0.1:80, 10.180.2.1:80" },
      { name: "clusterIP with TargetPort", sourceIP: "10.180.0.2", destIP: "172.30.0.42", destPort: 443, output: "10.180.0.1:8443, 10.180.2.1:8443" },
      { name: "clusterIP with TCP, UDP, and SCTP on same port (TCP)", sourceIP: "10.180.0.2", protocol: "TCP", destIP: "172.30.0.42", destPort: 53, output: "10.180.0.1:5353, 10.180.2.1:5353" },
      { name: "clusterIP with TCP, UDP, and SCTP on same port (UDP)", sourceIP: "10.180.0.2", protocol: "UDP", destIP: "172.30.0.42", destPort: 53, output: "10.180.0.1:53, 10.180.2.1:53" },
      { name: "clusterIP with TCP, UDP, and SCTP on same port (SCTP)", sourceIP: "10.180.0.2", protocol: "SCTP", destIP: "172.30.0.42", destPort: 53, output: "10.180.0.1:53, 10.180.2.1:53" },
      { name: "TCP-only port does not match UDP traffic", sourceIP: "10.180.0.2", protocol: "UDP", destIP: "172.30.0.42", destPort: 80, output: "REJECT" },
      { name: "svc1 does not accept svc2's ports", sourceIP: "10.180.0.2", destIP: "172.30.0.41", destPort: 443, output: "REJECT" },
      { name: "packet to unallocated cluster ip", sourceIP: "10.180.0.2", destIP: "172.30.0.50", destPort: 80, output: "DROP" },
    ])
  })
})

describe("TestLoadBalancer", () => {
  it("applies loadBalancerSourceRanges to LB IPs (not NodePorts), allowing the node and its SNAT to the VIP", () => {
    const svc = service(
      "ns1",
      "svc1",
      { type: "LoadBalancer", clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }], loadBalancerSourceRanges: ["192.168.0.0/24", " 203.0.113.0/25"] },
      ["1.2.3.4", "5.6.7.8"],
    )
    const ep = "10.180.0.1:80"
    run([svc], [slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }], p80)], [
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

describe("TestNodePorts", () => {
  const svc = service("ns1", "svc1", { type: "NodePort", clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }] })
  const eps = [slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }, { addresses: ["10.180.2.1"], nodeName: "test-node" }], p80)]
  const output = "10.180.0.1:80, 10.180.2.1:80"
  const basic: PacketFlowTest[] = [
    { name: "pod to cluster IP", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output },
    { name: "external to nodePort", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output, masq: true },
    { name: "node to nodePort", sourceIP: testNodeIP, destIP: testNodeIP, destPort: 3001, output, masq: true },
  ]
  it("ipv4: NodePorts only on the node IP of --nodeport-addresses", () => {
    run([svc], eps, [...basic, { name: "secondary nodeIP ignores NodePorts", sourceIP: testExternalClient, destIP: testNodeIPAlt, destPort: 3001, output: "" }])
  })
  it("ipv4, multiple nodeport-addresses", () => {
    run([svc], eps, [...basic, { name: "external to nodePort on secondary IP", sourceIP: testExternalClient, destIP: testNodeIPAlt, destPort: 3001, output, masq: true }], {
      nodePortAddresses: ["192.168.0.0/24", "192.168.1.0/24", "2001:db8::/64"],
    })
  })
})

const lbService = (etp: "Local" | "Cluster") =>
  service(
    "ns1",
    "svc1",
    { type: "LoadBalancer", externalTrafficPolicy: etp, clusterIP: "172.30.0.41", externalIPs: [testExternalIP], ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001, targetPort: 80 }], healthCheckNodePort: 30000 },
    ["1.2.3.4"],
  )
const twoEndpoints = [slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }, { addresses: ["10.180.2.1"], nodeName: "test-node" }], p80)]
const both = "10.180.0.1:80, 10.180.2.1:80"

describe("TestExternalTrafficPolicyLocal", () => {
  it("keeps client IPs: external traffic to local endpoints only, pod traffic short-circuited to all", () => {
    run([lbService("Local")], twoEndpoints, [
      { name: "pod to cluster IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: both },
      { name: "pod to external IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: testExternalIP, destPort: 80, output: both },
      { name: "external to external IP hits only local endpoint, unmasqueraded", sourceIP: testExternalClient, destIP: testExternalIP, destPort: 80, output: "10.180.2.1:80" },
      { name: "pod to LB IP hits only both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: "1.2.3.4", destPort: 80, output: both },
      { name: "external to LB IP hits only local endpoint, unmasqueraded", sourceIP: testExternalClient, destIP: "1.2.3.4", destPort: 80, output: "10.180.2.1:80" },
      { name: "pod to NodePort hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: testNodeIP, destPort: 3001, output: both },
      { name: "external to NodePort hits only local endpoint, unmasqueraded", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output: "10.180.2.1:80" },
    ])
  })
})

describe("TestExternalTrafficPolicyCluster", () => {
  it("masquerades everything external, from pods too", () => {
    run([lbService("Cluster")], twoEndpoints, [
      { name: "pod to cluster IP hits both endpoints, unmasqueraded", sourceIP: "10.0.0.2", destIP: "172.30.0.41", destPort: 80, output: both },
      { name: "pod to external IP hits both endpoints, masqueraded", sourceIP: "10.0.0.2", destIP: testExternalIP, destPort: 80, output: both, masq: true },
      { name: "external to external IP hits both endpoints, masqueraded", sourceIP: testExternalClient, destIP: testExternalIP, destPort: 80, output: both, masq: true },
      { name: "pod to LB IP hits both endpoints, masqueraded", sourceIP: "10.0.0.2", destIP: "1.2.3.4", destPort: 80, output: both, masq: true },
      { name: "external to LB IP hits both endpoints, masqueraded", sourceIP: testExternalClient, destIP: "1.2.3.4", destPort: 80, output: both, masq: true },
      { name: "pod to NodePort hits both endpoints, masqueraded", sourceIP: "10.0.0.2", destIP: testNodeIP, destPort: 3001, output: both, masq: true },
      { name: "external to NodePort hits both endpoints, masqueraded", sourceIP: testExternalClient, destIP: testNodeIP, destPort: 3001, output: both, masq: true },
    ])
  })
})
