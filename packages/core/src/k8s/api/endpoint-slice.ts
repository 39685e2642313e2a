import type { ObjectMeta } from "./meta"
import type { Protocol } from "./pod"

/** discovery.k8s.io/v1 EndpointSlice. */
export interface EndpointSlice {
  readonly apiVersion: "discovery.k8s.io/v1"
  readonly kind: "EndpointSlice"
  readonly metadata: ObjectMeta
  readonly addressType: EndpointAddressType
  readonly endpoints: ReadonlyArray<Endpoint>
  readonly ports?: ReadonlyArray<EndpointPort>
}

export type EndpointAddressType = "IPv4" | "IPv6" | "FQDN"

/** Each nil condition means "unknown"; consumers treat nil ready/serving as true (kube-proxy `endpointslicecache.go`). */
export interface EndpointConditions {
  readonly ready?: boolean
  readonly serving?: boolean
  readonly terminating?: boolean
}

export interface ObjectReference {
  readonly kind?: string
  readonly namespace?: string
  readonly name?: string
  readonly uid?: string
  readonly resourceVersion?: string
}

export interface ForZone {
  readonly name: string
}

/** discovery/v1 ForNode (1.33+, written for trafficDistribution PreferSameNode). */
export interface ForNode {
  readonly name: string
}

export interface EndpointHints {
  readonly forZones?: ReadonlyArray<ForZone>
  readonly forNodes?: ReadonlyArray<ForNode>
}

export interface Endpoint {
  readonly addresses: ReadonlyArray<string>
  readonly conditions: EndpointConditions
  readonly hostname?: string
  readonly targetRef?: ObjectReference
  readonly nodeName?: string
  readonly zone?: string
  readonly hints?: EndpointHints
}

export interface EndpointPort {
  /** Defaulted to "" (pkg/apis/discovery/v1/defaults.go `SetDefaults_EndpointPort`). */
  readonly name: string
  readonly protocol: Protocol
  /** Absent: all ports (only meaningful with a nil name). */
  readonly port?: number
  readonly appProtocol?: string
}

/** The label naming a slice's Service (discovery/v1 `LabelServiceName`). */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name"
/** The label naming a slice's manager (discovery/v1 `LabelManagedBy`). */
export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
