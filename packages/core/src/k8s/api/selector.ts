import type { LabelSelector, Labels } from "./meta"

/**
 * Label selector matching (k8s.io/apimachinery/pkg/labels/selector.go `Requirement.Matches`;
 * meta/v1 `LabelSelectorAsSelector`). Requirements are ANDed.
 */

/** A map selector (Service `spec.selector`, matchLabels): every pair must be present with the same value. */
export const matchesLabels = (selector: Labels, labels: Labels | undefined): boolean => {
  for (const k in selector) {
    if (labels === undefined || labels[k] !== selector[k]) return false
  }
  return true
}

/**
 * A LabelSelector. An empty selector (`{}`) matches everything, as `LabelSelectorAsSelector` returns
 * `labels.Everything()`; callers treat an absent selector as "nothing", as controllers do.
 * In: key present with a listed value. NotIn: key absent or value not listed. Exists / DoesNotExist: presence.
 */
export const labelSelectorMatches = (selector: LabelSelector, labels: Labels | undefined): boolean => {
  if (selector.matchLabels !== undefined && !matchesLabels(selector.matchLabels, labels)) return false
  const exprs = selector.matchExpressions
  if (exprs === undefined) return true
  for (const r of exprs) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key)
    const value = has ? (labels as Labels)[r.key] : undefined
    switch (r.operator) {
      case "In":
        if (!has || !(r.values ?? []).includes(value as string)) return false
        break
      case "NotIn":
        if (has && (r.values ?? []).includes(value as string)) return false
        break
      case "Exists":
        if (!has) return false
        break
      case "DoesNotExist":
        if (has) return false
        break
      default:
        return false
    }
  }
  return true
}

/** Whether a selector has no requirements at all. */
export const isEmptySelector = (selector: LabelSelector): boolean =>
  Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0

/** A selector as `kubectl -o wide` prints it: `app=web,tier in (a,b)` (labels/selector.go `String`). */
export const formatLabelSelector = (selector: LabelSelector): string => {
  const parts: string[] = []
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) parts.push(`${k}=${v}`)
  for (const r of selector.matchExpressions ?? []) {
    const vals = [...(r.values ?? [])].sort().join(",")
    if (r.operator === "In") parts.push(`${r.key} in (${vals})`)
    else if (r.operator === "NotIn") parts.push(`${r.key} notin (${vals})`)
    else if (r.operator === "Exists") parts.push(r.key)
    else parts.push(`!${r.key}`)
  }
  return parts.join(",")
}
