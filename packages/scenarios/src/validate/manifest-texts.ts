import { readFileSync } from "node:fs"
import { isAbsolute, join } from "node:path"
import type { ManifestRef } from "../format/schema"
import { type ScenarioIssue, issueWithMessage } from "../format/scenario-issue"
import { pathText } from "../format/schema-problems"
import type { PathSegment } from "../format/yaml-source"

/** A manifest's text and the name its decode errors use (the file, or `<scenario> manifests[1] (inline)`). */
export interface ManifestText {
  readonly label: string
  readonly text: string
}

/**
 * Reads a manifest reference: a file relative to `baseDir`, or inline text. Problems (no base directory, a
 * missing file) are pushed to `issues` and give undefined.
 */
export const readManifest = (ref: ManifestRef, baseDir: string | undefined, scenarioFile: string, at: ReadonlyArray<PathSegment>, issues: ScenarioIssue[]): ManifestText | undefined => {
  if ("inline" in ref) return { label: `${scenarioFile} ${pathText(at)} (inline)`, text: ref.inline }
  if (!isAbsolute(ref.file) && baseDir === undefined) {
    issues.push(issueWithMessage(scenarioFile, pathText([...at, "file"]), "a file path with a base directory", ref.file, `manifest file ${JSON.stringify(ref.file)} is relative but the scenario has no directory (pass baseDir)`))
    return undefined
  }
  const path = isAbsolute(ref.file) ? ref.file : join(baseDir as string, ref.file)
  try {
    return { label: ref.file, text: readFileSync(path, "utf8") }
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : e instanceof Error ? e.message : String(e)
    issues.push(issueWithMessage(scenarioFile, pathText([...at, "file"]), "an existing manifest file", path, `manifest file ${JSON.stringify(ref.file)}: ${why} (looked for ${path})`))
    return undefined
  }
}
