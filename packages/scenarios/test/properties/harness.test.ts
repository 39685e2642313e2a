import { type cluster, NANOS_PER_SECOND, net } from "@kubesim/core"
import { describe, expect, it } from "vitest"
import type { ClusterPlan, GeneratedCase } from "./arbitraries/cluster-plan"
import { DEFAULT_INPUTS } from "./arbitraries/random-cluster"
import { checkCase } from "./harness/check-case"

const S = NANOS_PER_SECOND

/** Two nodes, three nginx pods behind a ClusterIP Service, a pod client by name, one pod killed at 6 s. */
const plan: ClusterPlan = {
  nodes: 2,
  lbAlgorithm: "random",
  minSyncPeriodMs: 1_000,
  apps: [{ namespace: 0, replicas: 3, barePods: 0, probe: null, liveness: null, terminationGracePeriodSeconds: 0 }],
  services: [
    {
      kind: "ClusterIP",
      app: 0,
      ports: [{ named: false, port: 80, protocol: "TCP", target: "80" }],
      affinity: null,
      externalTrafficPolicy: "Cluster",
      internalTrafficPolicy: "Cluster",
      fixedClusterIP: false,
      externalName: 0,
    },
  ],
  clients: [{ external: null, service: 0, target: "name", node: 0, traffic: { type: "poisson", intensity: 5, pauseMs: 100, connection: null, maxRequests: 0, timeoutMs: 1_000, startMs: 2_000 } }],
  changes: [{ kind: "kill", atMs: 6_000, a: 0, b: 0, c: 0, edit: null }],
  upstreamNames: 0,
  durationMs: 12_000,
  inputs: DEFAULT_INPUTS,
}
const gc: GeneratedCase = { plan, seed: 5 }

/** Runs `f` on the cluster at simulated time `t`. */
const at = (t: number, f: (c: cluster.Cluster) => void) => (c: cluster.Cluster) => c.sim.at(t, c.env.timerKind, { onAppTimer: () => f(c) })

describe("the random-cluster harness catches what it checks", () => {
  it("a healthy cluster passes, with every invariant exercised", () => {
    const r = checkCase(gc)
    expect(r.violations).toEqual([])
    expect(r.checked.dnsAnswers).toBeGreaterThan(0)
    expect(r.checked.sliceWrites).toBeGreaterThan(0)
    expect(r.checked.dnats).toBeGreaterThan(0)
    expect(r.checked.rulesCompared).toBe(2)
  })

  it("a kube-proxy that stops hearing the API: its node's rules differ from a fresh kube-proxy's", () => {
    const r = checkCase(gc, { tamper: at(3 * S, (c) => c.node("kind-worker").proxy.stop()) })
    expect(r.violations.join("\n")).toMatch(/kind-worker's rules differ from a fresh kube-proxy's/)
    expect(r.violations.join("\n")).not.toMatch(/kind-worker2's rules differ/)
  })

  it("a restore the kernel refuses (a foreign rule jumps to the endpoint chains kube-proxy deletes)", () => {
    const r = checkCase(gc, {
      tamper: at(4 * S, (c) => {
        const rs = c.node("kind-worker").ruleset
        const seps = [...(rs.table("nat")?.chains.keys() ?? [])].filter((n) => n.startsWith("KUBE-SEP-"))
        net.applyRestore(rs, `*nat\n${seps.map((n) => `-A OUTPUT -d 192.0.2.1/32 -j ${n}\n`).join("")}COMMIT\n`, { noflush: true })
      }),
    })
    expect(r.violations.join("\n")).toMatch(/kind-worker: the kernel rejects kube-proxy's restore payload: .*deleted but still referenced/)
  })

  it("DNS answers that are not the plugin's", () => {
    const r = checkCase(gc, {
      tamper: (c) => {
        c.coredns.answer = () => ({ rcode: "NXDOMAIN", authoritative: true, answer: [], authority: [], additional: [] })
      },
    })
    expect(r.violations.join("\n")).toMatch(/DNS A svc-0\.default\.svc\.cluster\.local\. to .*: the packet path answered NOERROR \[A 10\.\d+\.\d+\.\d+\], CoreDNS's plugin answered NXDOMAIN \[\]/)
  })

  it("a Ready endpoint of a pod that does not exist", () => {
    const slice = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: svc-0-bogus
  labels: {kubernetes.io/service-name: svc-0}
addressType: IPv4
endpoints:
  - addresses: [10.244.9.9]
    conditions: {ready: true}
    targetRef: {kind: Pod, namespace: default, name: ghost}
ports:
  - {port: 80, protocol: TCP}
`
    const r = checkCase(gc, { tamper: at(5 * S, (c) => void c.apply(slice)) })
    expect(r.violations.join("\n")).toMatch(/EndpointSlice default\/svc-0-bogus: Ready endpoint 10\.244\.9\.9 of pod default\/ghost: no such pod ever existed/)
  })
})
