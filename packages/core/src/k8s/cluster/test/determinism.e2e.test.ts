import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { S, applySeed } from "./e2e-support"

const run = (seed: number): { jsonl: string; hash: string } => {
  const c = Cluster.create({ seed })
  applySeed(c, "service1deployment.yml")
  applySeed(c, "service1.yml")
  c.runUntil(15 * S)
  applySeed(c, "busybox.yml")
  c.runUntil(45 * S)
  c.delete("Pod", "default", c.store.list("Pod", { namespace: "default", labelSelector: { matchLabels: { app: "web" } } })[0]?.metadata.name as string)
  c.runUntil(90 * S)
  const log = c.finish()
  return { jsonl: log.toJsonl(), hash: c.sim.traceHash }
}

describe("determinism", () => {
  it("same seed → byte-identical records and trace hash; another seed → another hash", () => {
    const a = run(5)
    const b = run(5)
    const d = run(6)
    expect(a.jsonl.length).toBeGreaterThan(1000)
    expect(b.jsonl).toBe(a.jsonl)
    expect(b.hash).toBe(a.hash)
    expect(d.hash).not.toBe(a.hash)
    expect(d.jsonl).not.toBe(a.jsonl)
    // The deleted pod was replaced: requests, rules, endpoints and kubelet actions are all in the log.
    for (const kind of ["request", "dns", "rules", "action", "run-end"]) expect(a.jsonl).toContain(`{"kind":"${kind}"`)
  })
})
