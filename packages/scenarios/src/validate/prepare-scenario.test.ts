import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { loadScenarioFile } from "../format/load-scenario"
import { ScenarioError } from "../format/scenario-issue"
import { prepareScenario } from "./prepare-scenario"

const dir = mkdtempSync(join(tmpdir(), "kubesim-scenario-"))
writeFileSync(
  join(dir, "web.yml"),
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
`,
)
writeFileSync(join(dir, "bad.yml"), "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 70000}]\n")

/** Writes a scenario beside the manifests and returns every problem reported before the run. */
const problems = (body: string): string[] => {
  const f = join(dir, `s-${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(f, `apiVersion: kubesim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nduration: 60s\n${body}`)
  try {
    prepareScenario(loadScenarioFile(f))
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => i.message)
    throw e
  }
  return []
}

describe("malformed scenarios fail before the run with clear errors", () => {
  test("a valid scenario passes", () => {
    expect(problems("manifests: [{file: web.yml}]\nactions: [{at: 10s, scale: {deployment: web, replicas: 2}}]\n")).toEqual([])
  })

  test("unknown action", () => {
    expect(problems("manifests: [{file: web.yml}]\nactions: [{at: 10s, reboot: kind-worker}]\n")).toEqual([
      'actions[0]: unknown action "reboot" (expected one of apply, delete, scale, kill, rollout, failNode, recoverNode, setReadiness)',
    ])
  })

  test("bad duration", () => {
    const m = problems("actions: [{at: 10 s, failNode: kind-worker}]\n")
    expect(m).toHaveLength(1)
    expect(m[0]).toMatch(/^actions\[0\]\.at: expected duration \(Go syntax.*found string "10 s"/)
  })

  test("missing manifest file", () => {
    expect(problems("manifests: [{file: nope.yml}]\n")).toEqual([`manifests[0].file: manifest file "nope.yml": no such file (looked for ${join(dir, "nope.yml")})`])
  })

  test("selector matching nothing, unknown deployment, pod and node: all reported together", () => {
    expect(
      problems(`manifests: [{file: web.yml}]
actions:
  - {at: 1s, kill: {selector: {app: api}}}
  - {at: 2s, rollout: {deployment: api}}
  - {at: 3s, failNode: node-9}
clients:
  - {name: c, pod: busybox, traffic: {type: loop, url: "http://web/"}}
churn:
  - {type: readiness-flap, selector: {app: web}, period: 5s, down: 10s}
`),
    ).toEqual([
      'clients[0].pod: pod "default/busybox" is not created by any manifest of the scenario',
      'actions[0].kill.selector: selector app=api matches no pod the scenario creates in namespace "default"',
      'actions[1].rollout.deployment: deployment "default/api" is not created by any manifest of the scenario',
      'actions[2].failNode: no node "node-9" in the cluster (nodes: kind-worker, kind-worker2, kind-worker3)',
      "churn[0].selector: readiness-flap -l app=web selects pods of Deployment default/web, which have no readiness probe their app can fail: a pod without a readiness probe is Ready whenever its containers run and cannot flap (add a readinessProbe: httpGet on nginx's port 80, or exec)",
      "churn[0].down: down (10s) must be shorter than period (5s)",
    ])
  })

  test("readiness actions need a readiness probe the app can fail: none, tcpSocket and a non-nginx httpGet are rejected before the run", () => {
    const pod = (name: string, container: string) => `  - inline: |
      apiVersion: v1
      kind: Pod
      metadata: {name: ${name}, labels: {app: ${name}}}
      spec: {containers: [${container}]}
`
    const text = `manifests:
${pod("plain", "{name: c, image: nginx}")}${pod("tcp", "{name: c, image: nginx, readinessProbe: {tcpSocket: {port: 80}}}")}${pod("busy", '{name: c, image: busybox, readinessProbe: {httpGet: {path: /, port: 80}}}')}${pod("good", "{name: c, image: nginx, readinessProbe: {httpGet: {path: /, port: 80}}}")}${pod("ex", '{name: c, image: busybox, readinessProbe: {exec: {command: ["true"]}}}')}actions:
  - {at: 1s, setReadiness: {pod: plain, ready: false}}
  - {at: 2s, setReadiness: {selector: {app: tcp}, ready: false}}
  - {at: 3s, setReadiness: {pod: good, ready: false}}
  - {at: 4s, setReadiness: {pod: ex, ready: false}}
churn:
  - {type: readiness-flap, selector: {app: busy}, period: 5s, down: 1s}
`
    const m = problems(text)
    expect(m.map((x) => x.slice(0, x.indexOf(":")))).toEqual(["actions[0].setReadiness.pod", "actions[1].setReadiness.selector", "churn[0].selector"])
    expect(m[0]).toContain("setReadiness of pod plain selects pods of Pod default/plain, which have no readiness probe their app can fail")
    expect(m[1]).toContain("Pod default/tcp")
    expect(m[2]).toContain("readiness-flap -l app=busy selects pods of Pod default/busy")
  })

  test("manifest errors come from the core's decoder with file and document; actions after the end are caught", () => {
    expect(problems("manifests: [{file: bad.yml}]\nactions: [{at: 90s, phase: late}]\n")).toEqual([
      'The Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive (document 1)',
      // targetPort defaults to port (SetDefaults_Service), so it is out of range too, as the API server says.
      'The Service "web" is invalid: spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive (document 1)',
      "actions[0].at: action at 90s is after the end of the run (60s)",
    ])
  })

  test("a variant whose overrides do not type-check is reported", () => {
    expect(problems('variants: [{name: v, set: {duration: "soon"}}]\n')[0]).toMatch(/^variants\[0\] \(v\): duration: expected duration/)
  })

  test("a bad kubesim.dev/* app annotation on a pod template is reported with the object, before the run", () => {
    const dep = (ann: string) =>
      `manifests:\n  - inline: |\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: web}\n      spec:\n        selector: {matchLabels: {app: web}}\n        template:\n          metadata: {labels: {app: web}, annotations: {${ann}}}\n          spec: {containers: [{name: nginx, image: nginx}]}\n`
    expect(problems(dep('kubesim.dev/service-time: "lognormal(median=2ms, sigma=0.5)"'))).toEqual([])
    expect(problems(dep('kubesim.dev/service-time: "exponential(2ms"'))).toEqual([
      'Deployment default/web: annotation kubesim.dev/service-time: unbalanced parentheses in "exponential(2ms"; expected constant(<duration>), exponential(mean=<duration>), lognormal(median=<duration>, sigma=<number>) or lognormal(mu=<number>, sigma=<number>)',
    ])
  })
})
