import { Options } from "@effect/cli"
import { records } from "@kubesim/core"
import { parseSetArgument } from "@kubesim/scenarios"
import { Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { parseAt } from "../args/at-time"
import { builtinNames } from "../execute/builtins"
import { describeError } from "../execute/describe-error"
import { loadSource } from "../execute/load-source"
import { classifySource } from "../execute/scenario-source"
import { type InspectTarget, targetFromRunDir } from "../inspect/inspect-source"

/**
 * Runs synchronous work that may throw; the user's mistakes become UserInputError (exit 1, message only), anything
 * else stays a defect (the entry prints it as an internal error).
 */
export const attempt = <A>(f: () => A): Effect.Effect<A, UserInputError> =>
  Effect.try({ try: f, catch: (e) => e }).pipe(
    Effect.catchAll((e) => {
      const d = describeError(e)
      return d.userError ? Effect.fail(new UserInputError({ message: d.message, ...(d.detail !== undefined ? { detail: d.detail } : {}) })) : Effect.die(e)
    }),
  )

/** The same for async work. */
export const attemptPromise = <A>(f: () => Promise<A>): Effect.Effect<A, UserInputError> =>
  Effect.tryPromise({ try: f, catch: (e) => e }).pipe(
    Effect.catchAll((e) => {
      const d = describeError(e)
      return d.userError ? Effect.fail(new UserInputError({ message: d.message, ...(d.detail !== undefined ? { detail: d.detail } : {}) })) : Effect.die(e)
    }),
  )

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

/** The inspection target from `--run DIR` or `-f scenario|manifests…` (exactly one of them). */
export const resolveTarget = (o: TargetOptions): Effect.Effect<InspectTarget, UserInputError> =>
  attempt(() => {
    if (Option.isSome(o.run)) {
      if (o.scenario.length > 0) throw new UserInputError({ message: "give either --run DIR or -f SCENARIO, not both" })
      if (Option.isSome(o.seed) || Option.isSome(o.variant) || o.set.length > 0 || Option.isSome(o.duration))
        throw new UserInputError({ message: "--run replays the run as it was: --seed, --variant, --set and --duration do not apply" })
      return targetFromRunDir(o.run.value, records.parseRecords)
    }
    if (o.scenario.length === 0) throw new UserInputError({ message: "nothing to inspect: give -f SCENARIO (a file, a built-in name or manifests) or --run DIR" })
    const source = classifySource(o.scenario, builtinNames())
    const duration = Option.getOrUndefined(o.duration)
    const loaded = loadSource(source, duration)
    const set = [...(duration !== undefined && source.kind !== "manifests" ? [parseSetArgument(`duration=${duration}`)] : []), ...o.set.map(parseSetArgument)]
    return { loaded, variant: Option.getOrElse(o.variant, () => "default"), seed: Option.getOrElse(o.seed, () => loaded.scenario.seeds?.[0] ?? 1), set }
  }).pipe(Effect.catchAllDefect((e) => (e instanceof UserInputError ? Effect.fail(e) : Effect.die(e))))

export const atNanos = (at: Option.Option<string>): Effect.Effect<number | undefined, UserInputError> => attempt(() => (Option.isSome(at) ? parseAt(at.value) : undefined))
