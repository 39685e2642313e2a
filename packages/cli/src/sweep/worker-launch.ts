import { Worker } from "node:worker_threads"
import { startTsWorker } from "./ts-worker"

/**
 * Where sweep worker threads come from. Run from the bundle (bin/kubesim.mjs → dist/kubesim.mjs), a worker is the
 * bundle itself, which serves jobs when it is not on the main thread (bundle-entry.ts registers its URL here). Run
 * from the TypeScript sources (tsx, tests importing the package), it is sweep-worker.ts through tsx's loader.
 * One process runs one of the two, so this is set once, before any sweep.
 */
let bundle: URL | undefined

export const sweepWorkersFromBundle = (url: URL): void => {
  bundle = url
}

export const startSweepWorker = (workerData: unknown): Worker =>
  bundle !== undefined ? new Worker(bundle, { workerData, stdout: false, stderr: false }) : startTsWorker(new URL("./sweep-worker.ts", import.meta.url), workerData)
