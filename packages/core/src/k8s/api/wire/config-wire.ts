import { Schema } from "effect"
import { TypeMetaFields } from "./meta-wire"
import { Bool, Str, StrMap, opt } from "./primitives"

/** core/v1 ConfigMap. */
export const ConfigMapWire = Schema.Struct({ ...TypeMetaFields, data: opt(StrMap), binaryData: opt(StrMap), immutable: opt(Bool) })

/** core/v1 Secret (`data` values are base64 text, `stringData` plain text). */
export const SecretWire = Schema.Struct({ ...TypeMetaFields, data: opt(StrMap), stringData: opt(StrMap), type: opt(Str), immutable: opt(Bool) })

const ObjectReferenceWire = Schema.Struct({
  kind: opt(Str),
  namespace: opt(Str),
  name: opt(Str),
  uid: opt(Str),
  apiVersion: opt(Str),
  resourceVersion: opt(Str),
  fieldPath: opt(Str),
})

/** core/v1 ServiceAccount. */
export const ServiceAccountWire = Schema.Struct({
  ...TypeMetaFields,
  secrets: opt(Schema.Array(ObjectReferenceWire)),
  imagePullSecrets: opt(Schema.Array(Schema.Struct({ name: opt(Str) }))),
  automountServiceAccountToken: opt(Bool),
})

export type ConfigMapWire = Schema.Schema.Type<typeof ConfigMapWire>
export type SecretWire = Schema.Schema.Type<typeof SecretWire>
export type ServiceAccountWire = Schema.Schema.Type<typeof ServiceAccountWire>
