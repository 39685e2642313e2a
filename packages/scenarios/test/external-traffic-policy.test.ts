import type { records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { loadBuiltinScenario, runScenario } from "../src/index"
import { runBuiltin } from "./library-support"

const NODE_IPS = ["172.18.0.3", "172.18.0.4", "172.18.0.5"]

/** Requests of one client (its hosts are `<client>-<k>`) that ended, i.e. not still in flight at the end. */
const ended = (r: { records: ReadonlyArray<records.RunRecord> }, client: string) =>
  r.records.filter((x): x is records.RequestRecord => x.kind === "request" && x.client.startsWith(`${client}-`) && x.outcome !== "in-flight")

/** Share of each pod (web-a pods by their own name, web-b's one pod as "b") among answered requests. */
const shares = (reqs: ReadonlyArray<records.RequestRecord>): Map<string, number> => {
  const m = new Map<string, number>()
  for (const x of reqs) if (x.pod !== null) m.set(x.pod, (m.get(x.pod) ?? 0) + 1)
  return new Map([...m].sort().map(([k, v]) => [k.startsWith("web-b-") ? "b" : k, v / reqs.length]))
}

describe("external-traffic-policy: three pods on kind-worker, one on kind-worker2, none on kind-worker3", () => {
  const cluster = runBuiltin("external-traffic-policy")
  const local = runScenario(loadBuiltinScenario("external-traffic-policy"), { seed: 1, variant: "local" })

  test("Cluster: behind the LB every node forwards to every pod (even load) and the backends see the entry node's IP (SNAT)", () => {
    const ext = ended(cluster, "ext")
    expect(ext.length).toBeGreaterThan(400)
    expect(ext.every((x) => x.outcome === "ok")).toBe(true)
    for (const x of ext) expect(NODE_IPS).toContain(x.sourceIp)
    // The pass-through LB spreads over all three nodes, kind-worker3 (no pod) included.
    expect(new Set(ext.map((x) => x.sourceIp)).size).toBe(3)
    const s = shares(ext)
    expect(s.size).toBe(4)
    for (const v of s.values()) expect(v).toBeGreaterThan(0.15) // 1/4 each; n ≈ 480 gives sd ≈ 0.02
    for (const v of s.values()) expect(v).toBeLessThan(0.35)
  })

  test("Cluster: NodePort on any node reaches all pods, SNATed to that node; kind-worker3 without a pod forwards too", () => {
    for (const [client, ip] of [["np2", "172.18.0.4"], ["np3", "172.18.0.5"]] as const) {
      const reqs = ended(cluster, client)
      expect(reqs.length).toBeGreaterThan(50)
      expect(reqs.every((x) => x.outcome === "ok" && x.sourceIp === ip)).toBe(true)
      expect(shares(reqs).size).toBe(4)
    }
  })

  test("Local: behind the LB the backends see the clients' own IPs; the lone pod on kind-worker2 takes half", () => {
    const ext = ended(local, "ext")
    expect(ext.length).toBeGreaterThan(400)
    expect(ext.every((x) => x.outcome === "ok" && x.sourceIp === x.clientIp)).toBe(true)
    expect(new Set(ext.map((x) => x.clientIp)).size).toBe(20)
    // Health checks leave kind-worker3 out: the LB splits between the two nodes with pods, each node keeps its share.
    const s = shares(ext)
    expect(s.get("b")).toBeGreaterThan(0.4)
    expect(s.get("b")).toBeLessThan(0.6)
    for (const [k, v] of s) if (k !== "b") expect(v).toBeLessThan(0.25) // 1/6 each
  })

  test("Local: NodePort keeps the client IP and only reaches local pods; through kind-worker3 (no pod) it is dropped", () => {
    const np2 = ended(local, "np2")
    expect(np2.length).toBeGreaterThan(50)
    expect(np2.every((x) => x.outcome === "ok" && x.sourceIp === x.clientIp && x.pod?.startsWith("web-b-") === true)).toBe(true)
    const np3 = ended(local, "np3")
    expect(np3.length).toBeGreaterThan(30)
    expect(np3.every((x) => x.outcome === "failed" && x.cause === "timeout")).toBe(true)
  })
})
