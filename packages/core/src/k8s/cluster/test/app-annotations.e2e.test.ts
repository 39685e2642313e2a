import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { AppAnnotationError, appTuningOf } from "../app-annotations"
import { MS, S, requestsOf, webDeploymentAndService, wgetLoopPod } from "./e2e-support"

/** Latencies of the client's requests from 10 s (pods and rules are up) to 40 s. */
const latencies = (annotations: string): number[] => {
  const c = Cluster.create({ seed: 2 })
  c.apply(webDeploymentAndService({ replicas: 2, annotations }))
  c.apply(wgetLoopPod("client", "http://web/", "0.2"))
  c.runUntil(40 * S)
  const rs = requestsOf(c, "client", 10 * S)
  expect(rs.length).toBeGreaterThan(50)
  expect(rs.every((r) => r.outcome === "ok")).toBe(true)
  return rs.map((r) => r.latency as number)
}

describe("the built-in HTTP app's kubesim.dev/* annotations on a Deployment's pod template", () => {
  it("kubesim.dev/service-time: a constant 30 ms shows in every request; an exponential spreads them", () => {
    const base = latencies("")
    const slow = latencies('kubesim.dev/service-time: "constant(30ms)"')
    // Same hops, 30 ms − 100 µs more service (the default constant is 100 µs).
    expect(Math.min(...slow) - Math.min(...base)).toBeGreaterThanOrEqual(29 * MS)
    expect(Math.max(...slow) - Math.min(...slow)).toBeLessThan(Math.max(...base) - Math.min(...base) + 1 * MS)
    const exp = latencies('kubesim.dev/service-time: "exponential(mean=30ms)"')
    expect(Math.max(...exp) - Math.min(...exp)).toBeGreaterThan(30 * MS)
  })

  it("unset annotations change nothing: the app keeps its defaults", () => {
    expect(appTuningOf(undefined)).toEqual({})
    expect(appTuningOf({ "app.kubernetes.io/name": "x" })).toEqual({})
  })

  it("reads concurrency, worker processes/connections and the listen backlog; bad values name the annotation", () => {
    expect(
      appTuningOf({ "kubesim.dev/concurrency": "4", "kubesim.dev/worker-processes": "2", "kubesim.dev/worker-connections": "512", "kubesim.dev/listen-backlog": "128" }),
    ).toEqual({ maxConcurrentRequests: 4, workerProcesses: 2, workerConnections: 512, listenBacklog: 128 })
    expect(() => appTuningOf({ "kubesim.dev/concurrency": "0" })).toThrow(new AppAnnotationError('annotation kubesim.dev/concurrency: expected a whole number ≥ 1, got "0"'))
    expect(() => appTuningOf({ "kubesim.dev/service-time": "normal(1ms)" })).toThrow(/^annotation kubesim\.dev\/service-time: unknown distribution "normal"/)
  })
})
