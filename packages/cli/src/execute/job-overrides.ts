import { type Override, parseSetArgument } from "@kubesim/scenarios"
import type { ScenarioSource } from "./scenario-source"

/** The overrides of a job: `--duration` first (as `duration=…`, scenarios only), then `--set` in order. */
export const jobOverrides = (spec: { readonly source: ScenarioSource; readonly duration?: string; readonly set: ReadonlyArray<string> }): Override[] => [
  ...(spec.duration !== undefined && spec.source.kind !== "manifests" ? [parseSetArgument(`duration=${spec.duration}`)] : []),
  ...spec.set.map(parseSetArgument),
]
