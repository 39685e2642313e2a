import { availableParallelism } from "node:os"
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { parseSeeds } from "../args/seeds"
import { parseShard } from "../args/shard"
import { builtinNames } from "../execute/builtins"
import { loadSource } from "../execute/load-source"
import { type RunJobResult, type RunJobSpec, runJob } from "../execute/run-job"
import { classifySource } from "../execute/scenario-source"
import { ProgressBar } from "../progress/index"
import { runSweep } from "../sweep/run-sweep"
import { Interrupt } from "../sweep/interrupt"
import { formatDuration } from "@kubesim/core"
import { attempt, attemptPromise, durationOption, seedOption, setOption, variantOption } from "./shared"

const inputs = Args.text({ name: "scenario | manifest" }).pipe(Args.atLeast(1), Args.withDescription("a scenario file, a built-in scenario name, or manifest files"))
const seedsOption = Options.text("seeds").pipe(Options.optional, Options.withDescription("seeds: 1..20, 1,5,9"))
const outOption = Options.directory("out").pipe(Options.withDefault("runs"), Options.withDescription("output directory (default runs)"))

const progressTarget = () => (process.stderr.isTTY === true ? { sink: process.stderr, clock: () => performance.now() } : undefined)

/** The short summary `run` prints: requests by outcome, per-pod spread, the run directory. */
export const runSummary = (r: RunJobResult): string => {
  const q = r.requests
  const lines = [`${r.scenario} (variant ${r.variant}, seed ${r.seed}): ${r.events} events, trace hash ${r.traceHash}`]
  lines.push(`  requests: ${q.issued} issued, ${q.ok} ok, ${q.failed} failed, ${q.inFlight} in flight at the end`)
  for (const s of r.perPod) lines.push(`  ${s.service}: ${s.pods.map(([p, n]) => `${p} ${n}`).join(", ")}`)
  lines.push(`  run directory: ${r.dir}`)
  return lines.join("\n")
}

/**
 * `kubesim run <scenario.yaml | NAME | manifest.yaml…> [--seed N | --seeds 1..20] [--duration 60s] [--variant NAME]
 * [--set key=value…] [--out DIR]`: runs in this process, writes each run directory with report.md and report.html,
 * prints a summary per run. One seed (the scenario's first, or 1) unless --seed/--seeds say otherwise.
 */
export const runCommand = Command.make(
  "run",
  { inputs, seed: seedOption, seeds: seedsOption, duration: durationOption, variant: variantOption, set: setOption, out: outOption },
  (o) =>
    Effect.gen(function* () {
      if (Option.isSome(o.seed) && Option.isSome(o.seeds)) return yield* new UserInputError({ message: "give --seed or --seeds, not both" })
      const source = yield* attempt(() => classifySource(o.inputs, builtinNames()))
      const duration = Option.getOrUndefined(o.duration)
      const loaded = yield* attempt(() => loadSource(source, duration))
      const seeds = Option.isSome(o.seeds) ? yield* attempt(() => parseSeeds(Option.getOrThrow(o.seeds))) : [Option.getOrElse(o.seed, () => loaded.scenario.seeds?.[0] ?? 1)]
      const spec: RunJobSpec = { source, set: o.set, ...(duration !== undefined ? { duration } : {}), out: o.out, reports: true }
      const variant = Option.getOrElse(o.variant, () => "default")
      let stop = false
      const interrupt = new Interrupt(
        () => {
          stop = true
          process.stderr.write("\ninterrupted: finishing the current run; finished runs are kept\n")
        },
        () => process.exit(130),
      )
      try {
        for (const seed of seeds) {
          if (stop) break
          const p = progressTarget()
          let bar: ProgressBar | undefined
          const result = yield* attemptPromise(() =>
            runJob(spec, variant, seed, {
              ...(p === undefined
                ? {}
                : {
                    onProgress: (now, total, events) => {
                      bar ??= new ProgressBar({ ...p, total, formatAmount: (n) => formatDuration(Math.round(n / 1e8) * 1e8), rateUnit: "events/s", label: `seed ${seed}` })
                      bar.update(now, events)
                    },
                  }),
            }),
          )
          bar?.done()
          yield* Console.log(runSummary(result))
          // Let a pending Ctrl-C be handled between runs.
          yield* Effect.promise(() => new Promise<void>((r) => setImmediate(r)))
        }
      } finally {
        interrupt.dispose()
      }
      if (stop) return yield* Effect.interrupt
    }),
).pipe(Command.withDescription("Run a scenario (or manifests under the default scenario); write run directories with reports; print a summary."))

const workersOption = Options.integer("workers").pipe(Options.withDefault(Math.max(1, availableParallelism() - 0)), Options.withDescription("worker threads (default: the CPU count)"))
const shardOption = Options.text("shard").pipe(Options.optional, Options.withDescription("i/N: run jobs whose index % N == i (0-based), e.g. $JOB_COMPLETION_INDEX/4"))
const variantsOption = Options.text("variant").pipe(Options.repeated, Options.withDescription("variants to run (repeatable; default: default and all of the scenario's)"))

/**
 * `kubesim sweep <scenario> [--seeds 1..100] [--variant NAME…] [--workers N] [--shard i/N] [--set …] [--out DIR]`:
 * variants × seeds on worker threads, resumable, merged into sweep.json sorted by (variant, seed).
 */
export const sweepCommand = Command.make(
  "sweep",
  { inputs, seeds: seedsOption, variants: variantsOption, workers: workersOption, shard: shardOption, duration: durationOption, set: setOption, out: outOption },
  (o) =>
    Effect.gen(function* () {
      if (o.workers < 1) return yield* new UserInputError({ message: "--workers must be at least 1" })
      const source = yield* attempt(() => classifySource(o.inputs, builtinNames()))
      const duration = Option.getOrUndefined(o.duration)
      const loaded = yield* attempt(() => loadSource(source, duration))
      const seeds = Option.isSome(o.seeds) ? yield* attempt(() => parseSeeds(Option.getOrThrow(o.seeds))) : [...(loaded.scenario.seeds ?? [1])]
      const shard = Option.isSome(o.shard) ? yield* attempt(() => parseShard(Option.getOrThrow(o.shard))) : undefined
      const spec: RunJobSpec = { source, set: o.set, ...(duration !== undefined ? { duration } : {}), out: o.out, reports: false }
      const r = yield* attemptPromise(() =>
        runSweep({ spec, loaded, variants: o.variants, seeds, shard, workers: o.workers, log: (l) => process.stderr.write(`${l}\n`), progress: progressTarget() }),
      )
      yield* Console.log(`${r.entries.length} of ${r.jobs} runs finished (${r.resumed} resumed, ${r.ran} run now, ${r.failures.length} failed); ${r.file}`)
      for (const f of r.failures) yield* Console.error(`error: ${f.job.variant} seed ${f.job.seed}: ${f.message}`)
      if (r.interrupted) return yield* Effect.interrupt
      const internal = r.failures.find((f) => !f.userError)
      if (internal !== undefined) return yield* Effect.die(new Error(internal.message))
      if (r.failures.length > 0) return yield* new UserInputError({ message: `${r.failures.length} run(s) failed` })
    }),
).pipe(Command.withDescription("Run variants × seeds on worker threads (resumable, shardable); write sweep.json."))
