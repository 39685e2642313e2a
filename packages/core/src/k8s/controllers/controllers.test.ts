import { describe, expect, it } from "vitest"
import { seconds } from "../../sim/index"
import { ALPHANUMS } from "./util/names"
import { testCluster, webDeployment, webService } from "./test-support/cluster"

const suffix = `[${ALPHANUMS}]{5}`

describe("controllers together (the seed walkthrough)", () => {
  it("a 3-replica Deployment and its Service converge: names, hash, revision, endpoints, ClusterIP", () => {
    const c = testCluster(7)
    c.apply(webDeployment(3))
    c.apply(webService())
    c.sim.run({ until: seconds(30) })
    const rss = c.store.list("ReplicaSet")
    expect(rss).toHaveLength(1)
    const rs = rss[0]!
    expect(rs.metadata.name).toMatch(/^web-deploy-[4-9bcdf]{1,10}$/)
    expect(rs.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1")
    const hash = rs.metadata.name.slice("web-deploy-".length)
    const pods = c.store.list("Pod")
    expect(pods).toHaveLength(3)
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-deploy-${hash}-${suffix}$`))
      expect(p.metadata.labels?.["pod-template-hash"]).toBe(hash)
      expect(p.status.phase).toBe("Running")
      expect(p.spec.nodeName).toMatch(/^node-\d$/)
    }
    // Spread: 3 pods on 3 empty nodes land one per node.
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3)
    const svc = c.store.get("Service", "default", "web-service")!
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\./)
    const slices = c.store.list("EndpointSlice")
    expect(slices).toHaveLength(1)
    const s = slices[0]!
    expect(s.metadata.name).toMatch(new RegExp(`^web-service-${suffix}$`))
    expect(s.metadata.labels).toMatchObject({ "kubernetes.io/service-name": "web-service", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" })
    expect(s.ports).toEqual([{ name: "", port: 80, protocol: "TCP" }])
    expect(s.endpoints.map((e) => e.targetRef?.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort())
    expect(s.endpoints.every((e) => e.conditions.ready === true && e.conditions.serving === true && e.conditions.terminating === false)).toBe(true)
    const d = c.store.get("Deployment", "default", "web-deploy")!
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 })
    expect(d.status.conditions?.find((x) => x.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable")
    const last = c.log.ofKind("endpoints").at(-1)!
    expect(last.service).toBe("default/web-service")
    expect(last.endpoints).toHaveLength(3)
  })

  it("a rolling update creates revision 2 and replaces every pod", () => {
    const c = testCluster(11)
    c.apply(webDeployment(4))
    c.sim.run({ until: seconds(20) })
    c.apply(webDeployment(4, "nginx:1.26"))
    c.sim.run({ until: seconds(60) })
    const rss = c.store.list("ReplicaSet")
    expect(rss).toHaveLength(2)
    const newRS = rss.find((r) => r.spec.template.spec.containers[0]!.image === "nginx:1.26")!
    const oldRS = rss.find((r) => r !== newRS)!
    expect(newRS.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2")
    expect(newRS.spec.replicas).toBe(4)
    expect(oldRS.spec.replicas).toBe(0)
    const pods = c.store.list("Pod")
    expect(pods).toHaveLength(4)
    expect(pods.every((p) => p.spec.containers[0]!.image === "nginx:1.26")).toBe(true)
    expect(c.store.get("Deployment", "default", "web-deploy")!.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2")
  })

  it("a failed node: NotReady after the grace period, endpoints not ready, eviction after 300 s, pods recreated elsewhere", () => {
    const c = testCluster(3)
    c.apply(webDeployment(3))
    c.apply(webService())
    c.sim.run({ until: seconds(20) })
    const victim = c.store.list("Pod")[0]!
    const node = victim.spec.nodeName!
    c.kubelets.find((k) => k.node === node)!.fail()
    c.sim.run({ until: seconds(60) })
    expect(c.store.get("Node", undefined, node)!.status.conditions?.find((x) => x.type === "Ready")?.status).toBe("True")
    c.sim.run({ until: seconds(90) })
    expect(c.store.get("Node", undefined, node)!.status.conditions?.find((x) => x.type === "Ready")?.status).toBe("Unknown")
    expect(c.store.get("Node", undefined, node)!.spec.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual(["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"])
    const ep = c.store.list("EndpointSlice")[0]!.endpoints.find((e) => e.targetRef?.name === victim.metadata.name)!
    expect(ep.conditions).toEqual({ ready: false, serving: false, terminating: false })
    c.sim.run({ until: seconds(400) })
    const evicted = c.store.get("Pod", "default", victim.metadata.name)!
    expect(evicted.metadata.deletionTimestamp).toBeDefined()
    const live = c.store.list("Pod").filter((p) => p.metadata.deletionTimestamp === undefined)
    expect(live).toHaveLength(3)
    expect(live.every((p) => p.spec.nodeName !== node && p.status.phase === "Running")).toBe(true)
    c.kubelets.find((k) => k.node === node)!.recover()
    c.sim.run({ until: seconds(420) })
    expect(c.store.get("Pod", "default", victim.metadata.name)).toBeUndefined()
    expect(c.store.get("Node", undefined, node)!.spec.taints ?? []).toEqual([])
  })

  it("node lifecycle timings: Unknown on the first 5 s tick after lease + 50 s; eviction 300 s after the taint", () => {
    const c = testCluster(5)
    c.apply(webDeployment(3))
    c.sim.run({ until: seconds(20) })
    const victim = c.store.list("Pod")[0]!
    const node = victim.spec.nodeName!
    // The kubelet renewed its lease at 20 s (every 10 s from 0): the grace period (50 s) ends at 70 s, and
    // monitorNodeHealth needs probeTimestamp + grace to be *before* now — so the 75 s tick, not the 70 s one.
    c.kubelets.find((k) => k.node === node)!.fail()
    const ready = () => c.store.get("Node", undefined, node)!.status.conditions?.find((x) => x.type === "Ready")?.status
    c.sim.run({ until: seconds(74.999) })
    expect(ready()).toBe("True")
    c.sim.run({ until: seconds(75) })
    expect(ready()).toBe("Unknown")
    // DefaultTolerationSeconds: 300 s from when the taint manager saw the NoExecute taint (75 s + sync delays).
    c.sim.run({ until: seconds(374.999) })
    expect(c.store.get("Pod", "default", victim.metadata.name)!.metadata.deletionTimestamp).toBeUndefined()
    c.sim.run({ until: seconds(376) })
    expect(c.store.get("Pod", "default", victim.metadata.name)!.metadata.deletionTimestamp).toBeDefined()
  })
})
