import { type ScenarioRunResult, loadBuiltinScenario, runScenario } from "../src/index"

/** Runs of built-in scenarios at seed 1, computed once per test file (the library test shares them). */
const cache = new Map<string, ScenarioRunResult>()
export const runBuiltin = (name: string, seed = 1): ScenarioRunResult => {
  const key = `${name}/${seed}`
  let r = cache.get(key)
  if (r === undefined) cache.set(key, (r = runScenario(loadBuiltinScenario(name), { seed })))
  return r
}
