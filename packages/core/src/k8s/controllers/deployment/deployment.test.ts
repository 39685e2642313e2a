import { describe, expect, it } from "vitest"
import { type Deployment, type ReplicaSet, defaultDeployment, defaultReplicaSet } from "../../api/index"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../../sim/index"
import { testCluster, webDeployment } from "../test-support/cluster"
import { availableReplicaCount, deploymentTimedOut, setDeploymentCondition } from "./deployment-util"

const seconds = (s: number) => s * NANOS_PER_SECOND

const rs = (spec: number, available: number): ReplicaSet => {
  const r = defaultReplicaSet({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "r" }, spec: { replicas: spec } } as never, "default")
  return { ...r, status: { replicas: available, availableReplicas: available } }
}

const progressing = (d: Deployment | undefined) => d?.status.conditions?.find((c) => c.type === "Progressing")

describe("deployment_util.go", () => {
  it("GetAvailableReplicaCountForReplicaSets sums raw status counts, even above spec.replicas (a status from before a scale-down)", () => {
    expect(availableReplicaCount([rs(2, 3), rs(1, 0)])).toBe(3)
    expect(availableReplicaCount([rs(0, 2), rs(4, 4)])).toBe(6)
  })

  it("SetDeploymentCondition: same status and reason is no change; a new reason keeps lastTransitionTime and moves to the end", () => {
    const a = { type: "Progressing", status: "True" as const, lastUpdateTime: "t0", lastTransitionTime: "t0", reason: "NewReplicaSetCreated" }
    const av = { type: "Available", status: "True" as const, lastUpdateTime: "t0", lastTransitionTime: "t0", reason: "MinimumReplicasAvailable" }
    const s0 = { conditions: [a, av] }
    expect(setDeploymentCondition(s0, { ...a, lastUpdateTime: "t1", lastTransitionTime: "t1" })).toBe(s0)
    const s1 = setDeploymentCondition(s0, { ...a, lastUpdateTime: "t1", lastTransitionTime: "t1", reason: "ReplicaSetUpdated" })
    expect(s1.conditions).toEqual([av, { ...a, lastUpdateTime: "t1", lastTransitionTime: "t0", reason: "ReplicaSetUpdated" }])
  })

  it("DeploymentTimedOut: strictly after lastUpdateTime + progressDeadlineSeconds; never after NewReplicaSetAvailable; no deadline at MaxInt32", () => {
    const d = defaultDeployment({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { progressDeadlineSeconds: 10 } } as never, "default")
    const at = (reason: string) => ({ conditions: [{ type: "Progressing", status: "True" as const, lastUpdateTime: "2024-01-01T00:00:05Z", reason }] })
    expect(deploymentTimedOut(d, at("ReplicaSetUpdated"), seconds(15))).toBe(false)
    expect(deploymentTimedOut(d, at("ReplicaSetUpdated"), seconds(15) + 1)).toBe(true)
    expect(deploymentTimedOut(d, at("NewReplicaSetAvailable"), seconds(100))).toBe(false)
    const never = { ...d, spec: { ...d.spec, progressDeadlineSeconds: 2147483647 } }
    expect(deploymentTimedOut(never, at("ReplicaSetUpdated"), seconds(1e6))).toBe(false)
  })
})

describe("progress.go: the Progressing condition", () => {
  it("NewReplicaSetCreated on create, NewReplicaSetAvailable once complete; a rollout goes through ReplicaSetUpdated", () => {
    const c = testCluster(5)
    const seen: string[] = []
    c.store.watch("Deployment", (e) => {
      const p = progressing(e.object)
      if (p !== undefined && seen.at(-1) !== `${p.reason}: ${p.message}`) seen.push(`${p.reason}: ${p.message}`)
    })
    c.apply(webDeployment(3))
    c.sim.run({ until: seconds(20) })
    const rsName = c.store.list("ReplicaSet")[0]!.metadata.name
    expect(seen).toEqual([
      `NewReplicaSetCreated: Created new replica set "${rsName}"`,
      // The ReplicaSet's pods count as progress (updatedReplicas grew): DeploymentProgressing.
      `ReplicaSetUpdated: ReplicaSet "${rsName}" is progressing.`,
      `NewReplicaSetAvailable: ReplicaSet "${rsName}" has successfully progressed.`,
    ])
    const done = progressing(c.store.get("Deployment", "default", "web-deploy"))
    expect(done).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" })
    expect(done?.message).toMatch(/^ReplicaSet "web-deploy-[a-z0-9]+" has successfully progressed\.$/)

    const reasons: string[] = []
    c.store.watch("Deployment", (e) => {
      const r = progressing(e.object)?.reason
      if (r !== undefined && reasons.at(-1) !== r) reasons.push(r)
    })
    c.apply(webDeployment(3, "nginx:1.26"))
    c.sim.run({ until: seconds(60) })
    // The first event is the apply itself (the new template, the old condition).
    expect(reasons).toEqual(["NewReplicaSetAvailable", "NewReplicaSetCreated", "ReplicaSetUpdated", "NewReplicaSetAvailable"])
  })

  it("a rollout that makes no progress: ProgressDeadlineExceeded (False) just after progressDeadlineSeconds, rechecked on the deadline", () => {
    const c = testCluster(6)
    // No node carries the label: pods stay Pending, the rollout never progresses.
    const stuck = webDeployment(2).replace("  replicas: 2", "  replicas: 2\n  progressDeadlineSeconds: 30").replace("      containers:", "      nodeSelector:\n        disk: none\n      containers:")
    c.apply(stuck)
    c.sim.run({ until: seconds(30.5) })
    // Progress was last seen when the (Pending) pods were created, at t ≈ 0.
    expect(progressing(c.store.get("Deployment", "default", "web-deploy"))).toMatchObject({ reason: "ReplicaSetUpdated", lastUpdateTime: "2024-01-01T00:00:00Z" })
    c.sim.run({ until: seconds(32) })
    const cond = progressing(c.store.get("Deployment", "default", "web-deploy"))
    expect(cond).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded", lastTransitionTime: "2024-01-01T00:00:31Z" })
    expect(cond?.message).toMatch(/^ReplicaSet "web-deploy-[a-z0-9]+" has timed out progressing\.$/)
    const avail = c.store.get("Deployment", "default", "web-deploy")?.status.conditions?.find((x) => x.type === "Available")
    expect(avail).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable" })
  })

  it("pausing sets Progressing Unknown (DeploymentPaused), resuming DeploymentResumed, and a resumed rollout completes", () => {
    const c = testCluster(7)
    c.apply(webDeployment(2))
    c.sim.run({ until: seconds(20) })
    c.apply(webDeployment(2, "nginx:1.26").replace("  replicas: 2", "  replicas: 2\n  paused: true"))
    c.sim.run({ until: seconds(25) })
    expect(progressing(c.store.get("Deployment", "default", "web-deploy"))).toMatchObject({ status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" })
    expect(c.store.list("Pod").every((p) => p.spec.containers[0]!.image === "nginx:1.25")).toBe(true)
    c.apply(webDeployment(2, "nginx:1.26"))
    c.sim.run({ until: seconds(25.05) })
    expect(progressing(c.store.get("Deployment", "default", "web-deploy"))?.reason).toMatch(/^(DeploymentResumed|NewReplicaSetCreated|ReplicaSetUpdated)$/)
    c.sim.run({ until: seconds(60) })
    expect(progressing(c.store.get("Deployment", "default", "web-deploy"))?.reason).toBe("NewReplicaSetAvailable")
  })
})

describe("rolling.go with a stale ReplicaSet status", () => {
  it("cleanupUnhealthyReplicas: an old ReplicaSet reporting more available pods than it wants fails the sync (upstream's error), which is retried rate-limited", async () => {
    const { ApiStore } = await import("../../store/index")
    const { Simulation } = await import("../../../sim/index")
    const { RecordLog } = await import("../../../records/index")
    const { decodeManifests } = await import("../../api/index")
    const { DeploymentController } = await import("./deployment-controller")
    const { controllerRef } = await import("../util/pods")
    const sim = new Simulation(1)
    const store = new ApiStore(sim)
    const log = new RecordLog()
    const strategy = "  strategy:\n    rollingUpdate: {maxSurge: 0, maxUnavailable: 1}\n  selector:"
    const d = store.create(decodeManifests(webDeployment(3, "nginx:2").replace("  selector:", strategy)).objects[0]!.object as Deployment)
    if (!d.ok) throw new Error(d.message)
    const rsOf = (name: string, image: string, spec: number, available: number, rev: string): ReplicaSet => {
      const t = { ...d.object.spec.template, spec: { ...d.object.spec.template.spec, containers: [{ ...d.object.spec.template.spec.containers[0]!, image }] } }
      return {
        ...defaultReplicaSet({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name }, spec: { replicas: spec } } as never, "default"),
        metadata: {
          name,
          namespace: "default",
          ownerReferences: [controllerRef(d.object)],
          annotations: { "deployment.kubernetes.io/revision": rev, "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "3" },
        },
        spec: { replicas: spec, minReadySeconds: 0, selector: d.object.spec.selector, template: t },
        status: { replicas: available, readyReplicas: available, availableReplicas: available },
      }
    }
    // The old ReplicaSet was just scaled 3 → 2 and its controller has not reported yet: status still says 3.
    const old = store.create(rsOf("web-old", "nginx:1", 2, 3, "1"))
    const fresh = store.create(rsOf("web-new", "nginx:2", 1, 1, "2"))
    expect(old.ok && fresh.ok).toBe(true)
    const syncs: number[] = []
    const ctl = new DeploymentController(sim, store, { log })
    const sync = ctl.sync.bind(ctl)
    ctl.sync = (key: string) => {
      syncs.push(sim.now)
      sync(key)
    }
    ctl.start()
    sim.run({ until: 200 * NANOS_PER_MILLI })
    // allPods 3 − minAvailable 2 − newUnavailable 0 = 1 to scale down; the old set's spec − available is −1.
    const failed = log.ofKind("action").filter((a) => a.verb === "sync-failed")
    expect(failed[0]?.detail).toBe("when cleaning up unhealthy replicas, got invalid request to scale down default/web-old 2 -> 3")
    expect(store.get("ReplicaSet", "default", "web-old")!.spec.replicas).toBe(2)
    // handleErr → AddRateLimited: 5 ms × 2^n after the n-th requeue, so the retries spread out.
    expect(failed.length).toBeGreaterThanOrEqual(3)
    const gaps = syncs.slice(1).map((t, i) => t - syncs[i]!)
    expect(gaps.at(-1)!).toBeGreaterThanOrEqual(4 * 5 * NANOS_PER_MILLI)
    // maxRetries (15): then the key is dropped until something changes (5 ms × (2^15 − 1) ≈ 164 s of retries).
    const count = () => log.ofKind("action").filter((a) => a.verb === "sync-failed").length
    sim.run({ until: 400 * NANOS_PER_SECOND })
    const settled = count()
    expect(settled).toBeGreaterThanOrEqual(16)
    sim.run({ until: 2000 * NANOS_PER_SECOND })
    expect(count()).toBe(settled)
  })
})
