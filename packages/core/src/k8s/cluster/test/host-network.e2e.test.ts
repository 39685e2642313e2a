import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { S, requestsOf, webClientOnKindWorker } from "./e2e-support"

/** Deployment `web` of hostNetwork nginx pods (ports declared or not) and Service `web` on port 80. */
const hostNetworkWeb = (replicas: number, declarePort: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
        - name: nginx
          image: nginx:1.25
${declarePort ? "          ports: [{containerPort: 80}]\n" : ""}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`

describe("hostNetwork pods run in their node's network namespace", () => {
  it("their IP is the node's, the Service's endpoints are node addresses, and requests through the ClusterIP reach nginx on the nodes", () => {
    const c = Cluster.create({ seed: 3 })
    c.apply(hostNetworkWeb(3, true), { file: "web.yml" })
    c.apply(webClientOnKindWorker, { file: "client.yml" })
    c.runUntil(60 * S)
    const pods = c.store.list("Pod", { namespace: "default", labelSelector: { matchLabels: { app: "web" } } })
    expect(pods.map((p) => p.status.phase)).toEqual(["Running", "Running", "Running"])
    const nodeIps = new Map([...c.store.list("Node")].map((n) => [n.metadata.name, n.status.addresses?.find((a) => a.type === "InternalIP")?.address]))
    for (const p of pods) {
      expect(p.status.podIP).toBe(nodeIps.get(p.spec.nodeName as string))
      // The pod's host is the node itself: no veth, no address from the node's pod CIDR.
      expect(c.podHost(p.metadata.name)).toBe(c.nodes.get(p.spec.nodeName as string)?.host)
    }
    // One per node: their host ports (defaulted from the container port) conflict on a shared node.
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3)
    const slice = c.store.list("EndpointSlice", { namespace: "default", labelSelector: { matchLabels: { "kubernetes.io/service-name": "web" } } })[0]
    expect(slice?.endpoints.map((e) => e.addresses[0]).sort()).toEqual(pods.map((p) => p.status.podIP).sort())
    const reqs = requestsOf(c, "client", 30 * S)
    expect(reqs.length).toBeGreaterThan(50)
    expect(reqs.every((r) => r.outcome === "ok" && r.status === 200)).toBe(true)
    expect(new Set(reqs.map((r) => r.pod)).size).toBe(3)
    // Tearing a pod down leaves its node's network alone: the replacement on the same node serves again.
    const first = pods[0]!
    c.delete("Pod", "default", first.metadata.name)
    c.runUntil(120 * S)
    expect(c.nodes.get(first.spec.nodeName as string)?.host.up).toBe(true)
    const late = requestsOf(c, "client", 100 * S)
    expect(late.length).toBeGreaterThan(50)
    expect(late.every((r) => r.outcome === "ok")).toBe(true)
  })

  it("the scheduler's NodePorts filter: a fourth replica on three nodes stays Pending, naming the ports", () => {
    const c = Cluster.create({ seed: 3 })
    c.apply(hostNetworkWeb(4, true), { file: "web.yml" })
    c.runUntil(30 * S)
    const pending = c.store.list("Pod", { namespace: "default" }).filter((p) => p.spec.nodeName === undefined)
    expect(pending).toHaveLength(1)
    expect(pending[0]?.status.conditions?.find((x) => x.type === "PodScheduled")?.message).toBe(
      "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports.",
    )
  })

  it("undeclared ports are not host ports: two such pods may share a node, and the second nginx cannot bind :80 and exits 1 (CrashLoopBackOff), as the real one does", () => {
    const c = Cluster.create({ seed: 3, nodeCount: 1 })
    c.apply(hostNetworkWeb(2, false), { file: "web.yml" })
    c.runUntil(60 * S)
    const pods = c.store.list("Pod", { namespace: "default" })
    expect(pods.map((p) => p.spec.nodeName)).toEqual(["kind-worker", "kind-worker"])
    const statuses = pods.map((p) => p.status.containerStatuses?.[0])
    expect(statuses.filter((s) => s?.ready === true)).toHaveLength(1)
    const crashing = statuses.find((s) => s?.ready !== true)
    expect(crashing?.restartCount).toBeGreaterThan(0)
    expect(crashing?.lastState?.terminated?.exitCode).toBe(1)
  })
})
