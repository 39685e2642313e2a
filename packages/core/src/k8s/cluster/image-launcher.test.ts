import { describe, expect, it } from "vitest"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../sim/index"
import { HttpClient } from "../../apps/index"
import { AppReadinessError } from "../kubelet/index"
import { Cluster } from "./cluster"

const S = NANOS_PER_SECOND
const MS = NANOS_PER_MILLI

const nginxPod = (name: string, probe = "") => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: kind-worker
  terminationGracePeriodSeconds: 3
  containers:
    - name: nginx
      image: nginx:1.25
${probe}`

/** Runs in 10 ms steps until the kubelet has started the pod's container; returns that time. */
const untilStarted = (c: Cluster, pod: string): number => {
  for (;;) {
    const a = c.records.ofKind("action").find((x) => x.verb === "start" && x.object === `Pod default/${pod}`)
    if (a !== undefined) return a.t
    if (c.sim.now > 60 * S) throw new Error(`${pod} never started`)
    c.runFor(10 * MS)
  }
}

describe("nginx's start-up: the entrypoint runs before nginx listens", () => {
  it("a pod without a probe is Ready at container start but refuses connections until nginx binds", () => {
    const c = Cluster.create({ seed: 5, delays: { nginxStartup: { min: 2 * S, max: 2 * S } } })
    c.apply(nginxPod("web"))
    const t0 = untilStarted(c, "web")
    expect(c.store.get("Pod", "default", "web")?.status.conditions?.find((k) => k.type === "Ready")?.status).toBe("True")
    const ip = c.store.get("Pod", "default", "web")?.status.podIP as string
    const wget = new HttpClient(c.fabric.node("kind-worker"), c.env, { name: "node" })
    c.runUntil(t0 + 1 * S)
    wget.request(`http://${ip}/`)
    c.runUntil(t0 + 2 * S + 10 * MS)
    wget.request(`http://${ip}/`)
    c.runFor(1 * S)
    expect(c.records.ofKind("request").map((r) => `${r.outcome} ${r.cause} ${r.status}`)).toEqual(["failed refused null", "ok null 200"])
  })

  it("the default start-up is drawn per container from 50–200 ms", () => {
    const c = Cluster.create({ seed: 9 })
    const names = ["a", "b", "c", "d", "e", "f"]
    const waits: number[] = []
    for (const n of names) {
      c.apply(nginxPod(n))
      const t0 = untilStarted(c, n)
      const ip = c.store.get("Pod", "default", n)?.status.podIP as string
      const wget = new HttpClient(c.fabric.node("kind-worker"), c.env, { name: n })
      // Probe every 5 ms from the start: the first success tells when nginx bound (±5 ms and a round trip).
      let first = -1
      for (let t = t0; t < t0 + 400 * MS && first < 0; t += 5 * MS) {
        c.runUntil(t)
        wget.request(`http://${ip}/`)
        c.runFor(4 * MS)
        const ok = c.records.ofKind("request").find((r) => r.client === n && r.outcome === "ok")
        if (ok !== undefined) first = ok.t - t0
      }
      waits.push(first)
    }
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(45 * MS)
      expect(w).toBeLessThanOrEqual(210 * MS)
    }
    expect(new Set(waits.map((w) => Math.round(w / (5 * MS)))).size).toBeGreaterThan(2)
  })

  it("a stop signal during the entrypoint is lost (PID 1 sh has no handler): the container dies only at SIGKILL", () => {
    const c = Cluster.create({ seed: 5, delays: { nginxStartup: { min: 1 * S, max: 1 * S } } })
    c.apply(nginxPod("web"))
    const t0 = untilStarted(c, "web")
    c.delete("Pod", "default", "web")
    c.runFor(10 * S)
    const acts = c.records.ofKind("action").filter((a) => a.object === "Pod default/web" && a.actor.startsWith("kubelet/"))
    const term = acts.find((a) => a.verb === "terminate")?.t as number
    const gone = acts.find((a) => a.verb === "delete")?.t as number
    expect(term - t0).toBeLessThan(1 * S)
    // terminationGracePeriodSeconds 3: SIGQUIT ignored, SIGKILL at the end of the grace period.
    expect(gone - term).toBeGreaterThanOrEqual(3 * S)
    expect(c.store.get("Pod", "default", "web")).toBeUndefined()
  })

  it("setAppReadiness: a pod without a readiness probe cannot flap; with an httpGet probe the kubelet follows the app", () => {
    const c = Cluster.create({ seed: 5 })
    c.apply(nginxPod("plain"))
    c.apply(nginxPod("probed", "      readinessProbe: {httpGet: {path: /healthz, port: 80}, periodSeconds: 1, failureThreshold: 2}\n"))
    c.runUntil(20 * S)
    expect(() => c.setAppReadiness("default", "plain", false)).toThrow(AppReadinessError)
    expect(() => c.setAppReadiness("default", "plain", false)).toThrow(/container nginx has no readinessProbe/)
    expect(() => c.setAppReadiness("default", "nope", false)).toThrow(/not running on a node/)
    const ready = () => c.store.get("Pod", "default", "probed")?.status.conditions?.find((k) => k.type === "Ready")?.status
    expect(ready()).toBe("True")
    expect(c.setAppReadiness("default", "probed", false)).toEqual(["nginx"])
    c.runFor(1 * S)
    expect(ready()).toBe("True")
    c.runFor(2 * S)
    expect(ready()).toBe("False")
    c.setAppReadiness("default", "probed", true)
    c.runFor(1200 * MS)
    expect(ready()).toBe("True")
  })
})
