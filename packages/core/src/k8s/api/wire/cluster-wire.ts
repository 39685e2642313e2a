import { Schema } from "effect"
import { TypeMetaFields } from "./meta-wire"
import { Bool, Enum, Ignored, IntOrStr, Str, StrList, opt } from "./primitives"

/** core/v1 Namespace; status is reset on create (pkg/registry/core/namespace/strategy.go `PrepareForCreate`). */
export const NamespaceWire = Schema.Struct({
  ...TypeMetaFields,
  spec: opt(Schema.Struct({ finalizers: opt(StrList) })),
  status: opt(Ignored),
})

/**
 * core/v1 Node. Unlike other kinds its status is kept: in a real cluster the kubelet registers the node and
 * reports addresses and capacity, and a scenario's Node manifest stands in for that registration.
 */
export const NodeWire = Schema.Struct({
  ...TypeMetaFields,
  spec: opt(
    Schema.Struct({
      podCIDR: opt(Str),
      podCIDRs: opt(StrList),
      providerID: opt(Str),
      unschedulable: opt(Bool),
      taints: opt(Schema.Array(Schema.Struct({ key: opt(Str), value: opt(Str), effect: opt(Enum), timeAdded: opt(Str) }))),
    }),
  ),
  status: opt(
    Schema.Struct({
      addresses: opt(Schema.Array(Schema.Struct({ type: opt(Enum), address: opt(Str) }))),
      conditions: opt(Ignored),
      capacity: opt(Schema.Record({ key: Schema.String, value: IntOrStr })),
      allocatable: opt(Schema.Record({ key: Schema.String, value: IntOrStr })),
      nodeInfo: opt(Ignored),
    }),
  ),
})

export type NamespaceWire = Schema.Schema.Type<typeof NamespaceWire>
export type NodeWire = Schema.Schema.Type<typeof NodeWire>
