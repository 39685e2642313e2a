import { existsSync, readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type LoadedScenario, loadScenarioFile } from "../format/load-scenario"
import { ScenarioError, issueWithMessage } from "../format/scenario-issue"

/** `packages/scenarios/library/`: one directory per built-in scenario (`scenario.yaml`, `README.md`, files). */
export const LIBRARY_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "library")

/** Names of the built-in scenarios, sorted. */
export const builtinScenarioNames = (): string[] =>
  readdirSync(LIBRARY_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(LIBRARY_DIR, d.name, "scenario.yaml")))
    .map((d) => d.name)
    .sort()

/** The scenario file of a built-in scenario; throws ScenarioError naming the known ones. */
export const builtinScenarioPath = (name: string): string => {
  const names = builtinScenarioNames()
  if (!names.includes(name)) {
    throw new ScenarioError([issueWithMessage("<library>", "", `one of ${names.join(", ")}`, name, `no built-in scenario "${name}" (built-in: ${names.join(", ")})`)])
  }
  return join(LIBRARY_DIR, name, "scenario.yaml")
}

export const loadBuiltinScenario = (name: string): LoadedScenario => loadScenarioFile(builtinScenarioPath(name))
