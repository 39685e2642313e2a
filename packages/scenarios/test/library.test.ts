import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { LIBRARY_DIR, builtinScenarioNames, loadBuiltinScenario, runScenario } from "../src/index"
import { runBuiltin } from "./library-support"

const names = builtinScenarioNames()
/**
 * Too big for the 15-minute suite at full size (1,000 nodes, 20,000 pods: minutes and GBs, see README's
 * Performance): its determinism and golden summary are checked on its `smoke` variant below instead.
 */
const FULL_SIZE_ONLY_BY_HAND = new Set(["large-cluster"])

describe("the built-in library", () => {
  test("has the built-in scenarios, each with a README paragraph", () => {
    expect(names).toEqual([
      "affinity-timeout",
      "affinity-under-churn",
      "dns-ndots",
      "external-traffic-policy",
      "keepalive-imbalance",
      "large-cluster",
      "node-failure",
      "pod-churn",
      "proxy-modes",
      "rolling-update",
      "seed-walkthrough",
      "topology-zones",
    ])
    for (const n of names) expect(readFileSync(join(LIBRARY_DIR, n, "README.md"), "utf8")).toMatch(/\*\*Question:\*\* /)
  })

  test.each(names.filter((n) => !FULL_SIZE_ONLY_BY_HAND.has(n)))("%s: deterministic (byte-identical records and trace hash), requests conserved, golden summary", (name) => {
    const a = runBuiltin(name)
    const b = runScenario(loadBuiltinScenario(name), { seed: 1 })
    expect([...b.recordsChunks].join("")).toBe([...a.recordsChunks].join(""))
    expect(b.traceHash).toBe(a.traceHash)
    expect(a.traceHash).toMatch(/^[0-9a-f]{16}$/)
    // The records parse back under the contract, end with run-end, and every issued request has exactly one
    // record: ids are 1..n in issue order, so issued = ok + failed (by cause) + in flight.
    const recs = records.parseRecords([...a.recordsChunks].join(""), "records.jsonl")
    expect(recs.at(-1)).toMatchObject({ kind: "run-end", traceHash: a.traceHash, events: a.events })
    const reqs = recs.filter((r): r is records.RequestRecord => r.kind === "request")
    const ids = reqs.map((r) => r.id).sort((x, y) => x - y)
    expect(ids).toEqual(ids.map((_, i) => i + 1))
    expect(reqs.length).toBeGreaterThan(0)
    const ok = reqs.filter((r) => r.outcome === "ok").length
    const failed = reqs.filter((r) => r.outcome === "failed")
    const inFlight = reqs.filter((r) => r.outcome === "in-flight").length
    expect(ok + failed.length + inFlight).toBe(reqs.length)
    for (const f of failed) expect(f.cause).not.toBeNull()
    expect(a.runJson).toMatchObject({ scenario: name, variant: "default", seed: 1, traceHash: a.traceHash })
    const golden = join(LIBRARY_DIR, name, "summary.seed-1.md")
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, a.summary)
    expect(a.summary).toBe(readFileSync(golden, "utf8"))
  })
})

describe("large-cluster", () => {
  test("the smoke variant (10 nodes, 20 Services, the same timeline) is deterministic, serves its traffic through the churn, golden summary", () => {
    const a = runScenario(loadBuiltinScenario("large-cluster"), { seed: 1, variant: "smoke" })
    const b = runScenario(loadBuiltinScenario("large-cluster"), { seed: 1, variant: "smoke" })
    expect(b.traceHash).toBe(a.traceHash)
    expect([...b.recordsChunks].join("")).toBe([...a.recordsChunks].join(""))
    const reqs = a.records.filter((r): r is records.RequestRecord => r.kind === "request")
    expect(reqs.length).toBeGreaterThan(4000)
    expect(reqs.filter((r) => r.outcome === "ok").length / reqs.length).toBeGreaterThan(0.9)
    expect(a.records.some((r) => r.kind === "action" && r.verb === "delete" && r.actor === "scenario")).toBe(true)
    const golden = join(LIBRARY_DIR, "large-cluster", "summary.smoke.seed-1.md")
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, a.summary)
    expect(a.summary).toBe(readFileSync(golden, "utf8"))
  })

  test("the full scenario asks for 1,000 nodes, 2,000 Services and 20,000 pods", () => {
    const text = readFileSync(join(LIBRARY_DIR, "large-cluster", "manifests", "services.yaml"), "utf8")
    expect(loadBuiltinScenario("large-cluster").scenario.cluster?.nodes).toBe(1000)
    expect(text.match(/kind: Service,/g)?.length).toBe(2000)
    expect(text.match(/replicas: 10,/g)?.length).toBe(2000)
  })
})

/** Upper tail of the chi-square distribution with 2 degrees of freedom: exactly exp(−x/2). */
const chiSquareP2 = (counts: ReadonlyArray<number>): number => {
  const n = counts.reduce((s, c) => s + c, 0)
  const e = n / counts.length
  return Math.exp(-counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0) / 2)
}

describe("seed-walkthrough", () => {
  const r = runBuiltin("seed-walkthrough")
  const reqs = r.records.filter((x): x is records.RequestRecord => x.kind === "request" && x.client === "busybox")
  const phases = r.records.filter((x): x is records.PhaseRecord => x.kind === "phase").map((p) => p.name)

  test("the five steps run in order as labelled phases", () => {
    expect(phases).toEqual(["1-deploy", "2-busybox", "3-clusterip-spread", "4-client-ip-affinity", "5-nodeport-loadbalancer-externalname"])
  })

  test("ClusterIP: ≥ 300 requests of the busybox loop spread over the 3 pods consistently with uniform (chi-square)", () => {
    const spread = reqs.filter((x) => x.phase === "3-clusterip-spread")
    expect(spread.length).toBeGreaterThanOrEqual(300)
    expect(spread.every((x) => x.outcome === "ok" && x.service === "default/web-service")).toBe(true)
    const pods = [...new Set(spread.map((x) => x.pod))].sort()
    expect(pods).toHaveLength(3)
    const counts = pods.map((p) => spread.filter((x) => x.pod === p).length)
    expect(chiSquareP2(counts)).toBeGreaterThan(0.001)
  })

  test("ClientIP affinity: once the rules are synced, every request of the busybox pod reaches one pod", () => {
    const start = r.records.find((x): x is records.PhaseRecord => x.kind === "phase" && x.name === "4-client-ip-affinity")?.t as number
    const synced = r.records.find((x): x is records.RulesRecord => x.kind === "rules" && x.t >= start)?.t as number
    expect(synced).toBeDefined()
    const sticky = reqs.filter((x) => x.phase === "4-client-ip-affinity" && x.t > synced)
    expect(sticky.length).toBeGreaterThan(100)
    expect(new Set(sticky.map((x) => x.pod)).size).toBe(1)
  })

  test("the LoadBalancer answers the external clients", () => {
    const ext = r.records.filter((x): x is records.RequestRecord => x.kind === "request" && x.client.startsWith("ext-"))
    expect(ext.length).toBeGreaterThan(50)
    expect(ext.every((x) => x.outcome === "ok" && x.service === "default/web-service-lb:webserver")).toBe(true)
    expect(new Set(ext.map((x) => x.clientIp)).size).toBe(4)
  })
})

test("the seed-walkthrough manifests are the seed's, byte for byte (when ../shared is beside the clone)", () => {
  const seed = "/work/shared/seed/manifests"
  let files: string[]
  try {
    files = readdirSync(seed).sort()
  } catch {
    return
  }
  for (const f of files) expect(readFileSync(join(LIBRARY_DIR, "seed-walkthrough", "manifests", f), "utf8")).toBe(readFileSync(join(seed, f), "utf8"))
})
