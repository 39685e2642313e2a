import { Schema } from "effect"

/**
 * Building blocks of the wire schemas: what Kubernetes' JSON decoding accepts for each Go type.
 * Every field is optional on the wire (Go's zero value stands in); defaulting fills what Kubernetes fills.
 */
export const opt = <S extends Schema.Schema.Any>(s: S) => Schema.optionalWith(s, { exact: true })

/** Go int32: a whole number in [-2^31, 2^31-1] (JSON numbers outside fail to unmarshal). */
export const Int32 = Schema.Number.pipe(
  Schema.int(),
  Schema.between(-2147483648, 2147483647),
  Schema.annotations({ identifier: "int32" }),
)

/** Go int64 as JSON carries it: a whole number (JS numbers are exact to 2^53). */
export const Int64 = Schema.Number.pipe(Schema.int(), Schema.annotations({ identifier: "int64" }))

export const Str = Schema.String.annotations({ identifier: "string" })
export const Bool = Schema.Boolean.annotations({ identifier: "boolean" })

/** map[string]string */
export const StrMap = Schema.Record({ key: Schema.String, value: Str }).annotations({ identifier: "map[string]string" })

export const StrList = Schema.Array(Str)

/** intstr.IntOrString: an int32 or a string. */
export const IntOrStr = Schema.Union(Int32, Str).annotations({ identifier: "int or string" })

/** A string enum; the set of values is checked by validation (with Kubernetes' "Unsupported value" message), not here. */
export const Enum = Str

/** A field whose content the API server resets or ignores (status on create, managedFields). */
export const Ignored = Schema.Unknown
