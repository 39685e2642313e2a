import type { TopologySpec } from "../topology/topology-spec"
import { conformanceCluster, type ConformanceCluster, type ServiceFixture } from "./conformance-cluster"

/** The LAN, Service range and two nodes every conformance topology here is built on; pods and clients vary. */
export const TWO_NODES: Pick<TopologySpec, "lanCidr" | "serviceCidr" | "nodes"> = {
  lanCidr: "10.0.0.0/24",
  serviceCidr: "10.96.0.0/16",
  nodes: [
    { name: "node-1", ip: "10.0.0.10", podCidr: "10.244.1.0/24" },
    { name: "node-2", ip: "10.0.0.11", podCidr: "10.244.2.0/24" },
  ],
}

/** Two nodes; five web pods on node-1 and one on node-2; an in-cluster client pod and an external client. */
export const STANDARD_TOPOLOGY: TopologySpec = {
  ...TWO_NODES,
  pods: [
    { name: "web-1", node: "node-1", ip: "10.244.1.11", port: 8080 },
    { name: "web-2", node: "node-1", ip: "10.244.1.12", port: 8080 },
    { name: "web-3", node: "node-1", ip: "10.244.1.13", port: 8080 },
    { name: "web-4", node: "node-1", ip: "10.244.1.14", port: 8080 },
    { name: "web-5", node: "node-1", ip: "10.244.1.15", port: 8080 },
    { name: "web-6", node: "node-2", ip: "10.244.2.11", port: 8080 },
  ],
  clients: [
    { kind: "pod", name: "busybox", node: "node-1", ip: "10.244.1.50" },
    {
      kind: "external",
      name: "outside",
      ips: Array.from({ length: 12 }, (_, i) => `10.0.0.${101 + i}`),
    },
  ],
}

/** The Services the cases exercise (names say what for). */
export const STANDARD_SERVICES: ReadonlyArray<ServiceFixture> = [
  { name: "spread-2", clusterIP: "10.96.0.12", endpoints: ["web-1", "web-2"] },
  { name: "spread-3", clusterIP: "10.96.0.13", endpoints: ["web-1", "web-2", "web-3"] },
  { name: "spread-5", clusterIP: "10.96.0.15", endpoints: ["web-1", "web-2", "web-3", "web-4", "web-5"] },
  { name: "sticky", clusterIP: "10.96.0.20", endpoints: ["web-1", "web-2", "web-3"], affinitySeconds: 2 },
  { name: "empty", clusterIP: "10.96.0.30", endpoints: [] },
  { name: "np-cluster", clusterIP: "10.96.0.40", endpoints: ["web-1", "web-6"], nodePort: 30080, externalTrafficPolicy: "Cluster" },
  { name: "np-local", clusterIP: "10.96.0.41", endpoints: ["web-1", "web-6"], nodePort: 30081, externalTrafficPolicy: "Local" },
  { name: "np-local-far", clusterIP: "10.96.0.42", endpoints: ["web-6"], nodePort: 30082, externalTrafficPolicy: "Local" },
  { name: "held", clusterIP: "10.96.0.50", endpoints: ["web-1", "web-2"] },
  { name: "udp-held", clusterIP: "10.96.0.53", endpoints: ["web-1", "web-2"], protocol: "UDP" },
]

export const standardCluster = (): ConformanceCluster =>
  conformanceCluster(STANDARD_TOPOLOGY, "10.244.0.0/16", STANDARD_SERVICES)
