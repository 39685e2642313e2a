import type { KubeObject } from "../kinds"
import { type DecodeObjectOptions, decodeObject } from "./decode-object"
import type { ManifestIssue } from "./manifest-issue"
import { parseYamlDocuments } from "./yaml-documents"

/** An object decoded from a manifest, with where it came from. */
export interface DecodedManifest {
  readonly object: KubeObject
  readonly file: string
  /** 1-based document index (a `kind: List` item shares its document's index). */
  readonly document: number
  readonly line: number
}

export interface DecodeManifestsResult {
  /** Objects of documents without errors, in file order. */
  readonly objects: ReadonlyArray<DecodedManifest>
  readonly errors: ReadonlyArray<ManifestIssue>
  readonly warnings: ReadonlyArray<ManifestIssue>
}

export interface DecodeManifestsOptions extends DecodeObjectOptions {
  /** Name used in messages; default "<stdin>". */
  readonly file?: string
}

/**
 * Decodes a multi-document YAML manifest (what `kubectl apply -f` takes). Never throws: every problem is a
 * ManifestIssue. Documents are independent, as with kubectl: a bad one does not stop the others. A
 * `kind: List` document (`kubectl get -o yaml` output) contributes its items.
 */
export const decodeManifests = (text: string, options: DecodeManifestsOptions = {}): DecodeManifestsResult => {
  const file = options.file ?? "<stdin>"
  const objects: DecodedManifest[] = []
  const errors: ManifestIssue[] = []
  const warnings: ManifestIssue[] = []
  for (const doc of parseYamlDocuments(text)) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        errors.push({
          severity: "error",
          reason: "YAMLSyntax",
          file,
          document: doc.index,
          line: e.line,
          column: e.column,
          field: "",
          expected: "valid YAML",
          found: e.message,
          message: `yaml: line ${e.line}: ${e.message}`,
        })
      }
      continue
    }
    if (doc.empty) continue
    const items = listItems(doc.value)
    const prefixOf = (i: number): Array<string | number> => (items === undefined ? [] : ["items", i])
    const values = items ?? [doc.value]
    values.forEach((value, i) => {
      const prefix = prefixOf(i)
      const decoded = decodeObject(value, options)
      for (const p of decoded.problems) {
        const at = doc.locate([...prefix, ...p.segments])
        const issue: ManifestIssue = {
          severity: p.severity,
          reason: p.reason,
          file,
          document: doc.index,
          ...(at !== undefined ? { line: at.line, column: at.column } : {}),
          ...(decoded.kind !== undefined ? { kind: decoded.kind } : {}),
          ...(decoded.name !== undefined ? { name: decoded.name } : {}),
          field: p.field,
          expected: p.expected,
          found: p.found,
          message: p.message,
        }
        ;(p.severity === "error" ? errors : warnings).push(issue)
      }
      if (decoded.object !== undefined) {
        objects.push({ object: decoded.object, file, document: doc.index, line: doc.locate(prefix)?.line ?? doc.line })
      }
    })
  }
  return { objects, errors, warnings }
}

/** The items of a `apiVersion: v1, kind: List` document, or undefined for any other document. */
const listItems = (v: unknown): ReadonlyArray<unknown> | undefined => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined
  const o = v as Record<string, unknown>
  if (o["kind"] !== "List" || o["apiVersion"] !== "v1") return undefined
  return Array.isArray(o["items"]) ? o["items"] : []
}
