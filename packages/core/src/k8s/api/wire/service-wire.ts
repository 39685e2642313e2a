import { Schema } from "effect"
import { TypeMetaFields } from "./meta-wire"
import { Bool, Enum, Ignored, Int32, IntOrStr, Str, StrList, StrMap, opt } from "./primitives"

export const ServicePortWire = Schema.Struct({
  name: opt(Str),
  protocol: opt(Enum),
  appProtocol: opt(Str),
  port: opt(Int32),
  targetPort: opt(IntOrStr),
  nodePort: opt(Int32),
})

export const ServiceSpecWire = Schema.Struct({
  type: opt(Enum),
  ports: opt(Schema.Array(ServicePortWire)),
  selector: opt(StrMap),
  clusterIP: opt(Str),
  clusterIPs: opt(StrList),
  ipFamilies: opt(Schema.Array(Enum)),
  ipFamilyPolicy: opt(Enum),
  externalIPs: opt(StrList),
  externalName: opt(Str),
  sessionAffinity: opt(Enum),
  sessionAffinityConfig: opt(Schema.Struct({ clientIP: opt(Schema.Struct({ timeoutSeconds: opt(Int32) })) })),
  externalTrafficPolicy: opt(Enum),
  internalTrafficPolicy: opt(Enum),
  healthCheckNodePort: opt(Int32),
  loadBalancerIP: opt(Str),
  loadBalancerSourceRanges: opt(StrList),
  loadBalancerClass: opt(Str),
  allocateLoadBalancerNodePorts: opt(Bool),
  publishNotReadyAddresses: opt(Bool),
  trafficDistribution: opt(Str),
})

/** core/v1 Service; status is reset on create (pkg/registry/core/service/strategy.go `PrepareForCreate`). */
export const ServiceWire = Schema.Struct({ ...TypeMetaFields, spec: opt(ServiceSpecWire), status: opt(Ignored) })

export type ServiceWire = Schema.Schema.Type<typeof ServiceWire>
export type ServicePortWire = Schema.Schema.Type<typeof ServicePortWire>
