import type { LabelSelector, LabelSelectorOperator, ObjectMeta, OwnerReference } from "../meta"
import type { LabelSelectorWire, ObjectMetaWire } from "../wire/meta-wire"

/**
 * The metadata a client submits: name, namespace, labels, annotations, owner references and finalizers.
 * Server-set fields in a manifest (uid, resourceVersion, timestamps, generation) are dropped here; the store
 * sets its own (as the API server ignores them on create: staging/src/k8s.io/apiserver/pkg/registry/rest/create.go
 * `FillObjectMetaSystemFields`).
 */
export const defaultObjectMeta = (m: ObjectMetaWire | undefined, namespace: string | undefined): ObjectMeta => {
  const out: { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] } = { name: m?.name ?? "" }
  if (m?.generateName !== undefined) out.generateName = m.generateName
  if (namespace !== undefined) out.namespace = m?.namespace !== undefined && m.namespace !== "" ? m.namespace : namespace
  if (m?.labels !== undefined) out.labels = m.labels
  if (m?.annotations !== undefined) out.annotations = m.annotations
  if (m?.ownerReferences !== undefined) {
    out.ownerReferences = m.ownerReferences.map(
      (r): OwnerReference => ({
        apiVersion: r.apiVersion ?? "",
        kind: r.kind ?? "",
        name: r.name ?? "",
        uid: r.uid ?? "",
        ...(r.controller !== undefined ? { controller: r.controller } : {}),
        ...(r.blockOwnerDeletion !== undefined ? { blockOwnerDeletion: r.blockOwnerDeletion } : {}),
      }),
    )
  }
  if (m?.finalizers !== undefined) out.finalizers = m.finalizers
  return out
}

export const defaultLabelSelector = (s: LabelSelectorWire | undefined): LabelSelector | undefined => {
  if (s === undefined) return undefined
  const out: { -readonly [K in keyof LabelSelector]: LabelSelector[K] } = {}
  if (s.matchLabels !== undefined) out.matchLabels = s.matchLabels
  if (s.matchExpressions !== undefined) {
    out.matchExpressions = s.matchExpressions.map((e) => ({
      key: e.key ?? "",
      operator: (e.operator ?? "") as LabelSelectorOperator,
      ...(e.values !== undefined ? { values: e.values } : {}),
    }))
  }
  return out
}

/** Copies the keys of `src` whose values are not undefined (keeps optional fields absent, not `undefined`). */
export const defined = <T extends object>(src: T): T => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(src)) if (v !== undefined) out[k] = v
  return out as T
}
