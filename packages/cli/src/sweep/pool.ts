import type { Worker } from "node:worker_threads"

/** What the pool sends a worker: run this job. `null` tells the worker to exit. */
export type ToWorker<J> = { readonly job: J } | null

/** What a worker answers for each job. */
export type FromWorker<R> = { readonly ok: true; readonly result: R } | { readonly ok: false; readonly message: string; readonly userError: boolean; readonly detail?: string }

/**
 * A running job's progress, posted by the worker while it runs (simulated now and length in ns, events so far);
 * `writing`: the simulation is over and the run directory is being written (a 1,000-node run's records are a
 * gigabyte: seconds with nothing else to show).
 */
export interface JobProgress {
  readonly progress: { readonly now: number; readonly total: number; readonly events: number; readonly writing?: true }
}

export interface PoolOptions<J, R> {
  readonly jobs: ReadonlyArray<J>
  readonly workers: number
  /** Starts one worker thread given `workerData` (worker-launch.ts); it answers one FromWorker per job. */
  readonly startWorker: (workerData: unknown) => Worker
  readonly workerData: unknown
  /** Called in completion order (which varies): callers must not let output depend on it. */
  readonly onSettled?: (job: J, outcome: FromWorker<R>) => void
  /** A running job's progress (workers post it when the job spec asks). */
  readonly onProgress?: (job: J, p: JobProgress["progress"]) => void
  /** Polled before each dispatch: true stops dispatching (Ctrl-C); running jobs are awaited. */
  readonly stopping?: () => boolean
}

export interface PoolOutcome<J, R> {
  readonly results: ReadonlyArray<{ readonly job: J; readonly result: R }>
  readonly failures: ReadonlyArray<{ readonly job: J; readonly message: string; readonly userError: boolean }>
  /** Jobs never started because dispatching stopped. */
  readonly notStarted: number
  /** Workers that died between jobs (failed to start, crashed): internal errors. */
  readonly workerErrors: ReadonlyArray<string>
}

/**
 * Runs jobs on `workers` worker threads, handing each idle worker the next job in order. The results come back in
 * completion order; the caller sorts them (sweep.json is ordered by variant and seed, never by completion).
 * A worker that dies (an internal error) fails its job and is not replaced; the remaining workers carry on.
 */
export const runPool = <J, R>(o: PoolOptions<J, R>): { readonly done: Promise<PoolOutcome<J, R>>; readonly abandon: () => Promise<void> } => {
  const results: Array<{ job: J; result: R }> = []
  const failures: Array<{ job: J; message: string; userError: boolean }> = []
  const workerErrors: string[] = []
  let next = 0
  const live = new Set<Worker>()
  const n = Math.max(1, Math.min(o.workers, o.jobs.length))
  let resolveDone: (v: PoolOutcome<J, R>) => void = () => {}
  const done = new Promise<PoolOutcome<J, R>>((resolve) => {
    resolveDone = resolve
  })
  const finishIfIdle = () => {
    if (live.size === 0) resolveDone({ results, failures, notStarted: o.jobs.length - next, workerErrors })
  }
  if (o.jobs.length === 0) {
    finishIfIdle()
    return { done, abandon: async () => {} }
  }
  for (let w = 0; w < n; w++) {
    const worker = o.startWorker(o.workerData)
    live.add(worker)
    let current: J | undefined
    let exited = false
    const dispatch = () => {
      if (next >= o.jobs.length || o.stopping?.() === true) {
        current = undefined
        worker.postMessage(null satisfies ToWorker<J>)
        return
      }
      current = o.jobs[next++] as J
      worker.postMessage({ job: current } satisfies ToWorker<J>)
    }
    worker.on("message", (m: FromWorker<R> | JobProgress | "ready") => {
      if (m === "ready") return dispatch()
      if ("progress" in m) {
        if (current !== undefined) o.onProgress?.(current, m.progress)
        return
      }
      const job = current as J
      if (m.ok) results.push({ job, result: m.result })
      else failures.push({ job, message: m.message, userError: m.userError })
      o.onSettled?.(job, m)
      dispatch()
    })
    const gone = (message: string) => {
      if (exited) return
      exited = true
      if (current !== undefined) {
        const outcome: FromWorker<R> = { ok: false, message, userError: false }
        failures.push({ job: current, message, userError: false })
        o.onSettled?.(current, outcome)
        current = undefined
      } else if (message !== "worker exited with code 0") workerErrors.push(message)
      live.delete(worker)
      finishIfIdle()
    }
    worker.on("error", (e) => gone(`worker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
    worker.on("exit", (code) => gone(`worker exited with code ${code}`))
  }
  const abandon = async () => {
    next = o.jobs.length
    await Promise.all([...live].map((w) => w.terminate()))
  }
  return { done, abandon }
}
