import { type cluster, formatDuration, records, rootCause, SimulationError } from "@kubesim/core"
import { ScenarioError, ScenarioRunError } from "@kubesim/scenarios"

/** How many of the last records an internal-error report shows. */
export const LAST_RECORDS = 10

/**
 * A component of the simulation failed (kube-proxy, the kubelet, a controller — not the user's input): the
 * report names the component, its node, the simulated time and the last records before the failure, so the
 * failure can be reported and replayed. The CLI prints it and exits 70.
 */
export class SimulationFailure extends Error {
  override readonly name = "SimulationFailure"
  constructor(
    readonly report: string,
    readonly detail: string,
  ) {
    super(report)
  }
}

/** True when what a SimulationError wraps is the user's input failing at run time (an apply the API server rejects). */
export const isInputFailure = (e: SimulationError): boolean => {
  const root = rootCause(e)
  return root instanceof ScenarioRunError || root instanceof ScenarioError
}

/**
 * The node a component belongs to: components carry it in their names (`kube-proxy-restore:kind-worker`,
 * `sync-runner:kind-worker`, processes named `…/node-2`); the longest node name that ends the component name or
 * stands between separators wins (`kind-worker2` is not `kind-worker`).
 */
export const nodeOfComponent = (component: string, nodes: ReadonlyArray<string>): string | undefined => {
  const parts = new Set(component.split(/[:/ ]/))
  return [...nodes].sort((a, b) => b.length - a.length).find((n) => parts.has(n))
}

export interface FailureContext {
  readonly scenario: string
  readonly variant: string
  readonly seed: number
  /** The cluster as it was when the failure stopped it (undefined if it failed before the cluster was built). */
  readonly cluster: cluster.Cluster | undefined
}

/** The report for a SimulationError that is the model's own failure. */
export const simulationFailure = (e: SimulationError, ctx: FailureContext): SimulationFailure => {
  const root = rootCause(e)
  const nodes = ctx.cluster === undefined ? [] : [...ctx.cluster.nodes.keys()]
  const node = nodeOfComponent(e.component, nodes)
  const all = ctx.cluster?.records.records ?? []
  const last = all.slice(-LAST_RECORDS)
  const lines = [
    `internal error: the simulation failed (a kubesim defect, not your input; please report it)`,
    `  scenario:  ${ctx.scenario} (variant ${ctx.variant}, seed ${ctx.seed})`,
    `  component: ${e.component}`,
    `  node:      ${node ?? "(none: not a node's component)"}`,
    `  time:      ${formatDuration(e.time)}`,
    `  error:     ${(root instanceof Error ? root.message : String(root)).split("\n").join("\n             ")}`,
    `  last ${last.length} of ${all.length} records:`,
    ...last.map((r) => `    ${safeSerialise(r)}`),
  ]
  return new SimulationFailure(lines.join("\n"), root instanceof Error ? (root.stack ?? root.message) : String(root))
}

const safeSerialise = (r: records.RunRecord): string => {
  try {
    return records.serialiseRecord(r)
  } catch {
    return JSON.stringify(r)
  }
}

/**
 * What to throw for an error out of a run: the model's own failure becomes the internal-error report (exit 70);
 * input rejected at run time (an apply the API server refuses) is the scenarios package's own error, unwrapped
 * (exit 1); anything else passes as is.
 */
export const failureOf = (e: unknown, ctx: FailureContext): unknown => {
  if (!(e instanceof SimulationError)) return e
  return isInputFailure(e) ? rootCause(e) : simulationFailure(e, ctx)
}
