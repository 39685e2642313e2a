import { Worker } from "node:worker_threads"

/**
 * Starts a worker thread on a TypeScript file, for tests. On Node 20 a worker's `execArgv: ["--import",
 * "tsx"]` does not install tsx's loader in the worker (it fails with `Unknown file extension ".ts"`), so the
 * worker boots from a one-line script that loads the file through tsx's API (`tsx/esm/api`, `tsImport`).
 */
export const startTsWorker = (file: URL, workerData: unknown): Worker => {
  const href = JSON.stringify(file.href)
  const boot = `import("tsx/esm/api").then(({ tsImport }) => tsImport(${href}, ${href}))`
  return new Worker(boot, { eval: true, workerData })
}
