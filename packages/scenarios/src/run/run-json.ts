import type { Scenario } from "../format/schema"

/** The version written into run.json; the CLI passes its own (one source: the lead may move it to core). */
export const KUBESIM_VERSION = "0.1.0"

/**
 * run.json as docs/run-directory.md defines it, fields in the documented order. Readers ignore fields they do
 * not know; `scenario` is the scenario's name, `resolved` the scenario as it ran (variant and `--set` applied,
 * manifests inlined).
 */
export interface RunJson {
  readonly kubesimVersion: string
  readonly scenario: string
  readonly variant: string
  readonly seed: number
  readonly traceHash: string
  readonly events: number
  readonly duration: string
  readonly resolved: Scenario
}

/** run.json text: the fields in contract order, two-space indented, ending with a newline. */
export const renderRunJson = (r: RunJson): string =>
  `${JSON.stringify(
    {
      kubesimVersion: r.kubesimVersion,
      scenario: r.scenario,
      variant: r.variant,
      seed: r.seed,
      traceHash: r.traceHash,
      events: r.events,
      duration: r.duration,
      resolved: r.resolved,
    },
    null,
    2,
  )}\n`
