import { Console, Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { parseDurationFlag } from "../args/at-time"
import { parseSeeds } from "../args/seeds"
import { parseShard } from "../args/shard"
import { builtinNames } from "../execute/library"
import { loadSource } from "../execute/load-source"
import type { RunJobSpec } from "../execute/run-job"
import { classifySource } from "../execute/scenario-source"
import { runSweep } from "../sweep/run-sweep"
import type { SweepOptions } from "../commands/run"
import { attempt, attemptPromise } from "./attempt"
import { progressTarget } from "./progress-target"

/**
 * `kubesim sweep` (see ../commands/run.ts): the jobs on worker threads, each run directory with its report.md and
 * report.html as `kubesim run` writes them, then sweep.json and a one-line summary.
 */
export const sweep = (o: SweepOptions) =>
  Effect.gen(function* () {
    if (o.workers < 1) return yield* new UserInputError({ message: "--workers must be at least 1" })
    const source = yield* attempt(() => classifySource(o.inputs, builtinNames()))
    const duration = Option.getOrUndefined(o.duration)
    if (duration !== undefined) yield* attempt(() => parseDurationFlag("--duration", duration))
    const loaded = yield* attempt(() => loadSource(source, duration))
    const seeds = Option.isSome(o.seeds) ? yield* attempt(() => parseSeeds(Option.getOrThrow(o.seeds))) : [...(loaded.scenario.seeds ?? [1])]
    const shard = Option.isSome(o.shard) ? yield* attempt(() => parseShard(Option.getOrThrow(o.shard))) : undefined
    const spec: RunJobSpec = { source, set: o.set, ...(duration !== undefined ? { duration } : {}), out: o.out, reports: true }
    const r = yield* attemptPromise(() =>
      runSweep({ spec, loaded, variants: o.variants, seeds, shard, workers: o.workers, log: (l) => process.stderr.write(`${l}\n`), progress: progressTarget() }),
    )
    yield* Console.log(`${r.entries.length} of ${r.jobs} runs finished (${r.resumed} resumed, ${r.ran} run now, ${r.failures.length} failed); ${r.file}`)
    for (const f of r.failures) yield* Console.error(`error: ${f.job.variant} seed ${f.job.seed}: ${f.message}`)
    if (r.interrupted) return yield* Effect.interrupt
    const internal = r.failures.find((f) => !f.userError)
    if (internal !== undefined) return yield* Effect.die(new Error(internal.message))
    if (r.failures.length > 0) return yield* new UserInputError({ message: `${r.failures.length} run(s) failed` })
  })
