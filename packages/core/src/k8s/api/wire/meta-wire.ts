import { Schema } from "effect"
import { Bool, Enum, Ignored, Int64, Str, StrList, StrMap, opt } from "./primitives"

export const OwnerReferenceWire = Schema.Struct({
  apiVersion: opt(Str),
  kind: opt(Str),
  name: opt(Str),
  uid: opt(Str),
  controller: opt(Bool),
  blockOwnerDeletion: opt(Bool),
})

/** metav1.ObjectMeta; server-set fields are accepted and then ignored by apply, as the API server does. */
export const ObjectMetaWire = Schema.Struct({
  name: opt(Str),
  generateName: opt(Str),
  namespace: opt(Str),
  uid: opt(Str),
  resourceVersion: opt(Str),
  generation: opt(Int64),
  creationTimestamp: opt(Schema.NullOr(Str)),
  deletionTimestamp: opt(Str),
  deletionGracePeriodSeconds: opt(Int64),
  labels: opt(StrMap),
  annotations: opt(StrMap),
  ownerReferences: opt(Schema.Array(OwnerReferenceWire)),
  finalizers: opt(StrList),
  managedFields: opt(Ignored),
  selfLink: opt(Str),
})

export const LabelSelectorWire = Schema.Struct({
  matchLabels: opt(StrMap),
  matchExpressions: opt(
    Schema.Array(Schema.Struct({ key: opt(Str), operator: opt(Enum), values: opt(StrList) })),
  ),
})

/** The fields every manifest document has. */
export const TypeMetaFields = {
  apiVersion: opt(Str),
  kind: opt(Str),
  metadata: opt(ObjectMetaWire),
}

export type ObjectMetaWire = Schema.Schema.Type<typeof ObjectMetaWire>
export type LabelSelectorWire = Schema.Schema.Type<typeof LabelSelectorWire>
