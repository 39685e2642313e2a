import { formatDuration } from "@kubesim/core"
import { Console, Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { parseSeeds } from "../args/seeds"
import { builtinNames } from "../execute/library"
import { loadSource } from "../execute/load-source"
import { type RunJobResult, type RunJobSpec, runJob } from "../execute/run-job"
import { classifySource } from "../execute/scenario-source"
import { ProgressBar } from "../progress/index"
import { Interrupt } from "../sweep/interrupt"
import type { RunOptions } from "../commands/run"
import { attempt, attemptPromise } from "./attempt"
import { progressTarget } from "./progress-target"

/** The short summary `run` prints: requests by outcome, per-pod spread per service port and phase, the run directory. */
export const runSummary = (r: RunJobResult): string => {
  const q = r.requests
  const lines = [`${r.scenario} (variant ${r.variant}, seed ${r.seed}): ${r.events} events, trace hash ${r.traceHash}`]
  lines.push(`  requests: ${q.issued} issued, ${q.ok} ok, ${q.failed} failed, ${q.inFlight} in flight at the end`)
  for (const s of r.perPod) lines.push(`  ${s.service}${s.phase === null ? "" : ` [${s.phase}]`}: ${s.pods.map(([p, n]) => `${p} ${n}`).join(", ")}`)
  lines.push(`  run directory: ${r.dir}`)
  return lines.join("\n")
}

/** `kubesim run` (see ../commands/run.ts): each seed in turn, in this process; Ctrl-C stops after the current one. */
export const run = (o: RunOptions) =>
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
  })
