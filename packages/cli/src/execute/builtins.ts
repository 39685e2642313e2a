import { type LoadedScenario, loadScenarioFile } from "@kubesim/scenarios"
import { builtinEntries } from "./library"

/** A built-in scenario, decoded and validated (listing the library is library.ts, which loads no decoder). */
export const builtinScenario = (name: string): LoadedScenario => {
  const e = builtinEntries().find((x) => x.name === name)
  if (e === undefined) throw new Error(`no built-in scenario named "${name}"`)
  return loadScenarioFile(e.file)
}
