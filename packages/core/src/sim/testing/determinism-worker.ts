import { parentPort, workerData } from "node:worker_threads"
import { runFingerprint } from "./run-fingerprint"

// Runs the same fingerprint as the test's own thread, in a worker thread, and sends it back.
const { seed, customers } = workerData as { seed: number; customers: number }
parentPort?.postMessage(runFingerprint(seed, customers))
