import type { records } from "@kubesim/core"
import { describe, expect, it } from "vitest"
import { loadBuiltinScenario, runScenario } from "../src/index"

const run = (variant: string) => {
  const recs = runScenario(loadBuiltinScenario("topology-zones"), { seed: 1, variant }).records
  return { reqs: recs.filter((x): x is records.RequestRecord => x.kind === "request") }
}

/** Zone of the pod that answered each request: endpoint IP → pod CIDR of the node (kind-worker → 10.244.1.0/24, …). */
const zoneOf = (endpoint: string | null): string => {
  const third = Number((endpoint ?? "").split(".")[2])
  // cluster.zones [zone-a, zone-b] dealt round-robin over kind-worker (10.244.1.x), kind-worker2 (.2), kind-worker3 (.3), kind-worker4 (.4).
  return third % 2 === 1 ? "zone-a" : "zone-b"
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

describe("topology-zones: cross-zone latency and trafficDistribution PreferClose", () => {
  it("default: the zone-a client's requests reach both zones", () => {
    const { reqs } = run("default")
    expect(reqs.every((q) => q.outcome === "ok")).toBe(true)
    expect(new Set(reqs.map((q) => zoneOf(q.endpoint)))).toEqual(new Set(["zone-a", "zone-b"]))
  })

  it("prefer-close: every request stays in zone-a, and the mean latency drops by more than the zone crossings it avoids", () => {
    const close = run("prefer-close").reqs
    const spread = run("default").reqs
    expect(close.every((q) => q.outcome === "ok")).toBe(true)
    expect(new Set(close.map((q) => zoneOf(q.endpoint)))).toEqual(new Set(["zone-a"]))
    // Half the default's requests cross (≥ 4 one-way 1 ms crossings for handshake, request and response).
    expect(mean(spread.map((q) => q.latency as number)) - mean(close.map((q) => q.latency as number))).toBeGreaterThan(1_000_000)
  })
})
