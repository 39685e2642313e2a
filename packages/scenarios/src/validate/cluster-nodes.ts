import type { ClusterSpec } from "../format/schema"

/** A worker node as the scenario declares it. */
export interface ScenarioNode {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
}

/** Three workers, the core Cluster's default (a kind cluster with three workers). */
export const DEFAULT_NODE_COUNT = 3

/** kind's worker names, as the core Cluster names them: `kind-worker`, `kind-worker2`, … (kind pkg/cluster/internal/create). */
export const kindWorkerName = (i: number): string => (i === 0 ? "kind-worker" : `kind-worker${i + 1}`)

/** The scenario's worker nodes: a count becomes kind's `kind-worker`, `kind-worker2`, …. */
export const scenarioNodes = (cluster: ClusterSpec | undefined): ScenarioNode[] => {
  const n = cluster?.nodes ?? DEFAULT_NODE_COUNT
  if (typeof n === "number") return Array.from({ length: n }, (_, i) => ({ name: kindWorkerName(i), labels: {} }))
  return n.map((x) => ({ name: x.name, labels: x.labels ?? {} }))
}
