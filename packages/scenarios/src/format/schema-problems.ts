import { api } from "@kubesim/core"
import type { ParseResult, SchemaAST } from "effect"
import type { PathSegment } from "./yaml-source"

/** A flattened schema failure: where, and either a mismatch (expected / actual) or an unknown key. */
export interface SchemaProblem {
  readonly path: ReadonlyArray<PathSegment>
  readonly kind: "mismatch" | "unknown" | "missing"
  readonly expected: string
  readonly actual: unknown
  /** A refinement's own explanation (e.g. parseDuration's message), when it gave one. */
  readonly detail?: string
}

/** What a schema node accepts, in words; lists are "list" to a scenario's author (core's says "array"). */
const describeAst = (ast: SchemaAST.AST): string => api.describeAst(ast, "list")

/** A found value: `string "1x"`, `number -1`, `boolean true`, `list`, `object`, `null`, `nothing`. */
export const describeValue = (v: unknown): string => (v === undefined ? "nothing" : api.describeValue(v, "list"))

/**
 * Walks a ParseIssue tree (decoded with `errors: "all"`) into flat problems. A union whose discriminant picked one
 * member (traffic `type: poisson`) reports that member's problems; a union no member came close to is one problem.
 */
export const flattenIssue = (root: ParseResult.ParseIssue): SchemaProblem[] => {
  const out: SchemaProblem[] = []
  const walk = (i: ParseResult.ParseIssue, path: ReadonlyArray<PathSegment>): void => {
    switch (i._tag) {
      case "Pointer": {
        const seg: ReadonlyArray<PropertyKey> = Array.isArray(i.path) ? i.path : [i.path as PropertyKey]
        walk(i.issue, [...path, ...seg.map((s) => (typeof s === "number" ? s : String(s)))])
        return
      }
      case "Composite": {
        const subs = Array.isArray(i.issues) ? i.issues : [i.issues]
        if (i.ast._tag === "Union" && subs.length !== 1) {
          out.push({ path, kind: "mismatch", expected: describeAst(i.ast), actual: i.actual })
          return
        }
        for (const sub of subs) walk(sub, path)
        return
      }
      case "Refinement": {
        // A refinement over an object or list reports what is inside; over a scalar, the refinement's own name.
        if (i.kind === "From" && i.issue._tag !== "Type") return walk(i.issue, path)
        const inner = i.issue
        const detail = i.kind === "Predicate" && inner._tag === "Type" && inner.message !== undefined ? inner.message : undefined
        out.push({ path, kind: "mismatch", expected: describeAst(i.ast), actual: i.actual, ...(detail !== undefined ? { detail } : {}) })
        return
      }
      case "Type":
      case "Forbidden":
        out.push({ path, kind: "mismatch", expected: describeAst(i.ast), actual: i.actual })
        return
      case "Transformation":
        walk(i.issue, path)
        return
      case "Unexpected":
        out.push({ path, kind: "unknown", expected: "", actual: i.actual })
        return
      case "Missing":
        out.push({ path, kind: "missing", expected: describeAst(i.ast as unknown as SchemaAST.AST), actual: undefined })
        return
    }
  }
  walk(root, [])
  return out
}

/** `clients[0].traffic.rate` from path segments: Kubernetes' field path text. */
export const pathText: (segments: ReadonlyArray<PathSegment>) => string = api.fieldPathText
