import { Option, type ParseResult, SchemaAST } from "effect"
import { GoSyntax } from "../validation/field-error"

/** A flattened schema failure: where (as path segments), and either a type mismatch or an unknown key. */
export interface SchemaProblem {
  readonly path: ReadonlyArray<string | number>
  readonly unknownField: boolean
  readonly expected: string
  readonly actual: unknown
}

/**
 * What a schema node accepts, in Kubernetes' vocabulary (identifier annotations name int32, map[string]string …).
 * `listWord` names a tuple/array node: "array" for manifests, "list" for the scenario format's YAML readers.
 */
export const describeAst = (ast: SchemaAST.AST, listWord = "array"): string => {
  const id = SchemaAST.getIdentifierAnnotation(ast)
  if (Option.isSome(id)) return id.value
  switch (ast._tag) {
    case "StringKeyword":
      return "string"
    case "NumberKeyword":
      return "number"
    case "BooleanKeyword":
      return "boolean"
    case "TypeLiteral":
      return "object"
    case "TupleType":
      return listWord
    case "Literal":
      return JSON.stringify(ast.literal)
    case "Refinement":
      return describeAst(ast.from, listWord)
    case "Transformation":
      return describeAst(ast.to, listWord)
    case "Union":
      return ast.types.map((t) => describeAst(t, listWord)).join(" or ")
    default:
      return ast._tag
  }
}

/**
 * A found value as "string \"80x\"", "number 1.5", "boolean true", "array", "object" or "null" (`listWord` names an
 * array: "list" in the scenario format).
 */
export const describeValue = (v: unknown, listWord = "array"): string => {
  if (v === null) return "null"
  if (v instanceof GoSyntax) return v.text
  if (Array.isArray(v)) return listWord
  switch (typeof v) {
    case "string": {
      const s = JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)
      return `string ${s}`
    }
    case "number":
    case "boolean":
      return `${typeof v} ${String(v)}`
    case "object":
      return "object"
    default:
      return typeof v
  }
}

/** Walks a ParseIssue tree (decoded with `errors: "all"`) into flat problems, in document order. */
export const flattenIssue = (issue: ParseResult.ParseIssue): SchemaProblem[] => {
  const out: SchemaProblem[] = []
  const walk = (i: ParseResult.ParseIssue, path: ReadonlyArray<string | number>): void => {
    switch (i._tag) {
      case "Pointer": {
        const seg: ReadonlyArray<PropertyKey> = Array.isArray(i.path) ? i.path : [i.path as PropertyKey]
        walk(i.issue, [...path, ...seg.map((s) => (typeof s === "number" ? s : String(s)))])
        return
      }
      case "Composite":
        // A union that failed as a whole is one mismatch ("int or string"), not one per member.
        if (i.ast._tag === "Union") {
          out.push({ path, unknownField: false, expected: describeAst(i.ast), actual: i.actual })
          return
        }
        for (const sub of Array.isArray(i.issues) ? i.issues : [i.issues]) walk(sub, path)
        return
      case "Refinement":
      case "Type":
        out.push({ path, unknownField: false, expected: describeAst(i.ast), actual: i.actual })
        return
      case "Transformation":
        walk(i.issue, path)
        return
      case "Unexpected":
        out.push({ path, unknownField: true, expected: "", actual: i.actual })
        return
      case "Missing":
        out.push({ path, unknownField: false, expected: "a value", actual: undefined })
        return
      case "Forbidden":
        out.push({ path, unknownField: false, expected: describeAst(i.ast), actual: i.actual })
        return
    }
  }
  walk(issue, [])
  return out
}

/** Kubernetes' field path text for segments: `spec.ports[0].port`. */
export const fieldPathText = (segments: ReadonlyArray<string | number>): string => {
  let s = ""
  for (const seg of segments) {
    if (typeof seg === "number") s += `[${seg}]`
    else s += s === "" ? seg : `.${seg}`
  }
  return s
}
