import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type LoadedScenario, loadScenarioFile } from "@kubesim/scenarios"
import { isScenarioText } from "./scenario-source"

/** The scenarios package's built-in library directory (one directory per scenario, its YAML inside). */
const LIBRARY = fileURLToPath(new URL("../../../scenarios/library/", import.meta.url))

export interface BuiltinEntry {
  readonly name: string
  readonly file: string
  readonly description: string
}

/** Every built-in scenario, by name (the scenario's directory), sorted. */
export const builtinEntries = (): BuiltinEntry[] => {
  if (!existsSync(LIBRARY)) return []
  const out: BuiltinEntry[] = []
  for (const name of readdirSync(LIBRARY).sort()) {
    const dir = join(LIBRARY, name)
    if (!statSync(dir).isDirectory()) continue
    const file = readdirSync(dir)
      .sort()
      .map((f) => join(dir, f))
      .find((f) => /\.ya?ml$/.test(f) && isScenarioText(readFileSync(f, "utf8")))
    if (file === undefined) continue
    let description = ""
    try {
      description = loadScenarioFile(file).scenario.metadata.description ?? ""
    } catch {
      description = "(does not decode; `kubesim validate` it)"
    }
    out.push({ name, file, description })
  }
  return out
}

export const builtinNames = (): string[] => builtinEntries().map((e) => e.name)

export const builtinScenario = (name: string): LoadedScenario => {
  const e = builtinEntries().find((x) => x.name === name)
  if (e === undefined) throw new Error(`no built-in scenario named "${name}"`)
  return loadScenarioFile(e.file)
}
