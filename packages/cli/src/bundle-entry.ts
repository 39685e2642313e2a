import { isMainThread } from "node:worker_threads"
import { runCli } from "./run-cli"
import { sweepWorkersFromBundle } from "./sweep/worker-launch"

/**
 * The entry point bin/kubesim.mjs bundles into dist/kubesim.mjs. On the main thread it is the `kubesim` command; on
 * a worker thread it is a sweep worker, so the bundle is its own worker script. The job-running code is imported
 * only there (a dynamic import: in the bundle its modules are initialised on demand). `import.meta.url` is the
 * bundle's own URL here (the build leaves it alone in this file only; see bin/bundle.mjs).
 */
if (isMainThread) {
  sweepWorkersFromBundle(new URL(import.meta.url))
  await runCli()
} else {
  const { serveSweepJobs } = await import("./sweep/serve-jobs")
  serveSweepJobs()
}
