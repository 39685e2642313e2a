import type { records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { manifestClientPod, manifestClients, runScenario, scenarioFromObject } from "../src/index"
import type { ServiceForClients } from "../src/index"

const svc = (name: string, spec: ServiceForClients["spec"]): ServiceForClients => ({ metadata: { name }, spec })

describe("clients for plain manifests: one wget loop per Service port", () => {
  test("each TCP port of each Service, headless at the pods' port, ExternalName through its name", () => {
    const clients = manifestClients(
      [
        svc("web", { ports: [{ port: 80, targetPort: 8080 }, { port: 8443, targetPort: 8443 }, { port: 53, protocol: "UDP" }] }),
        svc("db", { clusterIP: "None", ports: [{ port: 5432, targetPort: 15432 }] }),
        svc("named", { clusterIP: "None", ports: [{ port: 81, targetPort: "http" }] }),
        svc("ext", { type: "ExternalName" }),
        svc("bare-headless", { clusterIP: "None" }),
      ],
      new Set(["default/busybox-named"]),
    )
    expect(clients.map((c) => [c.pod, c.url])).toEqual([
      ["busybox-web-80", "http://web"],
      ["busybox-web-8443", "http://web:8443"],
      ["busybox-db", "http://db:15432"],
      ["busybox-ext", "http://ext"],
    ])
  })
  test("one Service with one port keeps the walkthrough's pod name", () => {
    const [c] = manifestClients([svc("web-service", { ports: [{ port: 80 }] })], new Set())
    expect(c!.pod).toBe("busybox")
    expect(manifestClientPod(c!)).toContain(`command: ["sh", "-c", "while true; do wget -q -O - http://web-service; sleep 1; done"]`)
  })

  test("run: every Service port gets requests, the headless one straight to a pod", () => {
    const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25", ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 80}, {name: alt, port: 8080, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`
    const services: ServiceForClients[] = [
      svc("web", { ports: [{ port: 80, targetPort: 80 }, { port: 8080, targetPort: 80 }] }),
      svc("web-headless", { clusterIP: "None", ports: [{ port: 80, targetPort: 80 }] }),
    ]
    const pods = manifestClients(services, new Set()).map(manifestClientPod)
    const loaded = scenarioFromObject(
      {
        apiVersion: "kubesim.dev/v1alpha1",
        kind: "Scenario",
        metadata: { name: "plain" },
        manifests: [{ inline: manifests }],
        actions: [{ at: "10s", phase: "traffic", apply: { inline: `${pods.join("\n---\n")}\n` } }],
        duration: "20s",
      },
      { name: "plain", baseDir: "/" },
    )
    const r = runScenario(loaded, { seed: 1 })
    const reqs = r.records.filter((x): x is records.RequestRecord => x.kind === "request")
    const byUrl = new Map<string, records.RequestRecord[]>()
    for (const x of reqs) byUrl.set(x.url, [...(byUrl.get(x.url) ?? []), x])
    expect([...byUrl.keys()].sort()).toEqual(["http://web", "http://web-headless", "http://web:8080"])
    for (const [url, list] of byUrl) {
      expect(list.length, url).toBeGreaterThan(3)
      expect(list.filter((x) => x.outcome === "ok").length, url).toBeGreaterThan(3)
    }
    expect(byUrl.get("http://web:8080")![0]!.service).toBe("default/web:alt")
    // headless: the name resolves to the pods, wget connects to a pod IP at their port
    expect(byUrl.get("http://web-headless")!.every((x) => /^10\.244\.\d+\.\d+:80$/.test(x.dst))).toBe(true)
  })
})
