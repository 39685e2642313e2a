import { parentPort, workerData } from "node:worker_threads"
import { type RunJobResult, type RunJobSpec, runJob } from "../execute/run-job"
import { describeError } from "../execute/describe-error"
import type { FromWorker, JobProgress, ToWorker } from "./pool"
import type { SweepJob } from "./jobs"

/**
 * A sweep worker thread's work: receives jobs one at a time (see pool.ts), runs each with runJob into the shared
 * output directory, answers with the result or the error's message (and, when the spec asks, posts progress while
 * it runs). Exits when sent `null`. Started by
 * sweep-worker.ts (under tsx) or by the bundle's worker mode (bundle-entry.ts).
 */
export const serveSweepJobs = (): void => {
  const port = parentPort
  if (port === null) throw new Error("a sweep worker must run as a worker thread")
  const spec = workerData as RunJobSpec
  port.on("message", (m: ToWorker<SweepJob>) => {
    if (m === null) {
      port.close()
      return
    }
    const hooks =
      spec.progress === true
        ? {
            onProgress: (now: number, total: number, events: number, writing?: true) =>
              port.postMessage({ progress: { now, total, events, ...(writing === true ? { writing } : {}) } } satisfies JobProgress),
          }
        : {}
    runJob(spec, m.job.variant, m.job.seed, hooks).then(
      (result) => port.postMessage({ ok: true, result } satisfies FromWorker<RunJobResult>),
      (e: unknown) => {
        const d = describeError(e)
        port.postMessage({ ok: false, message: d.message, userError: d.userError, ...(d.detail !== undefined ? { detail: d.detail } : {}) } satisfies FromWorker<RunJobResult>)
      },
    )
  })
  port.postMessage("ready")
}
