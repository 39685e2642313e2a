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
 * A value as field/errors.go `ErrorBody` prints it: numbers and booleans bare, strings quoted (Go `%q`),
 * anything else as JSON (recent API servers print composite values as JSON).
 */
export const renderValue = (v: unknown): string => {
  if (typeof v === "number" || typeof v === "boolean") return String(v)
  if (typeof v === "string") return JSON.stringify(v)
  if (v === undefined) return "null"
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
