/**
 * One validation failure on one field, as k8s.io/apimachinery/pkg/util/validation/field/errors.go `Error`:
 * its type, the field path (`spec.ports[0].port`), the bad value and a detail. `toString` prints it the way the
 * API server does (`spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive`).
 */
export type FieldErrorType = "Invalid" | "Required" | "Duplicate" | "NotSupported" | "Forbidden" | "TooLong" | "TooMany"

export interface FieldError {
  readonly type: FieldErrorType
  readonly field: string
  readonly value?: unknown
  readonly detail: string
}

/** field/errors.go `ErrorType.String`. */
const typeText: Record<FieldErrorType, string> = {
  Invalid: "Invalid value",
  Required: "Required value",
  Duplicate: "Duplicate value",
  NotSupported: "Unsupported value",
  Forbidden: "Forbidden",
  TooLong: "Too long",
  TooMany: "Too many",
}

/**
 * A value already written in Go's `%#v` syntax, which field/errors.go `ErrorBody` falls back to for composite
 * values: `map[string]string{"app":"api"}`, `v1.LabelSelector{MatchLabels:…, MatchExpressions:…}`.
 */
export class GoSyntax {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text
  }
}

/** Go `%#v` of a string: strconv.Quote, which for printable text is JSON's quoting. */
const goQuote = (s: string): string => JSON.stringify(s)

/** `%#v` of a `[]string`: `[]string{"a", "b"}`; unset is the nil slice `[]string(nil)`. */
export const goStringSlice = (xs: ReadonlyArray<string> | undefined): GoSyntax =>
  new GoSyntax(xs === undefined ? "[]string(nil)" : `[]string{${xs.map(goQuote).join(", ")}}`)

/** `%#v` of a `map[string]string` (fmt prints map keys sorted): `map[string]string{"a":"b", "c":"d"}`. */
export const goStringMap = (m: Readonly<Record<string, string>> | undefined): GoSyntax => {
  if (m === undefined) return new GoSyntax("map[string]string(nil)")
  const keys = Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return new GoSyntax(`map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k] as string)}`).join(", ")}}`)
}

/** `%#v` of a meta/v1 `LabelSelector` (the value of the well-known `spec.selector: … field is immutable`). */
export const goLabelSelector = (sel: {
  readonly matchLabels?: Readonly<Record<string, string>>
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: ReadonlyArray<string> }>
}): GoSyntax => {
  const exprs =
    sel.matchExpressions === undefined
      ? "[]v1.LabelSelectorRequirement(nil)"
      : `[]v1.LabelSelectorRequirement{${sel.matchExpressions
          .map((r) => `v1.LabelSelectorRequirement{Key:${goQuote(r.key)}, Operator:${goQuote(r.operator)}, Values:${goStringSlice(r.values).text}}`)
          .join(", ")}}`
  return new GoSyntax(`v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels).text}, MatchExpressions:${exprs}}`)
}

/**
 * A value as field/errors.go `ErrorBody` prints it: numbers and booleans bare, strings quoted (Go `%q`),
 * GoSyntax values as written (`%#v`: wrap composites with goStringSlice / goStringMap / goLabelSelector to
 * print them as the API server does), and JSON for other composites (kubesim does not carry their Go types).
 */
export const renderValue = (v: unknown): string => {
  if (typeof v === "number" || typeof v === "boolean") return String(v)
  if (typeof v === "string") return JSON.stringify(v)
  if (v === undefined || v === null) return "null"
  if (v instanceof GoSyntax) return v.text
  return JSON.stringify(v)
}

/** field/errors.go `Error.Error`. Required, Forbidden and TooLong omit the value. */
export const formatFieldError = (e: FieldError): string => {
  let body = typeText[e.type]
  if (e.type !== "Required" && e.type !== "Forbidden" && e.type !== "TooLong") body += `: ${renderValue(e.value)}`
  if (e.detail !== "") body += `: ${e.detail}`
  return `${e.field}: ${body}`
}

export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: "Invalid", field, value, detail })
export const required = (field: string, detail = ""): FieldError => ({ type: "Required", field, detail })
export const duplicate = (field: string, value: unknown): FieldError => ({ type: "Duplicate", field, value, detail: "" })
export const forbidden = (field: string, detail: string): FieldError => ({ type: "Forbidden", field, detail })
export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: "TooMany",
  field,
  value: actual,
  detail: `must have at most ${max} items`,
})
/** field/errors.go `NotSupported`: the supported values quoted and joined with ", ". */
export const notSupported = (field: string, value: unknown, supported: ReadonlyArray<string>): FieldError => ({
  type: "NotSupported",
  field,
  value,
  detail: supported.length === 0 ? "" : `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`,
})

/** A field path builder: `path("spec").child("ports").index(0).key("app")`. */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name: string): FieldPath {
    return new FieldPath(name)
  }
  child(name: string): FieldPath {
    return new FieldPath(this.text === "" ? name : `${this.text}.${name}`)
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`)
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`)
  }
  toString(): string {
    return this.text
  }
}

export const path = (name: string): FieldPath => FieldPath.root(name)
