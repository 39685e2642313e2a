/**
 * A problem found while reading a manifest: an error (the document is not applied) or a warning (it is, as
 * with `kubectl apply --validate=warn`). Each names where it is (file, 1-based document, line and column when
 * known, the object's kind and name when known), the field path, what was expected and what was found, and
 * carries the one-line message kubectl would print for it.
 */
export type ManifestIssueReason =
  /** The text is not YAML (bad indentation, unclosed quote, duplicate key …). */
  | "YAMLSyntax"
  /** A document that is not a mapping, or without apiVersion/kind. */
  | "NotAnObject"
  /** apiVersion/kind not served by kubesim. */
  | "UnknownKind"
  /** A field of the wrong JSON type (kubectl: "cannot unmarshal … into Go struct field"). */
  | "TypeMismatch"
  /** A field that is not part of the kind's schema (a warning). */
  | "UnknownField"
  /** A validation failure; `field/errors.go` types. */
  | "Invalid"
  | "Required"
  | "Duplicate"
  | "NotSupported"
  | "Forbidden"
  | "TooLong"
  | "TooMany"

export interface ManifestIssue {
  readonly severity: "error" | "warning"
  readonly reason: ManifestIssueReason
  readonly file: string
  /** 1-based index of the YAML document in the file. */
  readonly document: number
  /** 1-based position of the field (or the deepest part of its path present in the text). */
  readonly line?: number
  readonly column?: number
  readonly kind?: string
  readonly name?: string
  /** Kubernetes field path (`spec.ports[0].port`); "" for the whole document. */
  readonly field: string
  readonly expected: string
  readonly found: string
  /** The cause as kubectl prints it (`spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive`). */
  readonly message: string
}

const where = (i: ManifestIssue): string =>
  i.line === undefined ? `${i.file}, document ${i.document}` : `${i.file}:${i.line}:${i.column ?? 1}, document ${i.document}`

/**
 * Prints issues kubectl-style, grouping the errors of one document under one header (cmdutil `MultilineError`):
 *
 *     The Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive (svc.yml:9:13, document 1)
 *
 * or, with several causes, a header followed by `* cause (location)` lines. Warnings print as
 * `Warning: unknown field "spec.foo" (svc.yml:4:3, document 1)`. Output ends with a newline unless empty.
 */
export const formatManifestIssues = (issues: ReadonlyArray<ManifestIssue>): string => {
  let out = ""
  const groups = new Map<string, ManifestIssue[]>()
  for (const i of issues) {
    if (i.severity === "warning") {
      out += `Warning: ${i.message} (${where(i)})\n`
      continue
    }
    const key = `${i.file}\u0000${i.document}\u0000${i.reason === "Invalid" || isValidation(i.reason) ? "v" : i.reason}`
    const g = groups.get(key)
    if (g === undefined) groups.set(key, [i])
    else g.push(i)
  }
  for (const g of groups.values()) {
    const first = g[0] as ManifestIssue
    const header = headerOf(first)
    if (g.length === 1) out += `${header}${first.message} (${where(first)})\n`
    else {
      out += `${header.trimEnd()}\n`
      for (const i of g) out += `* ${i.message} (${where(i)})\n`
    }
  }
  return out
}

const isValidation = (r: ManifestIssueReason): boolean =>
  r === "Invalid" || r === "Required" || r === "Duplicate" || r === "NotSupported" || r === "Forbidden" || r === "TooLong" || r === "TooMany" || r === "TypeMismatch"

/** kubectl's lead-in per kind of problem (staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go `StandardErrorMessage`). */
const headerOf = (i: ManifestIssue): string => {
  if (isValidation(i.reason)) return i.kind !== undefined ? `The ${i.kind} ${JSON.stringify(i.name ?? "")} is invalid: ` : "The request is invalid: "
  if (i.reason === "YAMLSyntax") return `error parsing ${i.file}: error converting YAML to JSON: `
  if (i.reason === "NotAnObject") return `error validating ${JSON.stringify(i.file)}: error validating data: `
  return "error: "
}
