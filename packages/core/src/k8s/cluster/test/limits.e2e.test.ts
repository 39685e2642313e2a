import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { S } from "./e2e-support"

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: nginx
          image: nginx:1.25
`

describe("cluster limits are reported as a real cluster reports them, and the run goes on", () => {
  it("maxPods: nodes advertise pods capacity 110 by default; pods beyond it stay Pending with the scheduler's FitError", () => {
    expect(Cluster.create({ nodeCount: 1 }).store.get("Node", undefined, "kind-worker")?.status.allocatable).toEqual({ cpu: "8", pods: "110" })
    const c = Cluster.create({ seed: 2, nodeCount: 2, maxPods: 4 })
    c.apply(deployment(9), { file: "web.yml" })
    c.runUntil(30 * S)
    const pods = c.store.list("Pod", { namespace: "default", labelSelector: { matchLabels: { app: "web" } } })
    const bound = c.store.list("Pod").filter((p) => p.spec.nodeName !== undefined && p.spec.nodeName !== "")
    const perNode = new Map<string, number>()
    for (const p of bound) perNode.set(p.spec.nodeName as string, (perNode.get(p.spec.nodeName as string) ?? 0) + 1)
    expect([...perNode.values()].every((n) => n <= 4)).toBe(true)
    const pending = pods.filter((p) => p.spec.nodeName === undefined || p.spec.nodeName === "")
    expect(pending.length).toBe(9 + 2 - 8)
    for (const p of pending) {
      expect(p.status.phase).toBe("Pending")
      expect(p.status.conditions?.find((x) => x.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable", message: "0/2 nodes are available: 2 Too many pods." })
    }
    // Scaling down frees room: the pending pods are deleted first (unscheduled pods rank first in getPodsToDelete).
    c.apply(deployment(2), { file: "web.yml" })
    c.runUntil(60 * S)
    expect(c.store.list("Pod", { namespace: "default" }).every((p) => p.status.phase === "Running")).toBe(true)
  })

  it("Pod IP exhaustion: a node whose pod CIDR is full records FailedCreatePodSandBox and retries; the pod starts when an address frees up", () => {
    // A /29 pod CIDR: host-local hands out .2–.6 (the gateway .1 is never given), five addresses.
    const c = Cluster.create({ seed: 4, nodes: [{ name: "kind-worker", ip: "172.18.0.3", podCIDR: "10.244.1.0/29" }], maxPods: 20, corednsReplicas: 1 })
    c.apply(deployment(6), { file: "web.yml" })
    c.runUntil(40 * S)
    const failed = c.records.ofKind("action").filter((a) => a.verb === "FailedCreatePodSandBox")
    expect(failed.length).toBeGreaterThanOrEqual(2)
    expect(failed[0]?.detail).toBe(
      'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.244.1.1-10.244.1.6',
    )
    const running = c.store.list("Pod").filter((p) => p.status.phase === "Running")
    expect(running.length).toBe(5)
    const waiting = c.store.list("Pod").filter((p) => p.status.phase === "Pending")
    expect(waiting.length).toBe(2)
    // Retries every 10 s (pod workers' back-off) while the range stays full.
    const times = failed.filter((a) => a.object === failed[0]?.object).map((a) => a.t)
    expect(times[1]! - times[0]!).toBe(10 * S)
    // Freeing addresses lets the waiting pods start.
    c.apply(deployment(3), { file: "web.yml" })
    c.runUntil(120 * S)
    expect(c.store.list("Pod").filter((p) => p.metadata.deletionTimestamp === undefined).every((p) => p.status.phase === "Running")).toBe(true)
  })
})
