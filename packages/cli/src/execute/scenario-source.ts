import { existsSync, readFileSync, statSync } from "node:fs"
import { parseAllDocuments } from "yaml"

/**
 * What `kubesim run` was given: a scenario file, the name of a built-in scenario, or plain Kubernetes manifests
 * (run under the default scenario). Serializable: sweep workers get it as is and load it themselves.
 */
export type ScenarioSource =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "manifests"; readonly paths: ReadonlyArray<string> }

export class SourceError extends Error {
  override readonly name = "SourceError"
}

/** True when the YAML text's first document is a kubesim Scenario (`kind: Scenario`). */
export const isScenarioText = (text: string): boolean => {
  try {
    const docs = parseAllDocuments(text)
    const first = Array.isArray(docs) ? docs[0] : undefined
    const v = first?.toJS() as { kind?: unknown; apiVersion?: unknown } | null | undefined
    return typeof v === "object" && v !== null && v.kind === "Scenario" && typeof v.apiVersion === "string" && v.apiVersion.startsWith("kubesim.dev/")
  } catch {
    return false
  }
}

/**
 * Classifies the positional arguments: one existing file whose first document is a Scenario → that scenario;
 * one argument naming no file but a built-in scenario → the built-in; otherwise every argument must be an
 * existing manifest file (a Scenario among several files is an error).
 */
export const classifySource = (args: ReadonlyArray<string>, builtins: ReadonlyArray<string>): ScenarioSource => {
  if (args.length === 0) throw new SourceError("expected a scenario (a file or a built-in name; see `kubesim scenarios`) or manifest files")
  const only = args[0] as string
  if (args.length === 1 && !existsSync(only)) {
    if (builtins.includes(only)) return { kind: "builtin", name: only }
    throw new SourceError(`${only}: no such file, and no built-in scenario of that name (built-in: ${builtins.join(", ") || "none"})`)
  }
  for (const a of args) {
    if (!existsSync(a)) throw new SourceError(`${a}: no such file`)
    if (!statSync(a).isFile()) throw new SourceError(`${a}: not a file`)
  }
  const scenarios = args.filter((a) => isScenarioText(readFileSync(a, "utf8")))
  if (scenarios.length === 1 && args.length === 1) return { kind: "file", path: only }
  if (scenarios.length > 0) throw new SourceError(`${scenarios[0]}: a scenario must be run alone (it names its own manifests); got ${args.length} files`)
  return { kind: "manifests", paths: args }
}
