import { readFileSync } from "node:fs"
import { type LoadedScenario, loadScenarioFile, scenarioFromObject } from "@kubesim/scenarios"
import { builtinScenario } from "./builtins"
import { defaultScenarioFor } from "./default-scenario"
import type { ScenarioSource } from "./scenario-source"

/**
 * Loads what `run`/`sweep` were given into a scenario the executor takes. Manifests become the default scenario
 * (default-scenario.ts) of length `manifestDuration`; its `file:` references are absolute paths.
 */
export const loadSource = (source: ScenarioSource, manifestDuration?: string): LoadedScenario => {
  switch (source.kind) {
    case "file":
      return loadScenarioFile(source.path)
    case "builtin":
      return builtinScenario(source.name)
    case "manifests": {
      const texts = source.paths.map((p) => readFileSync(p, "utf8"))
      return scenarioFromObject(defaultScenarioFor(source.paths, texts, manifestDuration), { name: source.paths.join(" "), baseDir: "/" })
    }
  }
}
