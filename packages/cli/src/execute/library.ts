import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseAllDocuments } from "yaml"
import { isScenarioText } from "./scenario-source"

/** The scenarios package's built-in library directory (one directory per scenario, its YAML inside). */
const LIBRARY = fileURLToPath(new URL("../../../scenarios/library/", import.meta.url))

export interface BuiltinEntry {
  readonly name: string
  readonly file: string
  readonly description: string
}

/**
 * The scenario's `metadata.description` as the YAML says it. Read with the YAML parser alone, not the scenario
 * decoder, so listing the library (and resolving a built-in name) does not load the simulator; `kubesim validate`
 * and `run` decode.
 */
const descriptionOf = (text: string): string => {
  const first = parseAllDocuments(text)
  const doc = Array.isArray(first) ? first[0] : undefined
  const v = doc?.toJS() as { metadata?: { description?: unknown } } | null | undefined
  const d = v?.metadata?.description
  return typeof d === "string" ? d : ""
}

/** Every built-in scenario, by name (the scenario's directory), sorted. */
export const builtinEntries = (): BuiltinEntry[] => {
  if (!existsSync(LIBRARY)) return []
  const out: BuiltinEntry[] = []
  for (const name of readdirSync(LIBRARY).sort()) {
    const dir = join(LIBRARY, name)
    if (!statSync(dir).isDirectory()) continue
    const found = readdirSync(dir)
      .sort()
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), "utf8") }))
      .find((f) => isScenarioText(f.text))
    if (found === undefined) continue
    out.push({ name, file: found.file, description: descriptionOf(found.text) })
  }
  return out
}

export const builtinNames = (): string[] => builtinEntries().map((e) => e.name)
