import { describe, expect, it } from "vitest"
import { conformanceCluster } from "../src/cluster/conformance-cluster"
import { STANDARD_SERVICES, STANDARD_TOPOLOGY, standardCluster } from "../src/cluster/standard-cluster"
import { KubesimPlane } from "../src/kubesim/kubesim-plane"
import { kubesimRuleSource } from "../src/kubesim/proxier-rule-source"
import { splitRuleArgs } from "../src/rules/node-rules"
import { serviceShares } from "../src/rules/service-shares"
import { countOutcomes } from "../src/traffic/request-outcome"
import { validateTopology } from "../src/topology/topology-spec"

// The kubesim half of the suite needs no root: these run everywhere and pin its behaviour down.

const loadedPlane = (seed: number) => {
  const cluster = standardCluster()
  const plane = new KubesimPlane(cluster.topology, seed)
  const proxies = cluster.topology.nodes.map((n) => [n.name, kubesimRuleSource(cluster, n.name)] as const)
  for (const [node, proxy] of proxies) plane.load(node, proxy.sync(cluster))
  return { cluster, plane, proxies }
}

describe("kubesim leg", () => {
  it("predicts the kernel's quantised shares from kubesim's Ruleset", () => {
    const { plane } = loadedPlane(1)
    const s3 = serviceShares(plane.fabric.ruleset("node-1"), "conformance/spread-3:http", STANDARD_TOPOLOGY)
    expect(s3.pods).toEqual(["web-1", "web-2", "web-3"])
    // kube-proxy writes 0.3333333333; iptables stores round(2^31 · 0.3333333333) = round(715827882.59…)
    // = 715827883, so the first endpoint gets 715827883 / 2^31, a little more than 1/3.
    expect(s3.shares[0]).toBe(715827883 / 2 ** 31)
    expect(s3.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    expect(() => serviceShares(plane.fabric.ruleset("node-1"), "conformance/empty:http", STANDARD_TOPOLOGY)).toThrow(
      /no KUBE-SERVICES rule to a KUBE-SVC chain/,
    )
  })

  it("serves, rejects, masquerades and preserves source IPs like the kernel does", () => {
    const { plane } = loadedPlane(7)
    const spread = countOutcomes(plane.requests("busybox", { host: "10.96.0.15", port: 80 }, [null], 100), [
      "web-1",
      "web-2",
      "web-3",
      "web-4",
      "web-5",
    ])
    expect(spread.errors.size).toBe(0)
    expect(spread.perPod.every((n) => n > 0)).toBe(true)
    const empty = plane.requests("busybox", { host: "10.96.0.30", port: 80 }, [null], 2)
    expect(empty.map((o) => ("error" in o ? o.error : o.pod))).toEqual(["ECONNREFUSED", "ECONNREFUSED"])
    const cluster = plane.requests("outside", { host: "10.0.0.10", port: 30080 }, ["10.0.0.101"], 20)
    expect(cluster.every((o) => "pod" in o && o.peer === "10.0.0.10")).toBe(true)
    const local = plane.requests("outside", { host: "10.0.0.11", port: 30081 }, ["10.0.0.105"], 5)
    expect(local.every((o) => "pod" in o && o.pod === "web-6" && o.peer === "10.0.0.105")).toBe(true)
  })

  it("is deterministic: the same seed gives the same outcomes", () => {
    const run = (seed: number) =>
      loadedPlane(seed).plane.requests("outside", { host: "10.96.0.13", port: 80 }, ["10.0.0.101", "10.0.0.102"], 40)
    expect(run(3)).toEqual(run(3))
  })

  it("keeps a held connection's endpoint across a sync that removes it", () => {
    const { plane, proxies } = loadedPlane(11)
    const first = plane.open("h", "busybox", { host: "10.96.0.50", port: 80 }, null)
    if (!("pod" in first)) throw new Error(`open failed: ${first.error}`)
    const remaining = ["web-1", "web-2"].filter((p) => p !== first.pod)
    const next = conformanceCluster(
      STANDARD_TOPOLOGY,
      "10.244.0.0/16",
      STANDARD_SERVICES.map((s) => (s.name === "held" ? { ...s, endpoints: remaining } : s)),
    )
    for (const [node, proxy] of proxies) plane.load(node, proxy.sync(next))
    expect(plane.again("h")).toMatchObject({ pod: first.pod })
    plane.close("h")
    const fresh = plane.requests("busybox", { host: "10.96.0.50", port: 80 }, [null], 10)
    expect(fresh.every((o) => "pod" in o && o.pod === remaining[0])).toBe(true)
  })
})

describe("topology and rule text", () => {
  it("rejects bad topologies naming the field", () => {
    const t = STANDARD_TOPOLOGY
    expect(() => validateTopology({ ...t, nodes: [{ ...t.nodes[0]!, ip: "10.0.0.1" }] })).toThrow(/nodes\[0\]\.ip.*first/)
    expect(() => validateTopology({ ...t, pods: [{ ...t.pods[0]!, node: "nope" }] })).toThrow(/pods\[0\]\.node: no node named "nope"/)
    expect(() => validateTopology({ ...t, lanCidr: "10.0.0.0/33" })).toThrow(/lanCidr.*not a CIDR/)
    expect(() => validateTopology({ ...t, pods: [t.pods[0]!, t.pods[0]!] })).toThrow(/used twice/)
    expect(() => validateTopology(t)).not.toThrow()
  })

  it("splits iptables arguments like a shell, keeping quoted comments whole", () => {
    expect(splitRuleArgs(`-m comment --comment "kubernetes service portals" -j KUBE-SERVICES`)).toEqual([
      "-m",
      "comment",
      "--comment",
      "kubernetes service portals",
      "-j",
      "KUBE-SERVICES",
    ])
  })
})
