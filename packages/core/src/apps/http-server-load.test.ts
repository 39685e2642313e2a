import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { later } from "../k8s/kubelet/index"
import type { RequestRecord } from "../records/index"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../sim/index"
import { HttpClient } from "./http-client"
import { makeSmallCluster } from "./test-support/small-cluster"

const S = NANOS_PER_SECOND
const MS = NANOS_PER_MILLI

describe("listen backlog (include/net/sock.h sk_acceptq_is_full, tcp_input.c tcp_conn_request)", () => {
  it("beyond worker_connections connections wait in the accept queue; with backlog+1 waiting, SYNs are dropped and retried", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 500 * MS }, workerConnections: 1, listenBacklog: 1 } })
    const client = new HttpClient(c.client, c.env, { name: "wget" })
    // 10 ms apart: each handshake completes before the next SYN (the queue is checked when a SYN arrives).
    for (let i = 0; i < 5; i++) later(c.sim, i * 10 * MS, () => client.request(`http://${c.web[0]!.ip}/`))
    c.sim.run()
    const rs = c.records.ofKind("request") as RequestRecord[]
    const srv = c.web[0]!.server
    expect(srv.maxAckBacklog).toBe(1)
    // One accepted, two waiting (the `>` in sk_acceptq_is_full), the last two SYNs dropped.
    expect(srv.stats.backlogPeak).toBe(2)
    expect(srv.stats.listenOverflows).toBeGreaterThanOrEqual(2)
    expect(c.net.counters.droppedBy("listen-overflow")).toBe(srv.stats.listenOverflows)
    // Nothing is refused: the dropped SYNs are retransmitted (1 s later) and served in the end.
    expect(rs.map((r) => r.outcome)).toEqual(["ok", "ok", "ok", "ok", "ok"])
    const late = rs.filter((r) => (r.latency as number) >= 1 * S)
    expect(late.length).toBeGreaterThanOrEqual(2)
  })

  it("defaults: nginx's backlog 511 under somaxconn 4096; a lower somaxconn caps it", () => {
    expect(makeSmallCluster({ webPods: 1 }).web[0]!.server.maxAckBacklog).toBe(511)
    expect(makeSmallCluster({ webPods: 1, web: { somaxconn: 128 } }).web[0]!.server.maxAckBacklog).toBe(128)
  })
})

/** Mean latency of `n` requests at Poisson rate `rate`/s against one pod with exponential service of mean 10 ms, one at a time. */
const meanLatency = (seed: number, rate: number, n: number): number => {
  const c = makeSmallCluster({ seed, webPods: 1, web: { serviceTime: { kind: "exponential", mean: 10 * MS }, maxConcurrentRequests: 1 } })
  const client = new HttpClient(c.client, c.env, { name: "load", mode: { kind: "multiplexed" } })
  const arrivals = c.sim.rng("test/arrivals")
  let t = 0
  for (let i = 0; i < n; i++) {
    t += Math.round(arrivals.exponential(rate / S))
    later(c.sim, t, () => client.request(`http://${c.web[0]!.ip}/`))
  }
  c.sim.run()
  const rs = (c.records.ofKind("request") as RequestRecord[]).filter((r) => r.outcome === "ok")
  expect(rs.length).toBe(n)
  return rs.reduce((a, r) => a + (r.latency as number), 0) / n
}

describe("queueing under a concurrency limit", () => {
  it("property: mean latency grows with load (ρ₂ = ρ₁ + 0.4 on one server)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.1, max: 0.4, noNaN: true }), (seed, rho) => {
        // μ = 100/s: λ = 100ρ.
        expect(meanLatency(seed, 100 * (rho + 0.4), 600)).toBeGreaterThan(meanLatency(seed, 100 * rho, 600))
      }),
      { numRuns: runs(4) },
    )
  })

  it("M/M/1: the mean time in the server is 1/(μ − λ) (ρ = 0.5: 20 ms, within 15 %)", () => {
    const m = meanLatency(7, 50, 4000)
    expect(Math.abs(m / (20 * MS) - 1)).toBeLessThan(0.15)
  })
})
