import type { LabelSelector, Labels, ObjectMeta } from "../meta"
import { type FieldError, type FieldPath, forbidden, invalid, path, required } from "./field-error"
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "./names"

/** A name validator: the messages for `name`, which is a generateName prefix when `prefix` is true. */
export type NameValidator = (name: string, prefix: boolean) => string[]

/** apimachinery/pkg/api/validation/generic.go `maskTrailingDash`: a prefix may end in '-'. */
const maskTrailingDash = (name: string): string => (name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name)

/** generic.go `NameIsDNSSubdomain`. */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name)
/** generic.go `NameIsDNSLabel`. */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name)
/** generic.go `NameIsDNS1035Label`. */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name)

/** apimachinery/pkg/apis/meta/v1/validation/validation.go `ValidateLabelName`. */
export const validateLabelName = (key: string, fld: FieldPath): FieldError[] =>
  isQualifiedName(key).map((m) => invalid(String(fld), key, m))

/** meta/v1/validation `ValidateLabels`: keys are qualified names, values label values; errors on the map's path. */
export const validateLabels = (labels: Labels | undefined, fld: FieldPath): FieldError[] => {
  const errs: FieldError[] = []
  if (labels === undefined) return errs
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, fld))
    for (const m of isValidLabelValue(v)) errs.push(invalid(String(fld), v, m))
  }
  return errs
}

/** apimachinery/pkg/api/validation/objectmeta.go `TotalAnnotationSizeLimitB`. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

/** objectmeta.go `ValidateAnnotations`: lower-cased keys are qualified names; total size bounded. */
export const validateAnnotations = (annotations: Labels | undefined, fld: FieldPath): FieldError[] => {
  const errs: FieldError[] = []
  if (annotations === undefined) return errs
  let size = 0
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(String(fld), k, m))
    size += k.length + v.length
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push({ type: "TooLong", field: String(fld), detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` })
  }
  return errs
}

/** objectmeta.go `ValidateObjectMeta`: name (or generateName), namespace for namespaced kinds, labels, annotations. */
export const validateObjectMeta = (meta: ObjectMeta, namespaced: boolean, nameFn: NameValidator): FieldError[] => {
  const fld = path("metadata")
  const errs: FieldError[] = []
  if (meta.generateName !== undefined && meta.generateName !== "") {
    for (const m of nameFn(meta.generateName, true)) errs.push(invalid(String(fld.child("generateName")), meta.generateName, m))
  }
  if (meta.name === "") {
    if (meta.generateName === undefined || meta.generateName === "") {
      errs.push(required(String(fld.child("name")), "name or generateName is required"))
    }
  } else {
    for (const m of nameFn(meta.name, false)) errs.push(invalid(String(fld.child("name")), meta.name, m))
  }
  if (namespaced) {
    const ns = meta.namespace ?? ""
    if (ns === "") errs.push(required(String(fld.child("namespace"))))
    else for (const m of isDNS1123Label(ns)) errs.push(invalid(String(fld.child("namespace")), ns, m))
  } else if (meta.namespace !== undefined && meta.namespace !== "") {
    errs.push(forbidden(String(fld.child("namespace")), "not allowed on this type"))
  }
  errs.push(...validateLabels(meta.labels, fld.child("labels")))
  errs.push(...validateAnnotations(meta.annotations, fld.child("annotations")))
  return errs
}

/** meta/v1/validation `ValidateLabelSelector` (and `ValidateLabelSelectorRequirement`). */
export const validateLabelSelector = (sel: LabelSelector, fld: FieldPath): FieldError[] => {
  const errs: FieldError[] = []
  errs.push(...validateLabels(sel.matchLabels, fld.child("matchLabels")))
  sel.matchExpressions?.forEach((r, i) => {
    const rf = fld.child("matchExpressions").index(i)
    const n = r.values?.length ?? 0
    switch (r.operator) {
      case "In":
      case "NotIn":
        if (n === 0) errs.push(required(String(rf.child("values")), "must be specified when `operator` is 'In' or 'NotIn'"))
        break
      case "Exists":
      case "DoesNotExist":
        if (n > 0) errs.push(forbidden(String(rf.child("values")), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        break
      default:
        errs.push(invalid(String(rf.child("operator")), r.operator, "not a valid selector operator"))
    }
    errs.push(...validateLabelName(r.key, rf.child("key")))
  })
  return errs
}

/** validation.go `ValidateNonnegativeField`. */
export const validateNonnegative = (v: number | undefined, fld: FieldPath): FieldError[] =>
  v !== undefined && v < 0 ? [invalid(String(fld), v, "must be greater than or equal to 0")] : []

/** validation.go `ValidateDNS1123Label` as a field validator. */
export const validateDNS1123Label = (v: string, fld: FieldPath): FieldError[] => isDNS1123Label(v).map((m) => invalid(String(fld), v, m))

/** validation.go `ValidateDNS1123Subdomain` as a field validator. */
export const validateDNS1123Subdomain = (v: string, fld: FieldPath): FieldError[] =>
  isDNS1123Subdomain(v).map((m) => invalid(String(fld), v, m))
