import { api } from "@kubesim/core"

/** A selector on the command line that does not parse (the message is apimachinery's where it has one). */
export class SelectorSyntaxError extends Error {
  override readonly name = "SelectorSyntaxError"
}

/**
 * `-l` / `--selector`: k8s.io/apimachinery/pkg/labels/selector.go `Parse` — comma-separated requirements ANDed:
 * `k=v`, `k==v`, `k!=v` (true also when k is absent), `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
 */
export const parseLabelSelector = (text: string): api.LabelSelector => {
  const exprs: api.LabelSelectorRequirement[] = []
  // Split on commas outside parentheses.
  const parts: string[] = []
  let depth = 0
  let cur = ""
  for (const ch of text) {
    if (ch === "(") depth++
    if (ch === ")") depth--
    if (ch === "," && depth === 0) {
      parts.push(cur)
      cur = ""
    } else cur += ch
  }
  parts.push(cur)
  for (const raw of parts) {
    const p = raw.trim()
    if (p === "") {
      if (text.trim() === "") continue
      throw new SelectorSyntaxError(`unable to parse requirement: found ',', expected: identifier`)
    }
    let m: RegExpMatchArray | null
    if ((m = p.match(/^([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)$/)) !== null) {
      const values = (m[3] as string).split(",").map((v) => v.trim())
      exprs.push({ key: m[1] as string, operator: m[2] === "in" ? "In" : "NotIn", values })
    } else if ((m = p.match(/^([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$/)) !== null) {
      exprs.push({ key: m[1] as string, operator: m[2] === "!=" ? "NotIn" : "In", values: [m[3] as string] })
    } else if ((m = p.match(/^!\s*([A-Za-z0-9_./-]+)$/)) !== null) exprs.push({ key: m[1] as string, operator: "DoesNotExist" })
    else if ((m = p.match(/^([A-Za-z0-9_./-]+)$/)) !== null) exprs.push({ key: m[1] as string, operator: "Exists" })
    else throw new SelectorSyntaxError(`unable to parse requirement: ${JSON.stringify(p)}: expected key, !key, key=value, key!=value, key in (v1,v2) or key notin (v1,v2)`)
  }
  return { matchExpressions: exprs }
}

/** The fields `--field-selector` supports per kind: metadata.name and metadata.namespace for all, as the API server. */
const FIELDS: Readonly<Record<string, ReadonlyArray<string>>> = {
  // pkg/registry/core/pod/strategy.go `PodToSelectableFields` (a subset: the ones kubesim's pods carry).
  Pod: ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "status.podIP", "spec.restartPolicy"],
  // pkg/registry/core/node/strategy.go `NodeToSelectableFields`.
  Node: ["metadata.name", "spec.unschedulable"],
}

const fieldValue = (o: api.KubeObject, field: string): string | undefined => {
  switch (field) {
    case "metadata.name":
      return o.metadata.name
    case "metadata.namespace":
      return o.metadata.namespace ?? ""
    case "spec.nodeName":
      return o.kind === "Pod" ? (o.spec.nodeName ?? "") : undefined
    case "status.phase":
      return o.kind === "Pod" ? (o.status.phase ?? "") : undefined
    case "status.podIP":
      return o.kind === "Pod" ? (o.status.podIP ?? "") : undefined
    case "spec.restartPolicy":
      return o.kind === "Pod" ? (o.spec.restartPolicy ?? "") : undefined
    case "spec.unschedulable":
      return o.kind === "Node" ? String(o.spec.unschedulable ?? false) : undefined
    default:
      return undefined
  }
}

export interface FieldRequirement {
  readonly field: string
  readonly equal: boolean
  readonly value: string
}

/** `--field-selector`: k8s.io/apimachinery/pkg/fields/selector.go `ParseSelector` (`f=v`, `f==v`, `f!=v`, comma-separated). */
export const parseFieldSelector = (text: string): FieldRequirement[] =>
  text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => {
      const m = p.match(/^([^=!]+)(==|=|!=)(.*)$/)
      if (m === null) throw new SelectorSyntaxError(`invalid selector: '${text}'; can't understand '${p}'`)
      return { field: (m[1] as string).trim(), equal: m[2] !== "!=", value: (m[3] as string).trim() }
    })

/** Checks the fields exist for the kind; the API server's message otherwise (`field label not supported: …`). */
export const checkFields = (kind: string, reqs: ReadonlyArray<FieldRequirement>): void => {
  const allowed = FIELDS[kind] ?? ["metadata.name", "metadata.namespace"]
  for (const r of reqs)
    if (!allowed.includes(r.field)) throw new SelectorSyntaxError(`Error from server (BadRequest): field label not supported: ${r.field} (${kind}: ${allowed.join(", ")})`)
}

export const matchesFields = (o: api.KubeObject, reqs: ReadonlyArray<FieldRequirement>): boolean =>
  reqs.every((r) => (fieldValue(o, r.field) === r.value) === r.equal)
