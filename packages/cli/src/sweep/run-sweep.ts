import { join } from "node:path"
import { formatScenarioIssues, prepareScenario, ScenarioError, type LoadedScenario } from "@kubesim/scenarios"
import type { Shard } from "../args/shard"
import { jobOverrides, type RunJobResult, type RunJobSpec } from "../execute/run-job"
import { writeFileAtomic } from "../io/atomic-write"
import { SweepProgress } from "../progress/sweep-progress"
import { KUBESIM_VERSION } from "../version"
import { shardOf, sweepJobs, type SweepJob } from "./jobs"
import { runPool } from "./pool"
import { startSweepWorker } from "./worker-launch"
import { presentEntries, readEntry, relativeRunDir, renderSweepJson, shardText, type SweepEntry } from "./sweep-json"
import { Interrupt, removeOwnTemporaries } from "./interrupt"

export interface SweepOptions {
  readonly spec: RunJobSpec
  readonly loaded: LoadedScenario
  /** Variant names to run; empty: `default` and every variant the scenario declares, in its order. */
  readonly variants: ReadonlyArray<string>
  readonly seeds: ReadonlyArray<number>
  readonly shard: Shard | undefined
  readonly workers: number
  /** Where progress and notices go (stderr). */
  readonly log: (line: string) => void
  readonly progress: { readonly sink: { write(s: string): unknown }; readonly clock: () => number; readonly terminal?: boolean } | undefined
}

export interface SweepOutcome {
  readonly file: string
  readonly jobs: number
  readonly resumed: number
  readonly ran: number
  readonly failures: ReadonlyArray<{ readonly job: SweepJob; readonly message: string; readonly userError: boolean }>
  readonly interrupted: boolean
  readonly entries: ReadonlyArray<SweepEntry>
}

/** The variants a sweep runs: those asked for, or `default` followed by the scenario's own. */
export const sweepVariants = (loaded: LoadedScenario, asked: ReadonlyArray<string>): string[] =>
  asked.length > 0 ? [...new Set(asked)] : ["default", ...(loaded.scenario.variants ?? []).map((v) => v.name)]

/**
 * Runs a sweep: variants × seeds in a fixed order, this shard's share, skipping jobs whose run directory already
 * holds run.json (a resumed sweep), on worker threads; then writes sweep.json (every run present under the
 * scenario's directory, this sweep's and earlier ones') or sweep-shard-i-of-N.json (this shard's), sorted by
 * (variant, seed). Every variant is validated in this thread first, so a bad
 * scenario fails once, before any worker starts.
 */
export const runSweep = async (o: SweepOptions): Promise<SweepOutcome> => {
  const variants = sweepVariants(o.loaded, o.variants)
  const overrides = jobOverrides(o.spec)
  let name = o.loaded.scenario.metadata.name
  for (const v of variants) name = prepareScenario(o.loaded, { variant: v, set: overrides }).scenario.metadata.name
  const all = sweepJobs(variants, o.seeds)
  const mine = shardOf(all, o.shard)
  const done = (j: SweepJob) => readEntry(o.spec.out, name, j) !== undefined
  const todo = mine.filter((j) => !done(j))
  const resumed = mine.length - todo.length
  if (resumed > 0) o.log(`resuming: ${resumed} of ${mine.length} runs already finished, ${todo.length} to go`)

  const bar = o.progress === undefined || todo.length === 0 ? undefined : new SweepProgress({ ...o.progress, terminal: o.progress.terminal ?? true, name, count: todo.length })
  let abandoned = false
  let pool: ReturnType<typeof runPool<SweepJob, RunJobResult>> | undefined
  const interrupt = new Interrupt(
    () => {
      bar?.done()
      o.log("interrupted: no new runs start; finished runs are kept (Ctrl-C again to abandon the running ones)")
    },
    () => {
      abandoned = true
      o.log("abandoning the running runs")
      void pool?.abandon()
    },
  )
  try {
    pool = runPool<SweepJob, RunJobResult>({
      jobs: todo,
      workers: o.workers,
      startWorker: startSweepWorker,
      workerData: { ...o.spec, progress: bar !== undefined } satisfies RunJobSpec,
      onProgress: (job, p) => {
        if (!interrupt.requested) bar?.progress(job.index, p)
      },
      stopping: () => interrupt.requested,
      onSettled: (job, outcome) => {
        if (!interrupt.requested) bar?.settled(job.index, outcome.ok ? outcome.result.events : undefined)
      },
    })
    const result = await pool.done
    bar?.done()
    if (abandoned) removeOwnTemporaries(join(o.spec.out, name))
    const entries = mine.flatMap((j) => readEntry(o.spec.out, name, j) ?? [])
    const fileName = o.shard === undefined ? "sweep.json" : `sweep-shard-${o.shard.index}-of-${o.shard.count}.json`
    const file = join(o.spec.out, name, fileName)
    // sweep.json lists every run present (an earlier sweep's seeds too: the union, sorted); a shard's file its own.
    const listed = o.shard === undefined ? presentEntries(o.spec.out, name) : entries
    const listedVariants = [...variants, ...[...new Set(listed.map((e) => e.variant))].filter((v) => !variants.includes(v)).sort()]
    const listedSeeds = [...new Set([...o.seeds, ...listed.map((e) => e.seed)])].sort((a, b) => a - b)
    writeFileAtomic(
      file,
      renderSweepJson({ kubesimVersion: KUBESIM_VERSION, scenario: name, variants: listedVariants, seeds: listedSeeds, shard: shardText(o.shard), jobs: mine.length }, listed),
    )
    if (result.workerErrors.length > 0 && !abandoned) throw new Error(`sweep worker failed: ${result.workerErrors[0]}`)
    const failures = abandoned ? result.failures.filter((f) => readEntry(o.spec.out, name, f.job) === undefined && !f.message.startsWith("worker exited")) : result.failures
    return { file, jobs: mine.length, resumed, ran: result.results.length, failures, interrupted: interrupt.requested, entries }
  } finally {
    interrupt.dispose()
  }
}

/** A ScenarioError's text for the terminal. */
export const scenarioErrorText = (e: ScenarioError): string => formatScenarioIssues(e.issues).trimEnd()
export { relativeRunDir }
