import { availableParallelism } from "node:os"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { durationOption, seedOption, setOption, variantOption } from "./shared"
import { lazy } from "./lazy"

const inputs = Args.text({ name: "scenario | manifest" }).pipe(Args.atLeast(1), Args.withDescription("a scenario file, a built-in scenario name, or manifest files"))
const seedsOption = Options.text("seeds").pipe(Options.optional, Options.withDescription("seeds: 1..20, 1,5,9"))
const outOption = Options.directory("out").pipe(Options.withDefault("runs"), Options.withDescription("output directory (default runs)"))

const runConfig = { inputs, seed: seedOption, seeds: seedsOption, duration: durationOption, variant: variantOption, set: setOption, out: outOption }
export type RunOptions = Command.Command.ParseConfig<typeof runConfig>

/**
 * `kubesim run <scenario.yaml | NAME | manifest.yaml…> [--seed N | --seeds 1..20] [--duration 60s] [--variant NAME]
 * [--set key=value…] [--out DIR]`: runs in this process, writes each run directory with report.md and report.html,
 * prints a summary per run. One seed (the scenario's first, or 1) unless --seed/--seeds say otherwise.
 */
export const runCommand = Command.make("run", runConfig, (o) => lazy(() => import("../actions/run"), (m) => m.run(o))).pipe(
  Command.withDescription("Run a scenario (or manifests under the default scenario); write run directories with reports; print a summary."),
)

const workersOption = Options.integer("workers").pipe(Options.withDefault(Math.max(1, availableParallelism() - 0)), Options.withDescription("worker threads (default: the CPU count)"))
const shardOption = Options.text("shard").pipe(Options.optional, Options.withDescription("i/N: run jobs whose index % N == i (0-based), e.g. $JOB_COMPLETION_INDEX/4"))
const variantsOption = Options.text("variant").pipe(Options.repeated, Options.withDescription("variants to run (repeatable; default: default and all of the scenario's)"))

const sweepConfig = { inputs, seeds: seedsOption, variants: variantsOption, workers: workersOption, shard: shardOption, duration: durationOption, set: setOption, out: outOption }
export type SweepOptions = Command.Command.ParseConfig<typeof sweepConfig>

/**
 * `kubesim sweep <scenario> [--seeds 1..100] [--variant NAME…] [--workers N] [--shard i/N] [--set …] [--out DIR]`:
 * variants × seeds on worker threads, resumable, merged into sweep.json sorted by (variant, seed).
 */
export const sweepCommand = Command.make("sweep", sweepConfig, (o) => lazy(() => import("../actions/sweep"), (m) => m.sweep(o))).pipe(
  Command.withDescription("Run variants × seeds on worker threads (resumable, shardable); write sweep.json."),
)
