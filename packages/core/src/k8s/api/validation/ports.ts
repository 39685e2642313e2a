import type { IntOrString } from "../meta"
import { type FieldError, type FieldPath, invalid } from "./field-error"
import { isValidPortName, isValidPortNum } from "./names"

/** pkg/apis/core/validation/validation.go `ValidatePortNumOrName`. */
export const validatePortNumOrName = (port: IntOrString, fld: FieldPath): FieldError[] => {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalid(String(fld), port, m))
  if (port === "") return [invalid(String(fld), port, "must contain at least one letter or number (a-z, 0-9)")]
  return isValidPortName(port).map((m) => invalid(String(fld), port, m))
}

/** Protocols a port may carry (validation.go `supportedPortProtocols`, sorted as upstream lists them). */
export const SUPPORTED_PROTOCOLS = ["SCTP", "TCP", "UDP"] as const

export const isOneOf = <T extends string>(v: string, values: ReadonlyArray<T>): v is T => (values as ReadonlyArray<string>).includes(v)
