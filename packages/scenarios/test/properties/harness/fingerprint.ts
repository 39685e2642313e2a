import { createHash } from "node:crypto"
import { type Scenario, runScenario, scenarioFromObject } from "../../../src/index"

/** What must not depend on the run's thread or process: the trace hash and the records, byte for byte (hashed). */
export interface ScenarioFingerprint {
  readonly traceHash: string
  readonly events: number
  readonly records: string
}

/** Runs a scenario unobserved (as `kubesim run` does) and fingerprints the result. */
export const scenarioFingerprint = (scenario: Scenario, seed: number): ScenarioFingerprint => {
  const r = runScenario(scenarioFromObject(scenario), { seed })
  return { traceHash: r.traceHash, events: r.events, records: [...r.recordsChunks].reduce((h, c) => h.update(c), createHash("sha256")).digest("hex") }
}
