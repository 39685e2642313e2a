import type { records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { loadBuiltinScenario, runScenario } from "../src/index"
import { runBuiltin } from "./library-support"

const SEEDS = [1, 2, 3]
const VARIANTS = ["default", "readiness", "prestop"] as const

/**
 * Failed requests of one run, split by whether the pod that refused them was terminating (old) or new. A request
 * sent to an old pod's address after its sandbox was torn down (before every kube-proxy dropped the endpoint) times
 * out with no pod to name: it counts as old by its endpoint, one of the addresses the terminated pods released.
 */
const failures = (variant: string, seed: number) => {
  const r = variant === "default" ? runBuiltin("rolling-update", seed) : runScenario(loadBuiltinScenario("rolling-update"), { seed, variant })
  const actions = r.records.filter((x): x is records.ActionRecord => x.kind === "action")
  const terminated = new Set(actions.filter((x) => x.verb === "terminate").map((x) => x.object))
  const released = new Set(actions.filter((x) => x.verb === "delete" && terminated.has(x.object) && x.detail?.startsWith("released ")).map((x) => `${x.detail!.slice("released ".length)}:80`))
  const failed = r.records.filter((x): x is records.RequestRecord => x.kind === "request" && x.outcome === "failed")
  const issued = r.records.filter((x) => x.kind === "request").length
  const old = (x: records.RequestRecord) => (x.pod !== null ? terminated.has(`Pod default/${x.pod}`) : x.endpoint !== null && released.has(x.endpoint))
  return {
    issued,
    failed,
    old,
    fromOld: failed.filter(old).length,
    fromNew: failed.filter((x) => !old(x)).length,
  }
}

describe("rolling-update: the known effect over seeds 1–3", () => {
  const runs = Object.fromEntries(VARIANTS.map((v) => [v, SEEDS.map((s) => failures(v, s))])) as Record<(typeof VARIANTS)[number], ReturnType<typeof failures>[]>
  const total = (v: (typeof VARIANTS)[number], k: "fromOld" | "fromNew" | "all") => runs[v].reduce((n, r) => n + (k === "all" ? r.failed.length : r[k]), 0)

  test("every failure is a refused connection from a pod of the rollout, or a timeout to an old pod's released address", () => {
    for (const v of VARIANTS) for (const r of runs[v]) {
      expect(r.issued).toBeGreaterThan(1000)
      for (const f of r.failed) {
        if (f.cause === "timeout") expect(r.old(f)).toBe(true)
        else expect([f.cause, f.pod === null]).toEqual(["refused", false])
      }
    }
  })

  test("no probe: new pods refuse before nginx listens, old pods refuse before every kube-proxy drops them", () => {
    expect(total("default", "fromNew")).toBeGreaterThan(0)
    expect(total("default", "fromOld")).toBeGreaterThan(0)
  })

  test("readiness probe: no new pod gets traffic before it answers, so fewer failures — only the old pods' race", () => {
    for (const r of runs.readiness) expect(r.fromNew).toBe(0)
    expect(total("readiness", "fromOld")).toBeGreaterThan(0)
    expect(total("readiness", "fromNew")).toBeLessThan(total("default", "fromNew"))
  })

  test("readiness probe and a preStop sleep: nothing fails", () => {
    for (const r of runs.prestop) expect(r.failed).toEqual([])
  })
})
