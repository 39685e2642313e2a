import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { NANOS_PER_SECOND } from "../../sim/index"
import { harness, podYaml } from "./test-support/harness"

const S = NANOS_PER_SECOND
/** The harness's pod informer lag: the kubelet admits the pod (and starts its probe workers) 10 ms after create. */
const WATCH = 10_000_000

const execProbe = (kind: string, fields: string) => `      ${kind}:\n        exec:\n          command: ["true"]\n${fields
  .split(",")
  .filter((f) => f !== "")
  .map((f) => `        ${f.trim()}\n`)
  .join("")}`

const withProbes = (...probes: string[]) => podYaml("Always", "").replace("      image: example/app:1\n", `      image: example/app:1\n${probes.join("")}`)

type H = ReturnType<typeof harness>
const times = (h: H, verb: string) => h.records.ofKind("action").filter((a) => a.verb === verb).map((a) => a.t)

describe("prober/worker.go timing", () => {
  it("readiness: ticks every periodSeconds from the worker's start, skipping while the container is younger than initialDelaySeconds", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      // Created 60 s after the kubelet started: no start jitter.
      const h = harness({}, withProbes(execProbe("readinessProbe", "initialDelaySeconds: 5, periodSeconds: 10")), { seed, createAt: 60 * S })
      h.sim.run({ until: 120 * S })
      const admit = 60 * S + WATCH
      const [start] = times(h, "start")
      const [ready] = times(h, "ready")
      // The first tick at which int32(seconds since start) ≥ initialDelaySeconds.
      let expected = admit
      while (Math.trunc((expected - start!) / S) < 5) expected += 10 * S
      expect(ready).toBe(expected)
      expect((ready! - admit) % (10 * S)).toBe(0)
    }
  })

  it("property: Ready at the container's start without a delay, else at the first tick of the worker's grid with int32(seconds running) ≥ initialDelaySeconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 999 }), (seed, delay, period, ms) => {
        const createAt = 60 * S + ms * 1_000_000
        const h = harness({}, withProbes(execProbe("readinessProbe", `initialDelaySeconds: ${delay}, periodSeconds: ${period}`)), { seed, createAt })
        h.sim.run({ until: createAt + (delay + 2 * period + 10) * S })
        const admit = createAt + WATCH
        const [start] = times(h, "start")
        let expected = start!
        if (delay > 0) {
          expected = admit
          while (expected < start! || Math.trunc((expected - start!) / S) < delay) expected += period * S
        }
        expect(times(h, "ready")).toEqual([expected])
      }),
      { numRuns: runs(25) },
    )
  })

  it("readiness without initialDelaySeconds: probed at once when the container starts (UpdatePodStatus' manual trigger)", () => {
    const h = harness({}, withProbes(execProbe("readinessProbe", "periodSeconds: 10")), { createAt: 60 * S })
    h.sim.run({ until: 80 * S })
    expect(times(h, "ready")).toEqual(times(h, "start"))
  })

  it("a kubelet that started less than a period ago delays each worker by a random part of the period", () => {
    const offsets = new Set<number>()
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const h = harness({}, withProbes(execProbe("readinessProbe", "initialDelaySeconds: 5, periodSeconds: 10")), { seed })
      h.sim.run({ until: 60 * S })
      const [ready] = times(h, "ready")
      const offset = (ready! - WATCH) % (10 * S)
      expect(offset).toBeGreaterThanOrEqual(0)
      offsets.add(offset)
    }
    expect(offsets.size).toBeGreaterThan(1)
    expect([...offsets].some((o) => o !== 0)).toBe(true)
  })

  it("failureThreshold and successThreshold: readiness flips after that many equal results in a row, on the period grid", () => {
    const h = harness({}, withProbes(execProbe("readinessProbe", "periodSeconds: 10, failureThreshold: 3, successThreshold: 2")), { createAt: 60 * S })
    h.sim.run({ until: 100 * S })
    // successThreshold 2 is met at the container's start: the manual trigger probes once; the new container's
    // initial Failure is a result change, whose pod sync (handleProbeSync → UpdatePodStatus) triggers again.
    expect(times(h, "ready")).toEqual(times(h, "start"))
    const admit = 60 * S + WATCH
    h.sim.run({ until: 100 * S + 1 })
    h.kubelet.setAppReadiness("default", "app", false)
    h.sim.run({ until: 200 * S })
    const tickAfter = (t: number, n: number) => admit + (Math.floor((t - admit) / (10 * S)) + n) * 10 * S
    expect(times(h, "not-ready")).toEqual([tickAfter(100 * S, 3)])
    expect(h.pod()?.status.conditions?.find((c) => c.type === "Ready")?.status).toBe("False")
    h.kubelet.setAppReadiness("default", "app", true)
    h.sim.run({ until: 300 * S })
    expect(times(h, "ready").at(-1)).toBe(tickAfter(200 * S, 2))
  })
})

describe("liveness and startup probes", () => {
  it("a failing liveness probe kills and restarts the container: first at once, then after the 10 s back-off; restartCount; not Ready meanwhile", () => {
    const h = harness({}, withProbes(execProbe("livenessProbe", "periodSeconds: 5, failureThreshold: 3"), execProbe("readinessProbe", "periodSeconds: 5")), { createAt: 60 * S })
    h.sim.run({ until: 90 * S })
    expect(h.pod()?.status.containerStatuses?.[0]?.ready).toBe(true)
    const readyWatch: string[] = []
    h.store.watch("Pod", (e) => {
      const r = e.object.status.conditions?.find((c) => c.type === "Ready")?.status
      if (r !== undefined && readyWatch.at(-1) !== r) readyWatch.push(r)
    })
    h.kubelet.setAppLiveness("default", "app", false)
    h.sim.run({ until: 120 * S })
    const unhealthy = h.records.ofKind("action").filter((a) => a.verb === "unhealthy")
    expect(unhealthy.map((a) => a.detail)).toEqual(["Container main failed liveness probe, will be restarted"])
    expect(h.launcher.signals).toEqual(["SIGTERM"])
    const starts = times(h, "start")
    expect(starts).toHaveLength(2)
    // The first restart is immediate (no back-off entry yet): pull (cached) and start only.
    expect(starts[1]! - unhealthy[0]!.t).toBeLessThan(1 * S)
    let cs = h.pod()?.status.containerStatuses?.[0]
    expect(cs?.restartCount).toBe(1)
    expect(cs?.lastState?.terminated).toBeDefined()
    expect(readyWatch).toEqual(["False", "True"])
    // The new container starts healthy; failing again restarts it after the 10 s back-off.
    h.kubelet.setAppLiveness("default", "app", false)
    h.sim.run({ until: 200 * S })
    const all = h.records.ofKind("action").filter((a) => a.verb === "unhealthy")
    expect(all.length).toBeGreaterThanOrEqual(2)
    const exits = times(h, "exit")
    const s2 = times(h, "start")
    expect(s2[2]! - exits[1]!).toBeGreaterThanOrEqual(10 * S)
    expect(s2[2]! - exits[1]!).toBeLessThan(11 * S)
    cs = h.pod()?.status.containerStatuses?.[0]
    expect(cs?.restartCount).toBeGreaterThanOrEqual(2)
  })

  it("the startup probe gates readiness and liveness; started and Ready come together once it passes", () => {
    const h = harness(
      {},
      withProbes(execProbe("startupProbe", "periodSeconds: 10, failureThreshold: 30"), execProbe("livenessProbe", "periodSeconds: 1, failureThreshold: 1"), execProbe("readinessProbe", "periodSeconds: 10")),
      { createAt: 60 * S },
    )
    // Unhealthy from the start: liveness must not be probed before the startup probe passes.
    while (times(h, "start").length === 0) h.sim.run({ until: h.sim.now + S / 100 })
    const [start] = times(h, "start")
    expect(start).toBeDefined()
    expect(h.pod()?.status.containerStatuses?.[0]?.started).toBe(false)
    h.kubelet.setAppLiveness("default", "app", false)
    const admit = 60 * S + WATCH
    const firstStartupTick = admit + Math.ceil((start! - admit) / (10 * S)) * 10 * S
    h.sim.run({ until: firstStartupTick - 1 })
    expect(times(h, "unhealthy")).toEqual([])
    expect(h.pod()?.status.containerStatuses?.[0]?.ready).toBe(false)
    h.kubelet.setAppLiveness("default", "app", true)
    h.sim.run({ until: firstStartupTick + 1 })
    expect(times(h, "ready")).toEqual([firstStartupTick])
    expect(h.pod()?.status.containerStatuses?.[0]?.started).toBe(true)
  })

  it("a failing startup probe (nothing listens: connection refused) kills and restarts the container after failureThreshold periods", () => {
    const probe = "      startupProbe:\n        tcpSocket:\n          port: 8080\n        periodSeconds: 2\n        failureThreshold: 3\n"
    const h = harness({}, withProbes(probe), { createAt: 60 * S })
    h.sim.run({ until: 75 * S })
    const admit = 60 * S + WATCH
    const [start] = times(h, "start")
    const firstTick = admit + Math.ceil((start! - admit) / (2 * S)) * 2 * S
    const unhealthy = h.records.ofKind("action").filter((a) => a.verb === "unhealthy")
    expect(unhealthy[0]?.detail).toBe("Container main failed startup probe, will be restarted")
    // Probes at the first three ticks after the start fail; the third crosses the threshold (plus the RST's round trip).
    expect(unhealthy[0]!.t - (firstTick + 4 * S)).toBeGreaterThanOrEqual(0)
    expect(unhealthy[0]!.t - (firstTick + 4 * S)).toBeLessThan(10_000_000)
    expect(h.pod()?.status.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(1)
    expect(h.pod()?.status.containerStatuses?.[0]?.ready).toBe(false)
  })
})
