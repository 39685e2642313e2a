import { describe, expect, it } from "vitest"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../../sim/index"
import { isPodReady } from "../util/pods"
import { statefulSetManifest, testCluster } from "../test-support/cluster"

const seconds = (s: number) => s * NANOS_PER_SECOND

/** The headless Service db and the StatefulSet db. */
const sts = (replicas: number, extra = "", image = "nginx:1.25") => `
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 80}]
---${statefulSetManifest(replicas, image, extra)}`

type C = ReturnType<typeof testCluster>
const creations = (c: C) => c.log.ofKind("action").filter((a) => a.actor === "statefulset-controller" && a.verb === "create")
const deletions = (c: C) => c.log.ofKind("action").filter((a) => a.actor === "statefulset-controller" && a.verb === "delete")

describe("StatefulSet controller (stateful_set_control.go)", () => {
  it("OrderedReady: db-0, db-1, db-2 in order, each after its predecessor is Running and Ready; stable identity; headless endpoints carry the hostname", () => {
    const c = testCluster(1)
    c.apply(sts(3))
    c.sim.run({ until: seconds(10) })
    const made = creations(c)
    expect(made.map((a) => a.object)).toEqual(["Pod default/db-0", "Pod default/db-1", "Pod default/db-2"])
    // The fake kubelet makes a pod Ready 500 ms after binding: each creation waits for the previous pod.
    for (let i = 1; i < made.length; i++) expect(made[i]!.t - made[i - 1]!.t).toBeGreaterThanOrEqual(500 * NANOS_PER_MILLI)
    expect(made[0]!.detail).toBe("create Pod db-0 in StatefulSet db successful")
    const pod = c.store.get("Pod", "default", "db-1")!
    expect(pod.spec.hostname).toBe("db-1")
    expect(pod.spec.subdomain).toBe("db")
    expect(pod.metadata.labels).toMatchObject({ app: "db", "statefulset.kubernetes.io/pod-name": "db-1", "apps.kubernetes.io/pod-index": "1" })
    expect(pod.metadata.labels?.["controller-revision-hash"]).toMatch(/^db-[a-z0-9]+$/)
    const ss = c.store.get("StatefulSet", "default", "db")!
    expect(ss.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3 })
    expect(ss.status.currentRevision).toBe(ss.status.updateRevision)
    // endpointslice utils `ShouldSetHostname`: subdomain names the Service → endpoint hostname.
    const eps = c.store.list("EndpointSlice", { namespace: "default" }).flatMap((s) => s.endpoints)
    expect(eps.map((e) => e.hostname).sort()).toEqual(["db-0", "db-1", "db-2"])
  })

  it("Parallel creates every pod at once; scaling down removes the highest ordinals", () => {
    const c = testCluster(2)
    c.apply(sts(3, "  podManagementPolicy: Parallel\n"))
    c.sim.run({ until: seconds(5) })
    const made = creations(c)
    expect(new Set(made.map((a) => a.t)).size).toBe(1)
    c.apply(sts(1, "  podManagementPolicy: Parallel\n"))
    c.sim.run({ until: seconds(10) })
    expect(deletions(c).map((a) => a.object).sort()).toEqual(["Pod default/db-1", "Pod default/db-2"])
    expect(c.store.list("Pod", { namespace: "default" }).map((p) => p.metadata.name)).toEqual(["db-0"])
  })

  it("OrderedReady scale-down: one pod at a time, highest ordinal first", () => {
    const c = testCluster(3)
    c.apply(sts(4))
    c.sim.run({ until: seconds(10) })
    c.apply(sts(1))
    c.sim.run({ until: seconds(20) })
    const gone = deletions(c)
    expect(gone.map((a) => a.object)).toEqual(["Pod default/db-3", "Pod default/db-2", "Pod default/db-1"])
    // Each waits for the previous one to be gone (the fake kubelet's 200 ms stop).
    for (let i = 1; i < gone.length; i++) expect(gone[i]!.t - gone[i - 1]!.t).toBeGreaterThanOrEqual(200 * NANOS_PER_MILLI)
  })

  it("RollingUpdate replaces pods from the highest ordinal down, one at a time; the partition keeps lower ordinals", () => {
    const c = testCluster(4)
    c.apply(sts(3))
    c.sim.run({ until: seconds(10) })
    c.apply(sts(3, "", "nginx:1.26"))
    c.sim.run({ until: seconds(30) })
    expect(deletions(c).map((a) => a.object)).toEqual(["Pod default/db-2", "Pod default/db-1", "Pod default/db-0"])
    const pods = c.store.list("Pod", { namespace: "default" })
    expect(pods.every((p) => p.spec.containers[0]!.image === "nginx:1.26" && isPodReady(p))).toBe(true)
    const ss = c.store.get("StatefulSet", "default", "db")!
    expect(ss.status.currentRevision).toBe(ss.status.updateRevision)

    const partitioned = "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate: {partition: 2}\n"
    c.apply(sts(3, partitioned, "nginx:1.27"))
    c.sim.run({ until: seconds(50) })
    const images = Object.fromEntries(c.store.list("Pod", { namespace: "default" }).map((p) => [p.metadata.name, p.spec.containers[0]!.image]))
    expect(images).toEqual({ "db-0": "nginx:1.26", "db-1": "nginx:1.26", "db-2": "nginx:1.27" })
    // A partitioned pod that is recreated keeps the current revision (newVersionedStatefulSetPod).
    c.store.delete("Pod", "default", "db-0", { gracePeriodSeconds: 0 })
    c.sim.run({ until: seconds(60) })
    expect(c.store.get("Pod", "default", "db-0")!.spec.containers[0]!.image).toBe("nginx:1.26")
  })
})
