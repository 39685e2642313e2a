import { getHeapStatistics } from "node:v8"
import { type ScenarioIssue, ScenarioError, issueWithMessage } from "../format/scenario-issue"
import type { PreparedScenario } from "../validate/prepare-scenario"

/**
 * What a cluster of this size costs in memory, measured as the live heap after a full GC at the end of a scale
 * ladder build (2026-12-04, second session): per pod (API object, kubelet worker, network namespace, EndpointSlice
 * entry, records) 32 KB — 30,000 pods on 300 nodes / 3,000 Services: 979 MB —, and per node (host, kubelet,
 * kube-proxy) 40 KB — the same cluster on 600 nodes: 991 MB. Nothing grows with nodes × Services: the nodes
 * share their informer caches, change trackers, kube-proxy states, iptables tables and rules-record ledgers. A
 * lower bound: runs peak at about twice it in RSS (V8 collects lazily below its heap limit; the 150,000-pod ladder
 * rung estimates 4.7 GB and peaks at 10.3 GB in a 16 GB heap).
 */
const BYTES_PER_POD = 32_000
const BYTES_PER_NODE = 40_000

export interface ClusterSize {
  readonly nodes: number
  readonly services: number
  readonly pods: number
  readonly bytes: number
}

/** The cluster the scenario's manifests ask for: nodes, Services, and pods (bare pods and workload replicas). */
export const clusterSize = (p: PreparedScenario): ClusterSize => {
  let services = 0
  let pods = 0
  for (const m of [...p.manifests, ...[...p.actionObjects.values()].flat()]) {
    const o = m.object
    if (o.kind === "Service") services++
    else if (o.kind === "Pod") pods++
    else if (o.kind === "Deployment" || o.kind === "ReplicaSet") pods += o.spec.replicas ?? 1
  }
  const nodes = p.nodes.length
  return { nodes, services, pods, bytes: pods * BYTES_PER_POD + nodes * BYTES_PER_NODE }
}

const gb = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GB`

/**
 * Refuses, before anything is built, a cluster whose estimated size exceeds the JavaScript heap this process
 * may use (`limit`, default V8's heap_size_limit): the error names the size asked for and how to raise the limit.
 */
export const checkClusterFits = (p: PreparedScenario, limit: number = getHeapStatistics().heap_size_limit): void => {
  const size = clusterSize(p)
  if (size.bytes <= limit) return
  const issue: ScenarioIssue = issueWithMessage(
    p.file,
    "cluster.nodes",
    `a cluster that fits in ${gb(limit)} of heap`,
    `${size.nodes} nodes`,
    `the cluster asked for — ${size.nodes} nodes, ${size.services} Services, ${size.pods} pods — needs about ${gb(size.bytes)} of memory, more than this process's ${gb(limit)} heap limit; run fewer nodes or Services, or raise the limit (such runs peak at about 2.5× the estimate: NODE_OPTIONS=--max-old-space-size=${Math.ceil((size.bytes * 2.5) / 2 ** 20)})`,
  )
  throw new ScenarioError([issue])
}
