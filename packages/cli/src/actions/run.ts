import { formatDuration } from "@kubesim/core"
import { Effect, Option } from "effect"
import { InternalError, UserInputError } from "../errors"
import { parseDurationFlag } from "../args/at-time"
import { parseSeeds } from "../args/seeds"
import { builtinNames } from "../execute/library"
import { loadSource } from "../execute/load-source"
import { jobOverrides } from "../execute/job-overrides"
import type { RunJobResult, RunJobSpec } from "../execute/run-job"
import { runSeeds } from "../execute/run-seeds"
import { classifySource } from "../execute/scenario-source"
import { ProgressBar } from "../progress/index"
import type { RunOptions } from "../commands/run"
import { attempt, attemptPromise } from "./attempt"
import { progressTarget } from "./progress-target"
import { printInputWarnings } from "./input-warnings"

/** The short summary `run` prints: requests by outcome, per-pod spread per service port and phase, the run directory. */
export const runSummary = (r: RunJobResult): string => {
  const q = r.requests
  const lines = [`${r.scenario} (variant ${r.variant}, seed ${r.seed}): ${r.events} events, trace hash ${r.traceHash}`]
  lines.push(`  requests: ${q.issued} issued, ${q.ok} ok, ${q.failed} failed, ${q.inFlight} in flight at the end`)
  for (const s of r.perPod) lines.push(`  ${s.service}${s.phase === null ? "" : ` [${s.phase}]`}: ${s.pods.map(([p, n]) => `${p} ${n}`).join(", ")}`)
  lines.push(`  run directory: ${r.dir}`)
  return lines.join("\n")
}

/**
 * `kubesim run` (see ../commands/run.ts): each seed in turn on one worker thread (execute/run-seeds.ts), progress on
 * stderr, the summary of each on stdout. Ctrl-C abandons the running seed at once (nothing of it is written) and
 * exits 130; a failure inside the simulation prints its report and exits 70.
 */
export const run = (o: RunOptions) =>
  Effect.gen(function* () {
    if (Option.isSome(o.seed) && Option.isSome(o.seeds)) return yield* new UserInputError({ message: "give --seed or --seeds, not both" })
    const duration = Option.getOrUndefined(o.duration)
    if (duration !== undefined) yield* attempt(() => parseDurationFlag("--duration", duration))
    const source = yield* attempt(() => classifySource(o.inputs, builtinNames()))
    const loaded = yield* attempt(() => loadSource(source, duration))
    const variant = Option.getOrElse(o.variant, () => "default")
    const overrides = yield* attempt(() => jobOverrides({ source, set: o.set, ...(duration !== undefined ? { duration } : {}) }))
    yield* printInputWarnings(loaded, variant, overrides)
    const seeds = Option.isSome(o.seeds) ? yield* attempt(() => parseSeeds(Option.getOrThrow(o.seeds))) : [Option.getOrElse(o.seed, () => loaded.scenario.seeds?.[0] ?? 1)]
    const spec: RunJobSpec = { source, set: o.set, ...(duration !== undefined ? { duration } : {}), out: o.out, reports: true }
    const p = progressTarget()
    const bars = new Map<number, ProgressBar>()
    const outcome = yield* attemptPromise(() =>
      runSeeds(spec, loaded.scenario.metadata.name, variant, seeds, {
        ...(p === undefined
          ? {}
          : {
              onProgress: (seed, q) => {
                let bar = bars.get(seed)
                if (bar === undefined) {
                  bar = new ProgressBar({ ...p, total: q.total, formatAmount: (n) => formatDuration(Math.round(n / 1e8) * 1e8), rateUnit: "events/s", label: `seed ${seed}` })
                  bars.set(seed, bar)
                }
                if (q.writing === true) bar.finish(q.now, q.events, `simulated (${q.events} events); writing the run directory and reports`)
                else bar.update(q.now, q.events)
              },
            }),
        onResult: (r) => {
          bars.get(r.seed)?.done()
          process.stdout.write(`${runSummary(r)}\n`)
        },
        onInterrupt: () => {
          for (const b of bars.values()) b.done()
          process.stderr.write("\ninterrupted: the running seed was abandoned (nothing of it written); finished seeds are kept\n")
        },
      }),
    )
    for (const b of bars.values()) b.done()
    if (outcome.interrupted) return yield* Effect.interrupt
    const f = outcome.failure
    if (f !== undefined) {
      const fields = { message: f.message, ...(f.detail !== undefined ? { detail: f.detail } : {}) }
      return yield* f.userError ? new UserInputError(fields) : new InternalError(fields)
    }
  })
