import { describe, expect, it } from "vitest"
import { CT_NEW, evaluateHook, evaluateNftChain, formatIpv4, packetMeta, parseIpv4, RecentTables } from "../../../net/index"
import { service, slice, startProxier } from "../test-support/fixtures"
import { netfilterProxier, scriptedRng } from "../test-support/netfilter-node"
import { fakeNftProxier } from "../test-support/nft-node"
import { fakeIpvsProxier } from "../test-support/ipvs-node"

// The first packet's cost per mode (packages/core/src/k8s/proxy/README.md, "Cost per mode"): iptables walks
// KUBE-SERVICES rule by rule (kubernetes.io blog 2025-02-28 "NFTables mode for kube-proxy"), nftables looks the
// destination up in one verdict map. Counted as the evaluator counts rules: the same count the kernel walks.
const world = (n: number) => {
  const services = Array.from({ length: n }, (_, i) =>
    service(`ns${i}`, `svc${i}`, { clusterIP: `172.30.${i >> 8}.${i & 255}`, ports: [{ name: "p80", port: 80, protocol: "TCP" }] }),
  )
  const slices = Array.from({ length: n }, (_, i) => slice(`ns${i}`, `svc${i}`, 1, [{ addresses: [`10.1.${i >> 8}.${i & 255}`] }], [{ name: "p80", port: 80 }]))
  return { services, slices, last: `172.30.${(n - 1) >> 8}.${(n - 1) & 255}` }
}

const iptablesCost = (n: number): number => {
  const w = world(n)
  const { proxier, sink } = netfilterProxier()
  startProxier(proxier, w.services, w.slices)
  const pkt = packetMeta({ src: parseIpv4("10.0.0.2"), dst: parseIpv4(w.last), dport: 80, ctState: CT_NEW })
  // Linear evaluation: the count equals what the compiled fast path reports (netfilter README).
  const v = evaluateHook(sink.ruleset, "nat", "PREROUTING", pkt, { now: 0, rng: scriptedRng().script([], 0), isLocal: () => false, recent: new RecentTables(), linear: true })
  return v.rulesEvaluated
}

const nftablesCost = (n: number): number => {
  const w = world(n)
  const { proxier, sink } = fakeNftProxier()
  startProxier(proxier, w.services, w.slices)
  const t = sink.ruleset.table("kube-proxy")!
  const pkt = packetMeta({ src: parseIpv4("10.0.0.2"), dst: parseIpv4(w.last), dport: 80, ctState: CT_NEW })
  return evaluateNftChain(t, t.chains.get("nat-prerouting")!, pkt, { now: 0, rng: scriptedRng().script([], 0), isLocal: () => false }).rulesEvaluated
}

/** IPVS mode: the iptables rules a new connection walks (nat PREROUTING, filter INPUT) before ip_vs_in's hash lookup. */
const ipvsCost = (n: number): number => {
  const w = world(n)
  const { proxier, kernel } = fakeIpvsProxier()
  startProxier(proxier, w.services, w.slices)
  const pkt = packetMeta({ src: parseIpv4("10.0.0.2"), dst: parseIpv4(w.last), dport: 80, ctState: CT_NEW })
  const ctx = { now: 0, rng: scriptedRng().script([], 0), isLocal: (ip: number) => kernel.dummy.has(formatIpv4(ip)), recent: new RecentTables(), ipsets: kernel.ipsets, linear: true }
  const nat = evaluateHook(kernel.ruleset, "nat", "PREROUTING", pkt, ctx)
  const filter = evaluateHook(kernel.ruleset, "filter", "INPUT", pkt, ctx)
  expect(filter.verdict).toBe("ACCEPT")
  // ip_vs_in then finds the virtual service by a hash lookup.
  expect(kernel.ipvs.getService("TCP", parseIpv4(w.last), 80)).not.toBeNull()
  return nat.rulesEvaluated + filter.rulesEvaluated
}

describe("first-packet cost per mode", () => {
  it("iptables: grows by one rule per Service ahead in KUBE-SERVICES; nftables: the same few rules at any size", () => {
    const sizes = [10, 100, 1000]
    const ipt = sizes.map(iptablesCost)
    const nft = sizes.map(nftablesCost)
    // The last Service's KUBE-SERVICES rule comes after the n − 1 before it.
    expect(ipt[1]! - ipt[0]!).toBe(90)
    expect(ipt[2]! - ipt[1]!).toBe(900)
    // nat-prerouting's jump, the services vmap, the service chain (masquerade check, numgen vmap), the endpoint chain.
    expect(nft).toEqual([6, 6, 6])
  })

  it("IPVS: the same iptables rules at any size (ipset lookups), then one hash lookup of the virtual service", () => {
    const costs = [10, 100, 1000].map(ipvsCost)
    // nat (5): PREROUTING's jump; KUBE-SERVICES' 127/8 RETURN, KUBE-CLUSTER-IP masquerade check (the source is in
    // the cluster CIDR), the LOCAL jump to the empty KUBE-NODE-PORT, the KUBE-CLUSTER-IP ACCEPT. filter INPUT (6):
    // its three jumps, KUBE-IPVS-FILTER's KUBE-LOAD-BALANCER and KUBE-CLUSTER-IP RETURNs, KUBE-NODE-PORT's rule.
    expect(costs[1]).toBe(costs[0])
    expect(costs[2]).toBe(costs[0])
    expect(costs[0]).toBe(11)
  })
})
