import { describe, expect, test } from "vitest"
import { buildRunReport, renderMarkdown, reportSchema } from "../src/index"
import type { RequestRecord, Run, RunRecord, ServiceReport } from "../src/index"
import { syntheticRun } from "./support/synthetic"
import type { SyntheticConfig } from "./support/synthetic"

const S = 1_000_000_000

// Uniform over 3 pods for 60 s, then every request on one pod (the first replica) for 60 s: the shape of the
// seed walkthrough's ClusterIP phase followed by its ClientIP affinity phase.
const twoPhases = (over: Partial<SyntheticConfig> = {}): SyntheticConfig => ({
  seed: 7,
  seconds: 120,
  nodes: 2,
  clients: 4,
  intervalMs: 250,
  keepAlive: 0.2,
  services: [{ name: "web", replicas: 3, port: 80 }],
  phases: [{ at: 60, name: "pinned", actualWeights: { web: [1, 0, 0] } }],
  ...over,
})

const service = (run: Run): ServiceReport => buildRunReport(run).services.find((s) => s.service === "default/web")!

describe("per-phase distribution", () => {
  const s = service(syntheticRun(twoPhases()))
  const [steady, pinned] = s.phases

  test("one entry per phase, in order, with the phase's start and its own requests", () => {
    expect(s.phases.map((p) => [p.phase, p.start])).toEqual([
      ["steady", 0],
      ["pinned", 60 * S],
    ])
    expect(steady!.requests.total + pinned!.requests.total).toBe(s.requests.total)
    expect(steady!.routed + pinned!.routed).toBe(s.routed)
    for (const p of s.phases) {
      expect(Object.values(p.byPod).reduce((a, b) => a + b, 0)).toBe(p.routed)
      expect(Object.values(p.byEndpoint).reduce((a, b) => a + b, 0)).toBe(p.routed)
    }
  })

  test("the whole run looks unfair while the uniform phase alone is fair", () => {
    expect(s.chiSquare.pValue!).toBeLessThan(1e-6)
    expect(steady!.chiSquare.df).toBe(2)
    expect(steady!.chiSquare.pValue!).toBeGreaterThan(0.01)
    expect(steady!.jain!).toBeGreaterThan(0.98)
    expect(steady!.expectedFrom).toBe("rules")
    for (const e of steady!.endpoints) expect(e.expectedShare).toBeCloseTo(1 / 3, 12)
    expect(steady!.meanStickiness!).toBeLessThan(0.6)
  })

  test("the pinned phase has stickiness 1.0 for every client, all on one pod", () => {
    expect(Object.keys(pinned!.byPod)).toHaveLength(1)
    expect(pinned!.meanStickiness).toBe(1)
    expect(pinned!.clients).toHaveLength(4)
    for (const c of pinned!.clients) {
      expect(c.stickiness).toBe(1)
      expect(c.switches).toBe(0)
    }
    expect(pinned!.chiSquare.pValue!).toBeLessThan(1e-6)
    // The idle pods still had expected shares, so they are listed with 0 requests.
    expect(pinned!.endpoints.filter((e) => e.requests === 0)).toHaveLength(2)
  })

  test("a keep-alive connection carried into a phase is not a decision there", () => {
    const decisions = s.phases.reduce((a, p) => a + p.decisions, 0)
    expect(decisions).toBe(s.decisions)
  })

  test("requests without a phase form their own group only if there are any", () => {
    expect(s.phases.some((p) => p.phase === null)).toBe(false)
    const run = syntheticRun(twoPhases())
    // Drop the initial label: the first 60 s of requests are unlabelled (as before a scenario's first phase).
    const unlabelled: Run = {
      meta: run.meta,
      records: run.records.flatMap((r) =>
        r.kind === "phase" && r.name === "steady" ? [] : r.kind === "request" && r.phase === "steady" ? [{ ...r, phase: null }] : [r],
      ),
    }
    const u = service(unlabelled)
    expect(u.phases.map((p) => [p.phase, p.start])).toEqual([
      [null, null],
      ["pinned", 60 * S],
    ])
    expect(u.phases[0]!.chiSquare).toEqual(steady!.chiSquare)
    expect(u.phases[0]!.clients).toEqual(steady!.clients)
  })

  test("churn phases slice the endpoints of their own time", () => {
    const churned = service(syntheticRun(twoPhases({ phases: [], churn: [{ at: 40, service: "web", replica: 1 }] })))
    expect(churned.phases.map((p) => p.phase)).toEqual(["steady", "churn web"])
    const [before, after] = churned.phases
    expect(before!.endpoints).toHaveLength(3)
    // After the kill: the dead endpoint (refused requests until rules drop it) and its replacement appear.
    expect(after!.endpoints.length).toBe(4)
    expect(after!.requests.byOutcome.failed).toBeGreaterThan(0)
  })

  test("the Markdown report has one row per phase, the JSON schema is unchanged", () => {
    const run = syntheticRun(twoPhases())
    const md = renderMarkdown({ schema: reportSchema, runs: [buildRunReport(run)], comparison: null })
    expect(md).toContain("Per phase")
    expect(md).toMatch(/\n\| steady \| 0 \| /)
    expect(md).toMatch(/\n\| pinned \| 1 min 0 s \| /)
    expect(reportSchema).toBe("kubesim-report/2")
  })
})

describe("a phase that turns ClientIP affinity on (the walkthrough's step 4)", () => {
  const svc = (t: number, sessionAffinity: string): RunRecord => ({
    kind: "service", t, service: "default/web", type: "ClusterIP", clusterIP: "10.96.0.10", port: 80, protocol: "TCP", nodePort: null,
    sessionAffinity, affinityTimeoutSeconds: sessionAffinity === "ClientIP" ? 10800 : null, externalTrafficPolicy: null,
    internalTrafficPolicy: "Cluster", deleted: false,
  })
  const endpoints: RunRecord = {
    kind: "endpoints", t: 0, service: "default/web",
    endpoints: ["a", "b"].map((p, i) => ({ endpoint: `10.244.1.${i + 2}:80`, pod: `web-${p}`, node: "node-1", ready: true, serving: true, terminating: false })),
  }
  const request = (id: number, seconds: number, phase: string, pod: "a" | "b"): RequestRecord => ({
    kind: "request", id, t: seconds * S, end: seconds * S + 1_000_000, client: "busybox", clientIp: "10.244.1.9", phase, service: "default/web",
    url: "http://web/", dst: "10.96.0.10:80", node: "node-1", endpoint: `10.244.1.${pod === "a" ? 2 : 3}:80`, pod: `web-${pod}`,
    sourceIp: "10.244.1.9", outcome: "ok", cause: null, latency: 1_000_000, status: 200, connection: id,
  })
  const run: Run = {
    meta: { scenario: "affinity-on", variant: "default", seed: 1, traceHash: "0000000000000000" },
    records: [
      { kind: "phase", t: 0, name: "spread" }, svc(0, "None"), endpoints,
      request(1, 1, "spread", "a"), request(2, 2, "spread", "b"), request(3, 3, "spread", "a"),
      { kind: "phase", t: 10 * S, name: "affinity" }, svc(10 * S, "ClientIP"),
      request(4, 11, "affinity", "b"), request(5, 12, "affinity", "b"), request(6, 13, "affinity", "a"),
    ],
  }
  const s = service(run)

  test("the first switch under ClientIP is not a violation: the previous request set no `recent` entry", () => {
    expect(s.clients[0]!.switchCauses["no-affinity"]).toBe(3)
    expect(s.clients[0]!.violations).toBe(1)
  })

  test("each phase carries the sessionAffinity in force and its own switches", () => {
    expect(s.phases.map((p) => [p.phase, p.sessionAffinity])).toEqual([
      ["spread", "None"],
      ["affinity", "ClientIP"],
    ])
    expect(s.phases[1]!.clients[0]!.switches).toBe(1)
    expect(s.phases[1]!.clients[0]!.violations).toBe(1)
    expect(s.phases[1]!.meanStickiness).toBeCloseTo(2 / 3, 12)
  })
})
