import { describe, expect, test } from "vitest"
import { buildRunReport } from "../src/index"
import type { RequestRecord, Run, RunRecord, ServiceReport } from "../src/index"
import { syntheticRun } from "./support/synthetic"
import type { SyntheticConfig } from "./support/synthetic"

const S = 1_000_000_000
const MS = 1_000_000

const config = (over: Partial<SyntheticConfig>): SyntheticConfig => ({
  seed: 3,
  seconds: 120,
  nodes: 3,
  clients: 6,
  intervalMs: 200,
  services: [{ name: "web", replicas: 4, port: 80 }],
  ...over,
})

const service = (run: Run, name = "default/web"): ServiceReport => buildRunReport(run).services.find((s) => s.service === name)!

describe("distribution", () => {
  test("an even data plane passes the chi-square test and is fair", () => {
    const s = service(syntheticRun(config({})))
    expect(s.expectedFrom).toBe("rules")
    expect(s.chiSquare.df).toBe(3)
    expect(s.chiSquare.pValue!).toBeGreaterThan(0.001)
    expect(s.jain!).toBeGreaterThan(0.98)
    expect(s.idle).toEqual([])
    expect(Object.values(s.byPod).reduce((a, b) => a + b, 0)).toBe(s.routed)
  })
  test("injected skew is detected: low p-value, lower Jain, higher CV", () => {
    const even = service(syntheticRun(config({})))
    const skewed = service(syntheticRun(config({ services: [{ name: "web", replicas: 4, port: 80, actualWeights: [2, 1, 1, 1] }] })))
    expect(skewed.chiSquare.pValue!).toBeLessThan(1e-6)
    expect(skewed.jain!).toBeLessThan(even.jain!)
    expect(skewed.cv!).toBeGreaterThan(even.cv!)
    expect(skewed.maxMinRatio!).toBeGreaterThan(1.5)
  })
  test("an endpoint that gets nothing is listed as idle", () => {
    const s = service(syntheticRun(config({ services: [{ name: "web", replicas: 3, port: 80, actualWeights: [1, 1, 0] }] })))
    expect(s.idle).toHaveLength(1)
    expect(s.maxMinRatio).toBeNull()
    expect(s.chiSquare.pValue!).toBeLessThan(1e-6)
    expect(s.endpoints.find((e) => e.endpoint === s.idle[0])!.requests).toBe(0)
  })
  test("fairness windows cover the run with the configured width and step", () => {
    const r = buildRunReport(syntheticRun(config({ seconds: 20 })), { window: { width: 4 * S, step: 2 * S } })
    const w = r.services[0]!.windows
    expect(w[0]).toMatchObject({ start: 0, end: 4 * S })
    expect(w[1]!.start).toBe(2 * S)
    expect(w[w.length - 1]!.end).toBeGreaterThanOrEqual(20 * S)
    expect(w.every((x) => x.requests > 0 && x.jain !== null)).toBe(true)
  })
  test("expected shares fall back to uniform over ready endpoints without rules records", () => {
    const run = syntheticRun(config({ seconds: 30 }))
    const noRules: Run = { meta: run.meta, records: run.records.filter((r) => r.kind !== "rules") }
    const s = service(noRules)
    expect(s.expectedFrom).toBe("endpoints")
    for (const e of s.endpoints) expect(e.expectedShare).toBeCloseTo(0.25, 12)
  })
})

describe("stickiness", () => {
  test("is 1.0 for every client when every client always hits one pod", () => {
    const s = service(syntheticRun(config({ services: [{ name: "web", replicas: 4, port: 80, affinity: true }] })))
    expect(s.sessionAffinity).toBe("ClientIP")
    expect(s.clients).toHaveLength(6)
    for (const c of s.clients) {
      expect(c.stickiness).toBe(1)
      expect(c.switches).toBe(0)
    }
  })
  test("without affinity clients spread and every switch is attributed to no-affinity", () => {
    const s = service(syntheticRun(config({})))
    for (const c of s.clients) {
      expect(c.stickiness).toBeLessThan(0.5)
      expect(c.switches).toBe(c.switchCauses["no-affinity"])
      expect(c.violations).toBe(0)
    }
  })
  test("a leaking affinity shows violations; churn shows pod-gone or not-ready switches", () => {
    const leaky = service(syntheticRun(config({ services: [{ name: "web", replicas: 4, port: 80, affinity: true, affinityLeak: 0.05 }] })))
    expect(leaky.clients.reduce((a, c) => a + c.violations, 0)).toBeGreaterThan(10)
    const churned = service(
      syntheticRun(config({ clients: 12, services: [{ name: "web", replicas: 3, port: 80, affinity: true }], churn: [{ at: 30, service: "web", replica: 0 }, { at: 31, service: "web", replica: 1 }] })),
    )
    const causes = churned.clients.reduce((a, c) => a + c.switchCauses["pod-gone"] + c.switchCauses["not-ready"], 0)
    expect(causes).toBeGreaterThan(0)
    expect(churned.clients.reduce((a, c) => a + c.violations, 0)).toBe(0)
  })
  test("affinity timeout and a different node's kube-proxy are told apart", () => {
    const base: RunRecord[] = [
      { kind: "service", t: 0, service: "ns/s:", type: "ClusterIP", clusterIP: "10.96.0.5", port: 80, protocol: "TCP", nodePort: null, sessionAffinity: "ClientIP", affinityTimeoutSeconds: 10, externalTrafficPolicy: null, internalTrafficPolicy: null, deleted: false },
      { kind: "endpoints", t: 0, service: "ns/s:", endpoints: [
        { endpoint: "10.0.0.1:80", pod: "a", node: "n1", ready: true, serving: true, terminating: false },
        { endpoint: "10.0.0.2:80", pod: "b", node: "n1", ready: true, serving: true, terminating: false },
      ] },
    ]
    const req = (id: number, t: number, node: string, pod: "a" | "b"): RequestRecord => ({
      kind: "request", id, t, end: t + MS, client: "c", clientIp: "10.1.0.9", phase: null, service: "ns/s:", url: "http://s/", dst: "10.96.0.5:80",
      node, endpoint: pod === "a" ? "10.0.0.1:80" : "10.0.0.2:80", pod, sourceIp: "10.1.0.9", outcome: "ok", cause: null, latency: MS, status: 200, connection: id,
    })
    const records = [...base, req(1, 1 * S, "n1", "a"), req(2, 2 * S, "n1", "a"), req(3, 20 * S, "n1", "b"), req(4, 21 * S, "n2", "a"), req(5, 22 * S, "n2", "b")]
    const c = service({ meta: { scenario: "x", variant: "v", seed: 1, traceHash: "0" }, records }, "ns/s:").clients[0]!
    expect(c).toMatchObject({ requests: 5, switches: 3, violations: 1, topPod: "a", stickiness: 3 / 5 })
    expect(c.switchCauses).toMatchObject({ "affinity-timeout": 1, "other-node": 1, violation: 1 })
  })
})

describe("churn impact", () => {
  const run = syntheticRun(config({ seconds: 60, churn: [{ at: 20, service: "web", replica: 2 }], endpointsDelayMs: 500, rulesDelayMs: 800 }))
  const report = buildRunReport(run)
  test("failures are counted by cause and align with the kill that caused them", () => {
    const byCause = report.requests.byCause
    expect(report.requests.byOutcome.failed).toBeGreaterThan(0)
    expect(byCause.refused + byCause.timeout).toBe(report.requests.byOutcome.failed)
    expect(report.errorWindows.length).toBeGreaterThanOrEqual(1)
    const w = report.errorWindows[0]!
    expect(w.trigger).toMatchObject({ actor: "scenario", verb: "kill", t: 20 * S })
    expect(w.start).toBeGreaterThanOrEqual(20 * S)
    // The last node's rules drop the dead endpoint 0.5 + 0.8 + 2·0.037 s after the kill; no failure starts later.
    for (const x of report.errorWindows) expect(x.start).toBeLessThan(20 * S + 1374 * MS)
    expect(w.recoveredAt!).toBeGreaterThan(w.start)
    expect(w.timeToRecover).toBe(w.recoveredAt! - w.start)
    expect(w.sinceTrigger).toBe(w.start - 20 * S)
    expect(report.churn.some((a) => a.verb === "kill")).toBe(true)
  })
  test("a run without churn has no error windows", () => {
    expect(buildRunReport(syntheticRun(config({ seconds: 20 }))).errorWindows).toEqual([])
  })
})

describe("latency and DNS", () => {
  test("percentiles by nearest rank over ok requests", () => {
    const records: RunRecord[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((ms, i) => ({
      kind: "request", id: i, t: i * S, end: i * S + ms * MS, client: "c", clientIp: "10.1.0.1", phase: null, service: "ns/s:", url: "u", dst: "d",
      node: null, endpoint: "10.0.0.1:80", pod: "p", sourceIp: null, outcome: "ok", cause: null, latency: ms * MS, status: 200, connection: i,
    }))
    const s = service({ meta: { scenario: "x", variant: "v", seed: 1, traceHash: "0" }, records }, "ns/s:")
    expect(s.latency).toEqual({ count: 10, p50: 5 * MS, p90: 9 * MS, p99: 10 * MS, max: 10 * MS })
  })
  test("queries per lookup and NXDOMAIN share", () => {
    const d = buildRunReport(syntheticRun(config({ seconds: 30 }))).dns
    expect(d.lookups).toBeGreaterThan(0)
    expect(d.queriesPerLookup!).toBeGreaterThan(1)
    expect(d.maxQueriesPerLookup).toBe(2)
    expect(d.nxdomainShare!).toBeCloseTo(d.nxdomain / d.queries, 12)
  })
})
