import { Worker } from "node:worker_threads"

/**
 * Starts a worker thread on a TypeScript module. Under tsx (how the `kubesim` bin runs), a worker does not
 * inherit the loader and `execArgv: ["--import", "tsx"]` does not install it on Node 20, so the worker boots
 * from a one-line script that loads the module through tsx's API (the trick of core's sim/testing/ts-worker.ts).
 */
export const startTsWorker = (file: URL, workerData: unknown): Worker => {
  const href = JSON.stringify(file.href)
  // Resolved here, from this package (which depends on tsx): the eval'd script would resolve from the cwd.
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"))
  const boot = `import(${tsx}).then(({ tsImport }) => tsImport(${href}, ${href}))`
  return new Worker(boot, { eval: true, workerData, stdout: false, stderr: false })
}
