import { Schema } from "effect"
import { TypeMetaFields } from "./meta-wire"
import { Bool, Enum, Int32, Str, StrList, opt } from "./primitives"

export const EndpointWire = Schema.Struct({
  addresses: opt(StrList),
  conditions: opt(Schema.Struct({ ready: opt(Bool), serving: opt(Bool), terminating: opt(Bool) })),
  hostname: opt(Str),
  targetRef: opt(
    Schema.Struct({ kind: opt(Str), namespace: opt(Str), name: opt(Str), uid: opt(Str), resourceVersion: opt(Str), apiVersion: opt(Str) }),
  ),
  nodeName: opt(Str),
  zone: opt(Str),
  hints: opt(Schema.Struct({ forZones: opt(Schema.Array(Schema.Struct({ name: opt(Str) }))), forNodes: opt(Schema.Array(Schema.Struct({ name: opt(Str) }))) })),
})

export const EndpointPortWire = Schema.Struct({
  name: opt(Str),
  protocol: opt(Enum),
  port: opt(Int32),
  appProtocol: opt(Str),
})

/** discovery.k8s.io/v1 EndpointSlice: no spec, its fields sit at the top level. */
export const EndpointSliceWire = Schema.Struct({
  ...TypeMetaFields,
  addressType: opt(Enum),
  endpoints: opt(Schema.Array(EndpointWire)),
  ports: opt(Schema.Array(EndpointPortWire)),
})

export type EndpointSliceWire = Schema.Schema.Type<typeof EndpointSliceWire>
