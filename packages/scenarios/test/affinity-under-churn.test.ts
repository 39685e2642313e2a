import type { records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { loadBuiltinScenario } from "../src/index"
import { runBuiltin } from "./library-support"

const S = 1_000_000_000

// The scenario must show affinity breaking on each of its own shipped seeds: the rollout replaces every pod, so
// the one the client is pinned to always goes (a kill of one random backend missed it two times in three).
describe("affinity-under-churn: the churn hits the pinned pod on every shipped seed", () => {
  const seeds = loadBuiltinScenario("affinity-under-churn").scenario.seeds ?? [1]
  test.each([...seeds])("seed %i: pinned while sticky, moved when its pod left the endpoints, pinned again after", (seed) => {
    const r = runBuiltin("affinity-under-churn", seed)
    const reqs = r.records.filter((x): x is records.RequestRecord => x.kind === "request" && x.service === "default/web")
    const inPhase = (p: string) => reqs.filter((x) => x.phase === p && x.pod !== null)
    const sticky = new Set(inPhase("sticky").map((x) => x.pod))
    expect(sticky.size).toBe(1)
    const pinned = [...sticky][0]!
    // The pinned pod leaves the Service's endpoints during the rollout.
    const endpoints = r.records.filter((x): x is records.EndpointsRecord => x.kind === "endpoints" && x.service === "default/web")
    const gone = endpoints.find((e) => e.t > 30 * S && !e.endpoints.some((p) => p.pod === pinned && p.ready))
    expect(gone).toBeDefined()
    // Every later answered request went elsewhere, and the client sticks to its new pod once things settle.
    const after = reqs.filter((x) => x.t > gone!.t + 10 * S && x.pod !== null)
    expect(after.length).toBeGreaterThan(50)
    expect(after.every((x) => x.pod !== pinned)).toBe(true)
    expect(new Set(inPhase("settled").map((x) => x.pod)).size).toBe(1)
  })
})
