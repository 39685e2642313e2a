import * as Options from "@effect/cli/Options"
import type * as Option from "effect/Option"

// Options several commands share. Definitions only: what they do is in ../actions/, loaded when a command runs.

export const setOption = Options.text("set").pipe(Options.repeated, Options.withDescription("override a scenario field: key=value (dotted path, e.g. cluster.nodes=5); repeatable"))
export const variantOption = Options.text("variant").pipe(Options.optional, Options.withDescription("run the scenario's variant NAME"))
export const durationOption = Options.text("duration").pipe(Options.optional, Options.withDescription("simulated duration (Go syntax, e.g. 60s, 2m)"))
export const seedOption = Options.integer("seed").pipe(Options.optional, Options.withDescription("the run seed"))

// Inspection: what to look at, and when.
export const scenarioOption = Options.text("scenario").pipe(
  Options.withAlias("f"),
  Options.repeated,
  Options.withDescription("a scenario file, a built-in scenario name, or manifest files (repeat -f)"),
)
export const runDirOption = Options.directory("run", { exists: "yes" }).pipe(Options.optional, Options.withDescription("a run directory: replay its run.json instead of a scenario"))
export const atOption = Options.text("at").pipe(Options.optional, Options.withDescription("simulated time to inspect (Go duration, e.g. 30s; default: the end of the run)"))
export const namespaceOption = Options.text("namespace").pipe(Options.withAlias("n"), Options.withDefault("default"), Options.withDescription("namespace (default: default)"))
export const allNamespacesOption = Options.boolean("all-namespaces").pipe(Options.withAlias("A"), Options.withDescription("every namespace"))

export interface TargetOptions {
  readonly scenario: ReadonlyArray<string>
  readonly run: Option.Option<string>
  readonly seed: Option.Option<number>
  readonly variant: Option.Option<string>
  readonly set: ReadonlyArray<string>
  readonly duration: Option.Option<string>
}

export const targetOptions = { scenario: scenarioOption, run: runDirOption, seed: seedOption, variant: variantOption, set: setOption, duration: durationOption }
