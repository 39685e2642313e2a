import type { LoadedScenario, Override } from "@kubesim/scenarios"
import { Effect } from "effect"
import { scenarioWarnings } from "../execute/input-checks"

/** Prints `run`'s warnings about its input on stderr (execute/input-checks.ts); the run goes on. */
export const printInputWarnings = (loaded: LoadedScenario, variant: string, set: ReadonlyArray<Override>) =>
  Effect.sync(() => {
    for (const l of scenarioWarnings(loaded, variant, set)) process.stderr.write(`${l}\n`)
  })
