import { describe, expect, test } from "vitest"
import { buildRunReport } from "../src/index"
import type { RequestRecord, RunRecord } from "../src/index"
import { Prng } from "./support/prng"

// externalTrafficPolicy done right: three pods on n1, one on n2, none on n3, behind a LoadBalancer Service. The
// LB spreads flows over the healthy nodes, each node over its own endpoints (Local) or over all (Cluster). The
// designed behaviour must pass the chi-square test, and the report must show whose source IP the backends saw.
const S = 1_000_000_000
const pods = [
  { endpoint: "10.244.1.2:80", pod: "web-a-1", node: "n1" },
  { endpoint: "10.244.1.3:80", pod: "web-a-2", node: "n1" },
  { endpoint: "10.244.1.4:80", pod: "web-a-3", node: "n1" },
  { endpoint: "10.244.2.2:80", pod: "web-b-1", node: "n2" },
]
const nodeIp: Record<string, string> = { n1: "172.18.0.3", n2: "172.18.0.4", n3: "172.18.0.5" }
const allShares = Object.fromEntries(pods.map((p) => [p.endpoint, 0.25]))

const run = (policy: "Local" | "Cluster", seed: number) => {
  const rng = new Prng(seed)
  const records: RunRecord[] = [
    { kind: "service", t: 0, service: "default/web", type: "LoadBalancer", clusterIP: "10.96.0.20", port: 80, protocol: "TCP", nodePort: 30080, sessionAffinity: "None", affinityTimeoutSeconds: null, externalTrafficPolicy: policy, internalTrafficPolicy: "Cluster", deleted: false },
    { kind: "endpoints", t: 0, service: "default/web", endpoints: pods.map((p) => ({ ...p, ready: true, serving: true, terminating: false })) },
    // the rules record gives the cluster-wide shares (the ClusterIP path) on every node
    ...["n1", "n2", "n3"].map((node): RunRecord => ({ kind: "rules", t: 1, node, mode: "iptables", full: true, services: 1, rules: 10, shares: { "default/web": allShares } }) as RunRecord),
  ]
  let id = 0
  const request = (client: number, dst: string, node: string | null, entry: string): RequestRecord | null => {
    const local = pods.filter((p) => p.node === entry)
    const choice = policy === "Local" ? (local.length === 0 ? null : local[rng.int(local.length)]!) : pods[rng.int(pods.length)]!
    id++
    const clientIp = `172.18.10.${client}`
    return {
      kind: "request", id, t: S + id * 10_000_000, end: S + id * 10_000_000 + 1_000_000, client: `ext-${client}`, clientIp, phase: null, service: "default/web",
      url: `http://${dst}/`, dst, node, endpoint: choice?.endpoint ?? null, pod: choice?.pod ?? null,
      sourceIp: choice === null ? null : policy === "Local" ? clientIp : nodeIp[entry]!, outcome: choice === null ? "failed" : "ok",
      cause: choice === null ? "timeout" : null, latency: choice === null ? null : 1_000_000, status: choice === null ? null : 200, connection: id,
    }
  }
  for (let i = 0; i < 3000; i++) {
    const client = 1 + rng.int(20)
    // LB: flows over healthy nodes (Local: n1 and n2, the nodes with a ready pod; Cluster: all three)
    const healthy = policy === "Local" ? ["n1", "n2"] : ["n1", "n2", "n3"]
    records.push(request(client, "172.18.255.200:80", null, healthy[rng.int(healthy.length)]!)!)
    // NodePort straight at n2 (one local pod) and n3 (none)
    if (i % 3 === 0) records.push(request(client, `${nodeIp["n2"]}:30080`, "n2", "n2")!)
    if (i % 3 === 1) records.push(request(client, `${nodeIp["n3"]}:30080`, "n3", "n3")!)
  }
  records.push({ kind: "run-end", t: 100 * S } as RunRecord)
  return buildRunReport({ meta: { scenario: "etp", variant: policy, seed, traceHash: "0" }, records }).services[0]!
}

describe("externalTrafficPolicy: expected shares per entry path", () => {
  test("Local: the lone pod on n2 is expected to take more than half (LB half + all NodePort-on-n2) and the designed split passes", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = run("Local", seed)
      const lone = s.endpoints.find((e) => e.pod === "web-b-1")!
      // LB: 1/2 · 1 = 1/2 of 3000, NodePort on n2: all 1000 (n3's are dropped, expected nowhere)
      expect(lone.expectedShare).toBeCloseTo((1500 + 1000) / 4000, 2)
      expect(s.chiSquare.pValue!).toBeGreaterThan(0.001)
      expect(s.unexpected).toBe(0)
      expect(s.jain!).toBeGreaterThan(0.95)
    }
  })
  test("Cluster: every entry spreads over all pods", () => {
    const s = run("Cluster", 1)
    for (const e of s.endpoints) expect(e.expectedShare).toBeCloseTo(0.25, 6)
    expect(s.chiSquare.pValue!).toBeGreaterThan(0.001)
  })
  test("the headline: Local keeps the clients' IPs, Cluster shows the backends the nodes' IPs", () => {
    const local = run("Local", 1).sourceIps
    expect(local.preserved).toBe(local.requests)
    expect(local.distinct).toBe(20)
    // numeric order: 172.18.10.2 before 172.18.10.10
    const ips = Object.keys(local.bySource)
    expect(ips.indexOf("172.18.10.2")).toBeLessThan(ips.indexOf("172.18.10.10"))
    const cluster = run("Cluster", 1).sourceIps
    expect(cluster.preserved).toBe(0)
    expect(Object.keys(cluster.bySource)).toEqual(["172.18.0.3", "172.18.0.4", "172.18.0.5"])
    expect(cluster.preservedShare!.high).toBeLessThan(0.01)
  })
})
