import { describe, expect, it } from "vitest"
import { Simulation } from "../../sim/index"
import { decodeManifests } from "../api/index"
import { ApiStore } from "./api-store"

const podYaml = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: nginx, image: nginx}]
`

const storeWithPod = () => {
  const store = new ApiStore(new Simulation(1))
  const pod = decodeManifests(podYaml).objects[0]!.object
  expect(store.create(pod).ok).toBe(true)
  return store
}

describe("ApiStore.bind (pods/binding)", () => {
  it("sets spec.nodeName and PodScheduled=True, bumping resourceVersion", () => {
    const store = storeWithPod()
    const before = store.get("Pod", "default", "web")!
    const r = store.bind("default", "web", "node-2")
    expect(r.ok).toBe(true)
    const after = store.get("Pod", "default", "web")!
    expect(after.spec.nodeName).toBe("node-2")
    expect(after.status.conditions?.find((c) => c.type === "PodScheduled")?.status).toBe("True")
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion))
    expect(after.metadata.uid).toBe(before.metadata.uid)
  })

  it("refuses a second binding with upstream's Conflict message", () => {
    const store = storeWithPod()
    store.bind("default", "web", "node-1")
    const r = store.bind("default", "web", "node-2")
    expect(r).toMatchObject({ ok: false, reason: "Conflict", message: 'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "node-1"' })
  })

  it("refuses a pod being deleted, and a missing pod", () => {
    const store = storeWithPod()
    store.bind("default", "web", "node-1")
    store.delete("Pod", "default", "web", { gracePeriodSeconds: 30 })
    // Bound and terminating: a binding of a pod being deleted is refused (checked before the node).
    const r = store.bind("default", "web", "node-2")
    expect(r).toMatchObject({ ok: false, reason: "Conflict", message: 'Operation cannot be fulfilled on pods/binding "web": pod web is being deleted, cannot be assigned to a host' })
    expect(store.bind("default", "nope", "node-1")).toMatchObject({ ok: false, reason: "NotFound" })
  })
})
