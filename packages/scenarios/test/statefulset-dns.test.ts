import { records } from "@kubesim/core"
import { expect, test } from "vitest"
import { loadScenarioText, runScenario } from "../src/index"

/**
 * A StatefulSet behind its headless Service: each pod has the DNS name `<pod>.<service>.<ns>.svc.cluster.local`
 * (the pod's hostname and subdomain → the EndpointSlice endpoint's hostname → CoreDNS' kubernetes plugin). The
 * client asks for `db-1.db` (search list: default.svc.cluster.local) over UDP to kube-dns, then connects to the
 * address it got: every request lands on db-1.
 */
const scenario = `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: statefulset-dns}
manifests:
  - inline: |
      apiVersion: v1
      kind: Service
      metadata: {name: db}
      spec:
        clusterIP: None
        selector: {app: db}
        ports: [{port: 80}]
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        serviceName: db
        replicas: 3
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers: [{name: nginx, image: nginx:1.25, ports: [{containerPort: 80}]}]
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: db-config}
      data: {mode: primary}
      ---
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: db}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client}
      spec: {containers: [{name: c, image: busybox, command: [sleep, "3600"]}]}
clients:
  - {name: client, pod: client, traffic: {type: poisson, url: "http://db-1.db/", rate: 10, start: 20s, timeout: 5s}}
duration: 40s
`

test("a StatefulSet pod's DNS name through the headless Service resolves to that pod over the packet path", () => {
  const r = runScenario(loadScenarioText(scenario, "<test>"), { seed: 3 })
  const reqs = r.records.filter((x): x is records.RequestRecord => x.kind === "request")
  expect(reqs.length).toBeGreaterThan(100)
  expect(reqs.filter((x) => x.outcome !== "ok")).toEqual([])
  expect(new Set(reqs.map((x) => x.pod))).toEqual(new Set(["db-1"]))
  // The answers came from CoreDNS over UDP (dns records of the client's lookups).
  const dns = r.records.filter((x) => x.kind === "dns")
  expect(dns.length).toBeGreaterThan(0)
  expect(JSON.stringify(dns)).toContain("db-1.db.default.svc.cluster.local")
})
