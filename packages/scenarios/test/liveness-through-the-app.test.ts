import { NANOS_PER_SECOND, records } from "@kubesim/core"
import { expect, test } from "vitest"
import { loadScenarioText, prepareScenario, runScenario } from "../src/index"

const S = NANOS_PER_SECOND

const scenario = (probe: string) => `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: liveness-through-the-app}
manifests:
  - inline: |
      apiVersion: v1
      kind: Pod
      metadata: {name: web-1, labels: {app: web}}
      spec:
        containers:
          - name: nginx
            image: nginx:1.25
${probe}      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec: {selector: {app: web}, ports: [{port: 80}]}
churn:
  - {type: liveness-fail, selector: {app: web}, period: 30s, stop: 70s}
duration: 90s
`
const PROBES = `            livenessProbe:
              httpGet: {path: /healthz, port: 80}
              periodSeconds: 2
              failureThreshold: 3
            readinessProbe:
              httpGet: {path: /, port: 80}
              periodSeconds: 1
`

test("liveness-fail churn: the app's liveness path fails, the kubelet restarts nginx after failureThreshold × periodSeconds (pkg/kubelet/prober/worker.go), endpoints follow", () => {
  const r = runScenario(loadScenarioText(scenario(PROBES), "<test>"), { seed: 4 })
  const acts = r.records.filter((x): x is records.ActionRecord => x.kind === "action")
  const fails = acts.filter((x) => x.actor === "scenario" && x.verb === "set-unhealthy")
  expect(fails.map((x) => x.t)).toEqual([30 * S, 60 * S])
  const unhealthy = acts.filter((x) => x.actor.startsWith("kubelet/") && x.verb === "unhealthy")
  expect(unhealthy.map((x) => x.detail)).toEqual(["Container nginx failed liveness probe, will be restarted", "Container nginx failed liveness probe, will be restarted"])
  // Three failed probes, 2 s apart: the kill comes 4–6 s after the app turned unhealthy.
  unhealthy.forEach((u, i) => {
    expect(u.t - fails[i]!.t).toBeGreaterThan(4 * S)
    expect(u.t - fails[i]!.t).toBeLessThanOrEqual(6 * S + S / 10)
  })
  const starts = acts.filter((x) => x.actor.startsWith("kubelet/") && x.verb === "start" && x.object === "Pod default/web-1")
  expect(starts).toHaveLength(3)
  // kuberuntime_manager.go doBackOff: the first restart at once, the second 10 s after the kill.
  expect(starts[1]!.t - unhealthy[0]!.t).toBeLessThan(1 * S)
  expect(starts[2]!.t - unhealthy[1]!.t).toBeGreaterThanOrEqual(10 * S)
  // Endpoints: web-1 leaves the ready set during each restart and comes back.
  const eps = r.records.filter((x): x is records.EndpointsRecord => x.kind === "endpoints" && x.service === "default/web")
  const readyCounts = eps.map((e) => e.endpoints.filter((x) => x.ready).length)
  expect(readyCounts.filter((n, i) => n === 0 && readyCounts[i - 1] === 1).length).toBeGreaterThanOrEqual(2)
  expect(readyCounts.at(-1)).toBe(1)
})

test("liveness-fail is rejected for pods without a liveness probe their app can fail", () => {
  expect(() => prepareScenario(loadScenarioText(scenario(""), "<test>"))).toThrow(/liveness-fail -l app=web selects pods of Pod default\/web-1, which have no liveness probe their app can fail/)
})
