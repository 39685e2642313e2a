import type { EndpointSliceView, ServiceView } from "../api-view"
import { service, slice } from "./fixtures"

const p80 = [{ name: "p80", port: 80 }]

// pkg/proxy/iptables/proxier_test.go TestOverallIPTablesRules: the services and EndpointSlices, as our fixtures.
export const OVERALL_SERVICES: ReadonlyArray<ServiceView> = [
  service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80, protocol: "TCP" }] }),
  service(
    "ns2",
    "svc2",
    {
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      clusterIP: "172.30.0.42",
      ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3001 }],
      externalIPs: ["192.168.99.22"],
      healthCheckNodePort: 30000,
    },
    ["1.2.3.4"],
  ),
  service("ns3", "svc3", { type: "NodePort", clusterIP: "172.30.0.43", ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3003 }] }),
  service("ns4", "svc4", {
    type: "NodePort",
    clusterIP: "172.30.0.44",
    externalIPs: ["192.168.99.33"],
    ports: [{ name: "p80", port: 80, protocol: "TCP", targetPort: 80 }],
  }),
  service(
    "ns5",
    "svc5",
    {
      type: "LoadBalancer",
      externalTrafficPolicy: "Cluster",
      clusterIP: "172.30.0.45",
      ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 3002 }],
      healthCheckNodePort: 30000,
      loadBalancerSourceRanges: [" 203.0.113.0/25"],
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    },
    ["5.6.7.8"],
  ),
  service("ns6", "svc6", { clusterIP: "172.30.0.46", ports: [{ name: "p80", port: 80, protocol: "TCP", targetPort: 80 }] }),
]
export const OVERALL_SLICES: ReadonlyArray<EndpointSliceView> = [
  slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }], p80),
  slice("ns2", "svc2", 1, [{ addresses: ["10.180.0.2"] }], p80),
  slice("ns3", "svc3", 1, [{ addresses: ["10.180.0.3"] }], p80),
  slice("ns4", "svc4", 1, [{ addresses: ["10.180.0.4"] }, { addresses: ["10.180.0.5"], nodeName: "test-node" }], p80),
  slice("ns5", "svc5", 1, [{ addresses: ["10.180.0.3"] }], p80),
]
