/**
 * The scale ladder (issue 13): 10 / 100 / 1,000 / 5,000 nodes with 100 / 1,000 / 5,000 / 10,000 Services of
 * 5–15 endpoints each, built from manifests, every kube-proxy synced, then ~100k requests from clients on many
 * nodes. The two large rungs are the targets as it counts them: 1,000 nodes / 5,000 Services / 25,000
 * pods (5 endpoints each), and sig-scalability's envelope, 5,000 nodes / 10,000 Services / 150,000 pods (15 each);
 * the small rungs spread 5–15. Rows `scale-<nodes>n-<services>s` with buildSeconds, syncSeconds, requestsPerSecond, peakRssMB, events.
 * Each rung runs once in its own process (no warm-up: the big rungs take minutes): `pnpm bench -- --filter scale-`.
 */
import type { Benchmark } from "./registry"
import { type Rung, podsOf, runRung } from "./scale/ladder"

const rung = (r: Rung): Benchmark => ({
  name: `scale-${r.nodes}n-${r.services}s`,
  about: `${r.nodes} nodes, ${r.services} Services, ${podsOf(r)} nginx pods, ${r.clients} clients, ~${r.requests} requests`,
  repeat: 1,
  run: () => runRung(r),
})

export const benchmarks: Benchmark[] = [
  rung({ nodes: 10, services: 100, clients: 10, requests: 100_000 }),
  rung({ nodes: 100, services: 1_000, clients: 50, requests: 100_000 }),
  rung({ nodes: 1_000, services: 5_000, clients: 100, requests: 100_000, podCIDR: "10.128.0.0/12", replicas: 5 }),
  // 5,000 nodes need a /11: a /12 holds only 4,096 of kube-controller-manager's default /24 node CIDRs.
  rung({ nodes: 5_000, services: 10_000, clients: 200, requests: 100_000, podCIDR: "10.128.0.0/11", replicas: 15 }),
]
