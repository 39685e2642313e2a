import { NANOS_PER_MILLI, NANOS_PER_SECOND, type apps, type cluster, records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { loadScenarioText, runScenario } from "../src/index"

const S = NANOS_PER_SECOND
const MS = NANOS_PER_MILLI

const pod = (name: string, probe: string) => `      apiVersion: v1
      kind: Pod
      metadata: {name: ${name}, labels: {app: web}}
      spec:
        containers:
          - name: nginx
            image: nginx:1.25
${probe}`
const PROBE = `            readinessProbe:
              httpGet: {path: /, port: 80}
              periodSeconds: 2
              failureThreshold: 3
`

/** web-1 turns unready at 20 s and ready again at 40 s; web-2 stays ready; 20 requests/s from a pod. */
const scenario = `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: readiness-through-the-app}
manifests:
  - inline: |
${pod("web-1", PROBE)}      ---
${pod("web-2", PROBE)}      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec: {selector: {app: web}, ports: [{port: 80}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client}
      spec: {containers: [{name: c, image: busybox, command: [sleep, "3600"]}]}
clients:
  - {name: client, pod: client, traffic: {type: poisson, url: "http://web/", rate: 20, start: 10s, timeout: 5s}}
actions:
  - {at: 20s, setReadiness: {pod: web-1, ready: false}}
  - {at: 40s, setReadiness: {pod: web-1, ready: true}}
duration: 55s
`

/** Samples, every 100 ms, whether the EndpointSlices of `web` list web-1 as ready. */
class SliceSampler implements apps.AppTimer {
  readonly samples: Array<{ t: number; ready: boolean | undefined }> = []
  constructor(private readonly c: cluster.Cluster) {}
  onAppTimer(): void {
    const eps = this.c.store.list("EndpointSlice", { namespace: "default" }).flatMap((s) => s.endpoints)
    const e = eps.find((x) => x.targetRef?.name === "web-1")
    this.samples.push({ t: this.c.sim.now, ready: e?.conditions?.ready })
    this.c.sim.after(100 * MS, this.c.env.timerKind, this)
  }
  /** Times at which web-1's ready condition changed after `from`. */
  changes(from: number): Array<{ t: number; ready: boolean | undefined }> {
    const out: Array<{ t: number; ready: boolean | undefined }> = []
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1]!
      const b = this.samples[i]!
      if (b.t >= from && a.ready !== b.ready) out.push(b)
    }
    return out
  }
}

describe("readiness flapping goes through the app and the kubelet's probe", () => {
  let sampler: SliceSampler | undefined
  const r = runScenario(loadScenarioText(scenario, "<test>"), {
    seed: 3,
    observe: {
      onCluster: (c) => {
        sampler = new SliceSampler(c)
        c.sim.at(0, c.env.timerKind, sampler)
      },
    },
  })
  const recs = r.records
  const kubeletSays = (verb: string) => recs.filter((x): x is records.ActionRecord => x.kind === "action" && x.actor.startsWith("kubelet/") && x.verb === verb && x.object === "Pod default/web-1")
  const web1 = recs.filter((x): x is records.RequestRecord => x.kind === "request" && x.pod === "web-1")

  test("the kubelet marks the pod not ready after failureThreshold failed probes (3 × 2 s), ready after one success", () => {
    const down = kubeletSays("not-ready").map((x) => x.t)
    expect(down).toHaveLength(1)
    // The first failing probe comes within one period of the change, the third two periods later.
    expect(down[0]! - 20 * S).toBeGreaterThan(2 * 2 * S)
    expect(down[0]! - 20 * S).toBeLessThanOrEqual(3 * 2 * S + 100 * MS)
    const up = kubeletSays("ready").map((x) => x.t).filter((t) => t > 40 * S)
    expect(up).toHaveLength(1)
    expect(up[0]! - 40 * S).toBeLessThanOrEqual(2 * S + 100 * MS)
    // The scenario's own record names what it did; the pod's status was written by the kubelet alone.
    expect(recs.filter((x) => x.kind === "action" && x.actor === "scenario" && x.verb === "set-not-ready").map((x) => (x as records.ActionRecord).detail)).toEqual(["actions[0]"])
  })

  test("the EndpointSlice follows the kubelet: web-1 not ready after the probe's verdict, ready again after", () => {
    const down = kubeletSays("not-ready")[0]!.t
    const changes = sampler!.changes(15 * S)
    expect(changes.map((x) => x.ready)).toEqual([false, true])
    expect(changes[0]!.t).toBeGreaterThan(down)
    expect(changes[0]!.t - down).toBeLessThan(500 * MS)
    expect(changes[1]!.t).toBeGreaterThan(40 * S)
  })

  test("traffic leaves the pod: 503s from its readiness path until kube-proxy drops it, then none until it is ready again", () => {
    const down = kubeletSays("not-ready")[0]!.t
    const up = kubeletSays("ready").filter((x) => x.t > 40 * S)[0]!.t
    const before = web1.filter((x) => x.t >= 10 * S && x.t < 20 * S)
    expect(before.length).toBeGreaterThan(50)
    expect(before.every((x) => x.status === 200)).toBe(true)
    const failing = web1.filter((x) => x.t > 20 * S + 10 * MS && x.t < down)
    expect(failing.length).toBeGreaterThan(10)
    expect(failing.every((x) => x.status === 503)).toBe(true)
    // minSyncPeriod 1 s + two informer lags: every node's rules drop web-1 within ~1.2 s of the kubelet's write.
    expect(web1.filter((x) => x.t > down + 1500 * MS && x.t < up).length).toBe(0)
    const after = web1.filter((x) => x.t > up + 1500 * MS)
    expect(after.length).toBeGreaterThan(30)
    expect(after.every((x) => x.status === 200)).toBe(true)
    // Meanwhile web-2 answered everything.
    const all = recs.filter((x): x is records.RequestRecord => x.kind === "request")
    expect(all.filter((x) => x.outcome === "failed")).toEqual([])
  })
})

test("readiness-flap churn: a 4 s down window flips a pod probed every 1 s (failureThreshold 1), not one needing 3 × 2 s", () => {
  // Only web-1's probe is changed (the first occurrence); web-2 keeps periodSeconds 2, failureThreshold 3.
  const flap = scenario
    .replace("periodSeconds: 2\n              failureThreshold: 3", "periodSeconds: 1\n              failureThreshold: 1")
    .replace(/actions:\n(?: {2}- .*\n)+/, "churn:\n  - {type: readiness-flap, selector: {app: web}, period: 10s, down: 4s, start: 12s, stop: 45s}\n")
  expect(flap).toContain("readiness-flap")
  const r = runScenario(loadScenarioText(flap, "<test>"), { seed: 2 })
  const acts = r.records.filter((x): x is records.ActionRecord => x.kind === "action")
  const kubelet = (verb: string, pod: string) => acts.filter((x) => x.actor.startsWith("kubelet/") && x.verb === verb && x.object === `Pod default/${pod}`)
  const downs = acts.filter((x) => x.actor === "scenario" && x.verb === "set-not-ready" && x.object === "Pod default/web-1")
  const ups = acts.filter((x) => x.actor === "scenario" && x.verb === "set-ready" && x.object === "Pod default/web-1")
  expect(downs.length).toBeGreaterThanOrEqual(3)
  const notReady = kubelet("not-ready", "web-1")
  expect(notReady).toHaveLength(downs.length)
  // The next probe after the change fails and flips the pod; the next after the recovery passes.
  downs.forEach((d, i) => expect(notReady[i]!.t - d.t).toBeLessThanOrEqual(1 * S + 50 * MS))
  const readyAgain = kubelet("ready", "web-1").slice(1)
  ups.forEach((u, i) => expect(readyAgain[i]!.t - u.t).toBeLessThanOrEqual(1 * S + 50 * MS))
  expect(kubelet("not-ready", "web-2")).toEqual([])
})
