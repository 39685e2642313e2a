import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { decodeScenarioText, decodeScenarioValue } from "./decode-scenario"
import type { Scenario } from "./schema"
import { ScenarioError, issueWithMessage } from "./scenario-issue"

/** A decoded scenario and where it came from: manifest files are read relative to `baseDir`. */
export interface LoadedScenario {
  readonly scenario: Scenario
  /** The scenario file (for messages); `<scenario>` for one built in TypeScript. */
  readonly file: string
  /** Directory manifest `file:` references are relative to; undefined when the scenario has no file. */
  readonly baseDir: string | undefined
}

/** Reads and decodes a scenario file; throws ScenarioError with every problem (unreadable file included). */
export const loadScenarioFile = (path: string): LoadedScenario => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : e instanceof Error ? e.message : String(e)
    throw new ScenarioError([issueWithMessage(path, "", "a readable scenario file", why, `cannot read scenario file: ${why}`)])
  }
  return loadScenarioText(text, path, dirname(resolve(path)))
}

/** Decodes scenario YAML text; `file` names it in messages, `baseDir` anchors its manifest files. */
export const loadScenarioText = (text: string, file: string, baseDir?: string): LoadedScenario => {
  const r = decodeScenarioText(text, file)
  if (!r.ok) throw new ScenarioError(r.issues)
  return { scenario: r.scenario, file, baseDir }
}

/**
 * The TypeScript API: a scenario object written in code, checked exactly like a file. Manifest `file:`
 * references are relative to `baseDir` (required if there are any).
 */
export const scenarioFromObject = (value: Scenario | unknown, options: { readonly baseDir?: string; readonly name?: string } = {}): LoadedScenario => {
  const file = options.name ?? "<scenario>"
  const r = decodeScenarioValue(value, { file })
  if (!r.ok) throw new ScenarioError(r.issues)
  return { scenario: r.scenario, file, baseDir: options.baseDir }
}
