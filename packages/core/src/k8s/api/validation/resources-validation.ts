import type { ResourceRequirements } from "../pod"
import { QuantityError, parseQuantity } from "../quantity"
import { type FieldError, type FieldPath, invalid } from "./field-error"

/** pkg/apis/core/validation/validation.go `isNegativeErrorMsg`, `isNotIntegerErrorMsg`. */
const NEGATIVE = "must be greater than or equal to 0"
const NOT_INTEGER = "must be an integer"

/**
 * helper.IsStandardContainerResourceName (cpu, memory, ephemeral-storage, hugepages-*) or an extended resource
 * (helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not `requests.`-prefixed).
 */
const isContainerResourceName = (name: string): boolean =>
  name === "cpu" || name === "memory" || name === "ephemeral-storage" || name.startsWith("hugepages-") ||
  (name.includes("/") && !name.startsWith("requests.") && !/(^|\.)kubernetes\.io\//.test(name))

/** helper.IsIntegerResourceName: extended resources (and hugepages counts are bytes) are whole numbers. */
const isIntegerResource = (name: string): boolean => name.includes("/") && !name.startsWith("hugepages-")

/**
 * A quantity's value, or the FieldError its text earns. An unparsable one never gets past the API server's decoder
 * (apimachinery resource.ParseQuantity: `quantities must match the regular expression …`); kubesim reports it on the field.
 */
const quantityOf = (text: string, fld: FieldPath, errs: FieldError[]): number | undefined => {
  try {
    return parseQuantity(String(text))
  } catch (e) {
    if (!(e instanceof QuantityError)) throw e
    errs.push(invalid(String(fld), text, e.message.replace(/: "[^"]*"$/, "")))
    return undefined
  }
}

/** validation.go `ValidateResourceQuantityValue`: non-negative, and whole for integer resources. */
const validateValue = (name: string, text: string, fld: FieldPath, errs: FieldError[]): number | undefined => {
  const v = quantityOf(text, fld, errs)
  if (v === undefined) return undefined
  if (v < 0) errs.push(invalid(String(fld), text, NEGATIVE))
  else if (isIntegerResource(name) && !Number.isInteger(v)) errs.push(invalid(String(fld), text, NOT_INTEGER))
  return v
}

/**
 * validation.go `ValidateResourceRequirements` for a container: limits and requests name container resources
 * with valid quantities, and a request is at most its limit (`must be less than or equal to cpu limit of 1`, on the
 * `requests` field). Upstream prints quantities canonically (`2` for `2000m`); kubesim quotes them as written.
 */
export const validateResourceRequirements = (r: ResourceRequirements | undefined, fld: FieldPath): FieldError[] => {
  if (r === undefined) return []
  const errs: FieldError[] = []
  const limitsPath = fld.child("limits")
  const limits = new Map<string, number | undefined>()
  for (const [name, text] of Object.entries(r.limits ?? {})) {
    const f = limitsPath.key(name)
    if (!isContainerResourceName(name)) errs.push(invalid(String(f), name, "must be a standard resource for containers"))
    limits.set(name, validateValue(name, text, f, errs))
  }
  const reqPath = fld.child("requests")
  for (const [name, text] of Object.entries(r.requests ?? {})) {
    const f = reqPath.key(name)
    // A request defaulted from its limit (SetDefaults_Pod copies limits into missing requests) repeats the limit's
    // errors: report them once, on the limit.
    const limitText = (r.limits ?? {})[name]
    if (limitText === text && limits.get(name) === undefined) continue
    if (!isContainerResourceName(name)) errs.push(invalid(String(f), name, "must be a standard resource for containers"))
    const v = validateValue(name, text, f, errs)
    const limit = limits.get(name)
    if (v === undefined || limit === undefined) continue
    // helper.IsOvercommitAllowed: only native resources may request less than their limit (hugepages and extended
    // resources must request exactly it).
    const overcommit = !name.includes("/") && !name.startsWith("hugepages-")
    if (!overcommit && v !== limit) errs.push(invalid(String(reqPath), text, `must be equal to ${name} limit of ${limitText}`))
    else if (v > limit) errs.push(invalid(String(reqPath), text, `must be less than or equal to ${name} limit of ${limitText}`))
  }
  return errs
}
