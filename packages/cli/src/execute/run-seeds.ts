import { join } from "node:path"
import type { SweepJob } from "../sweep/jobs"
import { type FromWorker, type JobProgress, runPool } from "../sweep/pool"
import { Interrupt, removeOwnTemporaries } from "../sweep/interrupt"
import { startSweepWorker } from "../sweep/worker-launch"
import type { RunJobResult, RunJobSpec } from "./run-job"

export interface RunSeedsHooks {
  readonly onProgress?: (seed: number, p: JobProgress["progress"]) => void
  /** Each finished seed, in seed order (one worker runs them one after another). */
  readonly onResult?: (r: RunJobResult) => void
  /** Ctrl-C: called once, before the running seed is abandoned. */
  readonly onInterrupt?: () => void
}

export interface RunSeedsOutcome {
  readonly results: ReadonlyArray<RunJobResult>
  /** The first failure (later seeds were not started). */
  readonly failure?: { readonly seed: number; readonly message: string; readonly userError: boolean; readonly detail?: string }
  readonly interrupted: boolean
}

/**
 * `kubesim run`'s seeds, one after another, on one worker thread. A simulation is one synchronous loop, so on the
 * main thread a Ctrl-C would wait for the run to end (a 1000h run ignored it); here the main thread stays free:
 * Ctrl-C terminates the worker at once, the run directory it may have been writing (a hidden temporary, renamed
 * into place only when whole) is removed, and no further seed starts. Finished seeds' run directories are kept.
 */
export const runSeeds = async (spec: RunJobSpec, scenario: string, variant: string, seeds: ReadonlyArray<number>, hooks: RunSeedsHooks = {}): Promise<RunSeedsOutcome> => {
  const jobs: SweepJob[] = seeds.map((seed, index) => ({ index, variant, seed }))
  const results: RunJobResult[] = []
  let failure: RunSeedsOutcome["failure"]
  let interrupted = false
  let pool: ReturnType<typeof runPool<SweepJob, RunJobResult>> | undefined
  const interrupt = new Interrupt(
    () => {
      interrupted = true
      hooks.onInterrupt?.()
      void pool?.abandon()
    },
    () => {},
  )
  try {
    pool = runPool<SweepJob, RunJobResult>({
      jobs,
      workers: 1,
      startWorker: startSweepWorker,
      workerData: { ...spec, progress: hooks.onProgress !== undefined } satisfies RunJobSpec,
      stopping: () => interrupted || failure !== undefined,
      onProgress: (job, p) => hooks.onProgress?.(job.seed, p),
      onSettled: (job, outcome: FromWorker<RunJobResult>) => {
        if (outcome.ok) {
          results.push(outcome.result)
          hooks.onResult?.(outcome.result)
        } else if (!interrupted && failure === undefined)
          failure = { seed: job.seed, message: outcome.message, userError: outcome.userError, ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}) }
      },
    })
    const done = await pool.done
    if (interrupted) removeOwnTemporaries(join(spec.out, scenario))
    if (failure === undefined && !interrupted && done.workerErrors.length > 0) failure = { seed: seeds[0] ?? 0, message: done.workerErrors[0] as string, userError: false }
    return { results, ...(failure !== undefined ? { failure } : {}), interrupted }
  } finally {
    interrupt.dispose()
  }
}
