import fc from "fast-check"
import { expect, test } from "vitest"
import { runs } from "../../../test-support/runs"
import { buildRunReport } from "../src/index"
import type { Run, RunRecord, RunReport, ServiceReport } from "../src/index"
import { syntheticRun } from "./support/synthetic"

const run = syntheticRun({
  seed: 5,
  seconds: 30,
  nodes: 2,
  clients: 4,
  intervalMs: 300,
  keepAlive: 0.3,
  services: [
    { name: "web", replicas: 3, port: 80, affinity: true, affinityTimeoutSeconds: 5, affinityLeak: 0.05 },
    { name: "api", replicas: 3, port: 8080, actualWeights: [2, 1, 1] },
  ],
  churn: [{ at: 8, service: "web", replica: 0 }, { at: 18, service: "api", replica: 1 }],
})
const reference = buildRunReport(run)

const shuffle = <T>(xs: ReadonlyArray<T>, keys: ReadonlyArray<number>): T[] =>
  xs.map((x, i) => ({ x, k: keys[i % keys.length]! * xs.length + i })).sort((a, b) => a.k - b.k).map((e) => e.x)

test("every metric is invariant under reordering the records", () => {
  fc.assert(
    fc.property(fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 64 }), (keys) => {
      const shuffled: Run = { meta: run.meta, records: shuffle(run.records, keys) }
      expect(buildRunReport(shuffled)).toEqual(reference)
    }),
    { numRuns: runs(10) },
  )
})

const pods = [...new Set(run.records.flatMap((r) => (r.kind === "request" && r.pod !== null ? [r.pod] : r.kind === "endpoints" ? r.endpoints.map((e) => e.pod) : [])))].sort()

const renameRecord = (r: RunRecord, name: (p: string) => string): RunRecord => {
  switch (r.kind) {
    case "request":
      return { ...r, pod: r.pod === null ? null : name(r.pod) }
    case "endpoints":
      return { ...r, endpoints: r.endpoints.map((e) => ({ ...e, pod: name(e.pod) })) }
    case "action":
      return { ...r, object: r.object.replace(/^Pod default\/(.*)$/, (_, p: string) => `Pod default/${pods.includes(p) ? name(p) : p}`) }
    default:
      return r
  }
}

// What renaming pods should do to a report: rename them in it, and nothing else.
const renameReport = (report: RunReport, name: (p: string) => string): unknown => {
  const renamePods = <S extends Pick<ServiceReport, "byPod" | "endpoints" | "clients">>(s: S): S => ({
    ...s,
    byPod: Object.fromEntries(Object.entries(s.byPod).map(([p, n]) => [name(p), n])),
    endpoints: s.endpoints.map((e) => ({ ...e, pod: e.pod === null ? null : name(e.pod) })),
    clients: s.clients.map((c) => ({ ...c, topPod: name(c.topPod) })),
  })
  const action = <A extends { object: string }>(a: A): A => ({ ...a, object: a.object.replace(/^Pod default\/(.*)$/, (_, p: string) => `Pod default/${pods.includes(p) ? name(p) : p}`) })
  return {
    ...report,
    services: report.services.map((s) => ({
      ...renamePods(s),
      phases: s.phases.map(renamePods),
    })),
    errorWindows: report.errorWindows.map((w) => ({ ...w, trigger: w.trigger === null ? null : action(w.trigger), actions: w.actions.map(action) })),
    churn: report.churn.map(action),
  }
}

test("every metric is invariant under renaming pods", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: pods.length, maxLength: pods.length }), (names) => {
      const map = new Map(pods.map((p, i) => [p, `pod-${names[i]!}`]))
      const name = (p: string): string => map.get(p) ?? p
      const renamed = buildRunReport({ meta: run.meta, records: run.records.map((r) => renameRecord(r, name)) })
      expect(renamed).toEqual(renameReport(reference, name))
    }),
    { numRuns: runs(10) },
  )
})
