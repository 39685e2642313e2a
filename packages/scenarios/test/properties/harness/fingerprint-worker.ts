import { parentPort, workerData } from "node:worker_threads"
import type { Scenario } from "../../../src/index"
import { scenarioFingerprint } from "./fingerprint"

// Runs generated scenarios in a worker thread and sends their fingerprints back, for the determinism property.
const { cases } = workerData as { cases: ReadonlyArray<{ scenario: Scenario; seed: number }> }
parentPort?.postMessage(cases.map((c) => scenarioFingerprint(c.scenario, c.seed)))
