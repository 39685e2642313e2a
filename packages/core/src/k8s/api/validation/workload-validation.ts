import type { IntOrString, LabelSelector, Labels } from "../meta"
import type { PodTemplateSpec } from "../pod"
import { isEmptySelector, labelSelectorMatches } from "../selector"
import type { Deployment, ReplicaSet } from "../workloads"
import type { DaemonSet, StatefulSet } from "../stateful-daemon"
import { type FieldError, type FieldPath, forbidden, goLabelSelector, goStringMap, invalid, notSupported, path, required } from "./field-error"
import { nameIsDNSLabel, nameIsDNSSubdomain, validateAnnotations, validateLabelSelector, validateLabels, validateNonnegative, validateObjectMeta } from "./meta-validation"
import { regexError } from "./names"
import { isOneOf } from "./ports"
import { validatePodSpec } from "./pod-validation"

const PERCENT_FMT = "[0-9]+%"
const percentRe = /^[0-9]+%$/

/** pkg/apis/apps/validation/validation.go `ValidatePositiveIntOrPercent`. */
const validatePositiveIntOrPercent = (v: IntOrString, fld: FieldPath): FieldError[] => {
  if (typeof v === "string") {
    if (!percentRe.test(v)) {
      return [invalid(String(fld), v, regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, "1%", "93%"))]
    }
    return []
  }
  return validateNonnegative(v, fld)
}

const percentOrInt = (v: IntOrString): number => (typeof v === "number" ? v : Number(v.slice(0, -1)))

/** Selector, template labels, and the template's pod spec (restartPolicy must be Always for controllers). */
const validateSelectorAndTemplate = (
  kind: string,
  selector: LabelSelector,
  template: PodTemplateSpec,
  spec: FieldPath,
): FieldError[] => {
  const errs: FieldError[] = []
  const sf = spec.child("selector")
  if (isEmptySelector(selector)) {
    // apps/validation `ValidateDeploymentSpec`: a missing selector is Required; an empty one is invalid.
    if (selector.matchLabels === undefined && selector.matchExpressions === undefined) errs.push(required(String(sf)))
    else errs.push(invalid(String(sf), goLabelSelector(selector), `empty selector is invalid for ${kind}`))
  } else {
    errs.push(...validateLabelSelector(selector, sf))
    const labels: Labels = template.metadata.labels ?? {}
    if (!labelSelectorMatches(selector, labels)) {
      // The value prints as Go's %#v of the labels map: `map[string]string{"app":"api"}`.
      errs.push(invalid(String(spec.child("template").child("metadata").child("labels")), goStringMap(template.metadata.labels), "`selector` does not match template `labels`"))
    }
  }
  const tf = spec.child("template")
  errs.push(...validateLabels(template.metadata.labels, tf.child("metadata").child("labels")))
  errs.push(...validateAnnotations(template.metadata.annotations, tf.child("metadata").child("annotations")))
  errs.push(...validatePodSpec(template.spec, tf.child("spec")))
  // apps/validation `ValidatePodTemplateSpecForReplicaSet`: only Always is supported.
  if (template.spec.restartPolicy !== "Always") {
    errs.push(notSupported(String(tf.child("spec").child("restartPolicy")), template.spec.restartPolicy, ["Always"]))
  }
  return errs
}

/** pkg/apis/apps/validation/validation.go `ValidateDeployment`. */
export const validateDeployment = (d: Deployment): FieldError[] => {
  const errs = validateObjectMeta(d.metadata, true, nameIsDNSSubdomain)
  const spec = path("spec")
  const s = d.spec
  errs.push(...validateNonnegative(s.replicas, spec.child("replicas")))
  errs.push(...validateSelectorAndTemplate("deployment", s.selector, s.template, spec))
  const st = spec.child("strategy")
  if (!isOneOf(s.strategy.type, ["Recreate", "RollingUpdate"] as const)) {
    errs.push(notSupported(String(st.child("type")), s.strategy.type, ["Recreate", "RollingUpdate"]))
  } else if (s.strategy.type === "RollingUpdate") {
    errs.push(...validateSurgeUnavailable(s.strategy.rollingUpdate.maxUnavailable, s.strategy.rollingUpdate.maxSurge, st.child("rollingUpdate")))
  }
  errs.push(...validateNonnegative(s.minReadySeconds, spec.child("minReadySeconds")))
  errs.push(...validateNonnegative(s.revisionHistoryLimit, spec.child("revisionHistoryLimit")))
  errs.push(...validateNonnegative(s.progressDeadlineSeconds, spec.child("progressDeadlineSeconds")))
  if (s.progressDeadlineSeconds <= s.minReadySeconds) {
    errs.push(invalid(String(spec.child("progressDeadlineSeconds")), s.progressDeadlineSeconds, "must be greater than minReadySeconds"))
  }
  return errs
}

/** pkg/apis/apps/validation/validation.go `ValidateReplicaSet`. */
export const validateReplicaSet = (rs: ReplicaSet): FieldError[] => {
  const errs = validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain)
  const spec = path("spec")
  errs.push(...validateNonnegative(rs.spec.replicas, spec.child("replicas")))
  errs.push(...validateNonnegative(rs.spec.minReadySeconds, spec.child("minReadySeconds")))
  errs.push(...validateSelectorAndTemplate("replicaset", rs.spec.selector, rs.spec.template, spec))
  return errs
}

/**
 * pkg/apis/apps/validation/validation.go `ValidateDeploymentStrategy`: a `Recreate` Deployment may not carry
 * `rollingUpdate`. Checked on the manifest as written (the typed Deployment has no rollingUpdate for Recreate).
 */
export const validateRecreateStrategy = (strategy: { readonly type?: string | undefined; readonly rollingUpdate?: unknown } | undefined): FieldError[] =>
  strategy?.type === "Recreate" && strategy.rollingUpdate !== undefined
    ? [forbidden(String(path("spec").child("strategy").child("rollingUpdate")), "may not be specified when strategy `type` is 'Recreate'")]
    : []

/** validation.go `ValidateRollingUpdateDaemonSet` / `ValidateRollingUpdateDeployment`: both 0 is invalid. */
const validateSurgeUnavailable = (maxUnavailable: IntOrString, maxSurge: IntOrString, rf: FieldPath): FieldError[] => {
  const errs = [...validatePositiveIntOrPercent(maxUnavailable, rf.child("maxUnavailable")), ...validatePositiveIntOrPercent(maxSurge, rf.child("maxSurge"))]
  if (typeof maxUnavailable === "string" && percentRe.test(maxUnavailable) && percentOrInt(maxUnavailable) > 100) errs.push(invalid(String(rf.child("maxUnavailable")), maxUnavailable, "must not be greater than 100%"))
  const isZero = (v: IntOrString) => (typeof v === "number" ? v === 0 : percentRe.test(v) && percentOrInt(v) === 0)
  if (isZero(maxUnavailable) && isZero(maxSurge)) errs.push(invalid(String(rf.child("maxUnavailable")), maxUnavailable, "may not be 0 when `maxSurge` is 0"))
  return errs
}

/**
 * pkg/apis/apps/validation/validation.go `ValidateStatefulSet`: a DNS-label name (`ValidateStatefulSetName`: the
 * pods' hostnames are `<name>-<ordinal>`), podManagementPolicy and updateStrategy, selector and template.
 */
export const validateStatefulSet = (ss: StatefulSet): FieldError[] => {
  const errs = validateObjectMeta(ss.metadata, true, nameIsDNSLabel)
  const spec = path("spec")
  const s = ss.spec
  if (s.podManagementPolicy !== "OrderedReady" && s.podManagementPolicy !== "Parallel") {
    errs.push(invalid(String(spec.child("podManagementPolicy")), s.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"))
  }
  const us = spec.child("updateStrategy")
  if (s.updateStrategy.type === "RollingUpdate") {
    const ru = s.updateStrategy.rollingUpdate
    errs.push(...validateNonnegative(ru.partition, us.child("rollingUpdate").child("partition")))
    if (ru.maxUnavailable !== undefined) {
      const mf = us.child("rollingUpdate").child("maxUnavailable")
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, mf))
      if (percentOrInt(ru.maxUnavailable) === 0) errs.push(invalid(String(mf), ru.maxUnavailable, "must be greater than 0"))
    }
  } else if (s.updateStrategy.type !== "OnDelete") {
    errs.push(invalid(String(us), s.updateStrategy, "must be 'RollingUpdate' or 'OnDelete'"))
  }
  errs.push(...validateNonnegative(s.replicas, spec.child("replicas")))
  errs.push(...validateNonnegative(s.minReadySeconds, spec.child("minReadySeconds")))
  errs.push(...validateNonnegative(s.ordinalsStart, spec.child("ordinals").child("start")))
  errs.push(...validateSelectorAndTemplate("statefulset", s.selector, s.template, spec))
  return errs
}

/** pkg/apis/apps/validation/validation.go `ValidateDaemonSet`. */
export const validateDaemonSet = (ds: DaemonSet): FieldError[] => {
  const errs = validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain)
  const spec = path("spec")
  const s = ds.spec
  errs.push(...validateSelectorAndTemplate("daemonset", s.selector, s.template, spec))
  const us = spec.child("updateStrategy")
  if (s.updateStrategy.type === "RollingUpdate") {
    errs.push(...validateSurgeUnavailable(s.updateStrategy.rollingUpdate.maxUnavailable, s.updateStrategy.rollingUpdate.maxSurge, us.child("rollingUpdate")))
  } else if (s.updateStrategy.type !== "OnDelete") {
    errs.push(notSupported(String(us.child("type")), (s.updateStrategy as { type: string }).type, ["OnDelete", "RollingUpdate"]))
  }
  errs.push(...validateNonnegative(s.minReadySeconds, spec.child("minReadySeconds")))
  errs.push(...validateNonnegative(s.revisionHistoryLimit, spec.child("revisionHistoryLimit")))
  return errs
}
