import { describe, expect, it } from "vitest"
import type { Node } from "../../api/index"
import { seconds } from "../../../sim/index"
import { testCluster } from "../test-support/cluster"

const pod = (name: string, tolerations = "") => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec: { ${tolerations}containers: [{ name: c, image: nginx:1.25 }] }
`

describe("the scheduler's node filters (NodeUnschedulable, not-ready taint, TaintToleration)", () => {
  it("a pod without tolerations fits none of a tainted, a cordoned and a NotReady node; tolerations and node changes are seen", () => {
    const c = testCluster(3, 3)
    c.sim.run({ until: seconds(1) })
    const [tainted, cordoned, notReady] = c.store.list("Node") as [Node, Node, Node]
    const update = (n: Node, f: (n: Node) => Node) => {
      const r = c.store.update(f(c.store.get("Node", undefined, n.metadata.name) as Node))
      expect(r.ok).toBe(true)
    }
    update(tainted, (n) => ({ ...n, spec: { ...n.spec, taints: [{ key: "k", value: "v", effect: "NoSchedule" }] } }))
    update(cordoned, (n) => ({ ...n, spec: { ...n.spec, unschedulable: true } }))
    update(notReady, (n) => ({ ...n, status: { ...n.status, conditions: (n.status.conditions ?? []).map((x) => (x.type === "Ready" ? { ...x, status: "False" as const } : x)) } }))
    c.apply(pod("plain"))
    c.sim.run({ until: seconds(2) })
    const plain = c.store.get("Pod", "default", "plain")
    expect(plain?.spec.nodeName).toBeUndefined()
    expect(plain?.status.conditions?.find((x) => x.type === "PodScheduled")?.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable.",
    )
    // A pod tolerating the taint fits the tainted node (its verdict is not the plain pods').
    c.apply(pod("tolerant", `tolerations: [{ key: k, operator: Equal, value: v, effect: NoSchedule }], `))
    c.sim.run({ until: seconds(3) })
    expect(c.store.get("Pod", "default", "tolerant")?.spec.nodeName).toBe(tainted.metadata.name)
    // The node uncordoned (a new Node object): the waiting plain pod is retried and fits there.
    update(cordoned, (n) => ({ ...n, spec: { ...n.spec, unschedulable: false } }))
    c.sim.run({ until: seconds(4) })
    expect(c.store.get("Pod", "default", "plain")?.spec.nodeName).toBe(cordoned.metadata.name)
  })

  it("NodeResourcesFit: a pod asking more than a node's allocatable fits no node, empty ones included (fit.go fitsRequest)", () => {
    const c = testCluster(3, 3)
    c.sim.run({ until: seconds(1) })
    c.apply(pod("huge", "").replace("image: nginx:1.25 }", "image: nginx:1.25, resources: { requests: { cpu: \"1000\" } } }"))
    c.apply(pod("small", "").replace("image: nginx:1.25 }", "image: nginx:1.25, resources: { requests: { cpu: 100m } } }"))
    c.sim.run({ until: seconds(2) })
    const huge = c.store.get("Pod", "default", "huge")
    expect(huge?.spec.nodeName).toBeUndefined()
    expect(huge?.status.conditions?.find((x) => x.type === "PodScheduled")?.message).toBe("0/3 nodes are available: 3 Insufficient cpu.")
    expect(c.store.get("Pod", "default", "small")?.spec.nodeName).toBeDefined()
  })
})
