import type { records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { loadBuiltinScenario, runScenario } from "../src/index"
import { runBuiltin } from "./library-support"

const SEEDS = [1, 2, 3]
const VARIANTS = ["default", "readiness", "prestop"] as const

/** Failed requests of one run, split by whether the pod that refused them was terminating (old) or new. */
const failures = (variant: string, seed: number) => {
  const r = variant === "default" ? runBuiltin("rolling-update", seed) : runScenario(loadBuiltinScenario("rolling-update"), { seed, variant })
  const terminated = new Set(r.records.filter((x): x is records.ActionRecord => x.kind === "action" && x.verb === "terminate").map((x) => x.object.replace(/^Pod default\//, "")))
  const failed = r.records.filter((x): x is records.RequestRecord => x.kind === "request" && x.outcome === "failed")
  const issued = r.records.filter((x) => x.kind === "request").length
  return {
    issued,
    failed,
    fromOld: failed.filter((x) => x.pod !== null && terminated.has(x.pod)).length,
    fromNew: failed.filter((x) => x.pod !== null && !terminated.has(x.pod)).length,
  }
}

describe("rolling-update: the known effect over seeds 1–3", () => {
  const runs = Object.fromEntries(VARIANTS.map((v) => [v, SEEDS.map((s) => failures(v, s))])) as Record<(typeof VARIANTS)[number], ReturnType<typeof failures>[]>
  const total = (v: (typeof VARIANTS)[number], k: "fromOld" | "fromNew" | "all") => runs[v].reduce((n, r) => n + (k === "all" ? r.failed.length : r[k]), 0)

  test("every failure is a refused connection from a pod of the rollout", () => {
    for (const v of VARIANTS) for (const r of runs[v]) {
      expect(r.issued).toBeGreaterThan(1000)
      for (const f of r.failed) expect([f.cause, f.pod === null]).toEqual(["refused", false])
    }
  })

  test("no probe: new pods refuse before nginx listens, old pods refuse before every kube-proxy drops them", () => {
    expect(total("default", "fromNew")).toBeGreaterThan(0)
    expect(total("default", "fromOld")).toBeGreaterThan(0)
  })

  test("readiness probe: no new pod gets traffic before it answers, so fewer failures — only the old pods' race", () => {
    for (const r of runs.readiness) expect(r.fromNew).toBe(0)
    expect(total("readiness", "fromOld")).toBeGreaterThan(0)
    expect(total("readiness", "all")).toBeLessThan(total("default", "all"))
  })

  test("readiness probe and a preStop sleep: nothing fails", () => {
    for (const r of runs.prestop) expect(r.failed).toEqual([])
  })
})
