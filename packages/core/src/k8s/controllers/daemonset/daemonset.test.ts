import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../../../sim/index"
import { isPodReady } from "../util/pods"
import { daemonSetManifest, testCluster } from "../test-support/cluster"

const seconds = (s: number) => s * NANOS_PER_SECOND

const ds = daemonSetManifest

type C = ReturnType<typeof testCluster>
const podsByNode = (c: C) =>
  Object.fromEntries(
    c.store
      .list("Pod", { namespace: "default" })
      .filter((p) => p.metadata.deletionTimestamp === undefined)
      .map((p) => [p.spec.nodeName, p.spec.containers[0]!.image]),
  )

describe("DaemonSet controller (pkg/controller/daemon)", () => {
  it("one pod per node, bound to it, with the daemon tolerations; status counts", () => {
    const c = testCluster(1, 3)
    c.apply(ds())
    c.sim.run({ until: seconds(5) })
    expect(podsByNode(c)).toEqual({ "node-1": "agent:1", "node-2": "agent:1", "node-3": "agent:1" })
    const pod = c.store.list("Pod", { namespace: "default" })[0]!
    expect(pod.metadata.name).toMatch(/^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    expect(pod.spec.tolerations).toEqual(
      expect.arrayContaining([
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
        { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
      ]),
    )
    expect(c.store.get("DaemonSet", "default", "agent")!.status).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
      numberUnavailable: 0,
      numberMisscheduled: 0,
    })
  })

  it("follows nodes: a NoSchedule taint it does not tolerate keeps the pod but blocks new ones, NoExecute removes it, a new node gets one", () => {
    const c = testCluster(2, 3)
    c.apply(ds())
    c.sim.run({ until: seconds(5) })
    const taint = (name: string, effect: "NoSchedule" | "NoExecute") => {
      const n = c.store.get("Node", undefined, name)!
      c.store.update({ ...n, spec: { ...n.spec, taints: [{ key: "dedicated", value: "db", effect }] } })
    }
    taint("node-1", "NoSchedule")
    c.sim.run({ until: seconds(10) })
    expect(Object.keys(podsByNode(c)).sort()).toEqual(["node-1", "node-2", "node-3"])
    taint("node-2", "NoExecute")
    c.sim.run({ until: seconds(15) })
    expect(Object.keys(podsByNode(c)).sort()).toEqual(["node-1", "node-3"])
    c.store.delete("Node", undefined, "node-3")
    c.sim.run({ until: seconds(20) })
    expect(Object.keys(podsByNode(c)).sort()).toEqual(["node-1"])
    expect(c.store.get("DaemonSet", "default", "agent")!.status).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1 })
  })

  it("a nodeSelector limits it to matching nodes", () => {
    const c = testCluster(3, 3)
    c.apply(ds("agent:1", "      nodeSelector: {topology.kubernetes.io/zone: zone-1}\n"))
    c.sim.run({ until: seconds(5) })
    expect(Object.keys(podsByNode(c)).sort()).toEqual(["node-1", "node-3"])
  })

  it("RollingUpdate (maxUnavailable 1): nodes are updated one at a time, never more than one unavailable", () => {
    const c = testCluster(4, 4)
    c.apply(ds())
    c.sim.run({ until: seconds(5) })
    let worst = 0
    c.store.watch("Pod", () => {
      const ready = c.store.list("Pod", { namespace: "default" }).filter((p) => p.metadata.deletionTimestamp === undefined && isPodReady(p))
      worst = Math.max(worst, 4 - ready.length)
    })
    c.apply(ds("agent:2"))
    c.sim.run({ until: seconds(30) })
    expect(podsByNode(c)).toEqual({ "node-1": "agent:2", "node-2": "agent:2", "node-3": "agent:2", "node-4": "agent:2" })
    expect(worst).toBe(1)
    const deletes = c.log.ofKind("action").filter((a) => a.actor === "daemonset-controller" && a.verb === "delete")
    expect(deletes).toHaveLength(4)
    expect(new Set(deletes.map((a) => a.t)).size).toBe(4)
  })
})
