import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { ClusterConfigError, DEFAULT_NETWORK, ZONE_LABEL, defaultNodes, resolveClusterConfig } from "../cluster-config"
import { MS, S } from "./e2e-support"

const zoned = defaultNodes(3).map((n, i) => ({ ...n, labels: { [ZONE_LABEL]: i < 2 ? "zone-a" : "zone-b" } }))

/** Arrival time of one UDP datagram between two hosts of the cluster, sent at `now`. */
const oneWay = (c: Cluster, from: string, to: string, port: number): number => {
  const a = c.fabric.node(from)
  const b = c.fabric.node(to)
  let at = -1
  b.udpBind(port, { onMessage: () => (at = c.sim.now) })
  const t0 = c.sim.now
  a.udpBind(0, {}).sendTo(b.primaryAddress, port, "x", 10)
  c.runFor(1 * S)
  return at - t0
}

describe("cluster network classes and zone labels", () => {
  it("Node objects carry their zone label (well_known_labels.go topology.kubernetes.io/zone)", () => {
    const c = Cluster.create({ nodes: zoned })
    expect(c.store.get("Node", undefined, "kind-worker3")?.metadata.labels).toEqual({
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/hostname": "kind-worker3",
      "kubernetes.io/os": "linux",
      [ZONE_LABEL]: "zone-b",
    })
  })

  it("node ⇄ node takes `nodes` in a zone and `crossZone` between zones", () => {
    // Against the same cluster without classes, so host processing (rule walks) cancels out.
    const gap = (c: Cluster): number => oneWay(c, "kind-worker", "kind-worker3", 9002) - oneWay(c, "kind-worker", "kind-worker2", 9001)
    const c = Cluster.create({ nodes: zoned, network: { nodes: { latency: 1 * MS }, crossZone: { latency: 4 * MS } } })
    expect(gap(c) - gap(Cluster.create({ nodes: zoned }))).toBe(3 * MS)
  })

  it("defaults: no classes unless asked (the Fabric's one-LAN settings); missing classes take DEFAULT_NETWORK", () => {
    expect(resolveClusterConfig({}).network).toBeNull()
    expect(resolveClusterConfig({ network: { nodes: { latency: 7 } } }).network).toEqual({ ...DEFAULT_NETWORK, nodes: { latency: 7 }, crossZone: { latency: 7 } })
    expect(() => resolveClusterConfig({ network: { external: { latency: 1.5 } } })).toThrow(ClusterConfigError)
    expect(() => resolveClusterConfig({ network: { external: { latency: 1.5 } } })).toThrow("network.external.latency: expected whole nanoseconds ≥ 0, got 1.5")
  })
})
