import type { ConditionStatus, IntOrString, Labels, ObjectMeta } from "./meta"
import type { Protocol } from "./pod"

/** core/v1 Service. Defaulted fields (see defaults/service-defaults.ts) are required here. */
export interface Service {
  readonly apiVersion: "v1"
  readonly kind: "Service"
  readonly metadata: ObjectMeta
  readonly spec: ServiceSpec
  readonly status: ServiceStatus
}

export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
export type ServiceAffinity = "None" | "ClientIP"
export type ServiceTrafficPolicy = "Cluster" | "Local"
export type IPFamily = "IPv4" | "IPv6"
export type IPFamilyPolicy = "SingleStack" | "PreferDualStack" | "RequireDualStack"

export interface ServicePort {
  /** Required (and a DNS-1123 label) when the Service has more than one port. */
  readonly name?: string
  readonly protocol: Protocol
  readonly appProtocol?: string
  readonly port: number
  /** Defaulted to `port` (pkg/apis/core/v1/defaults.go `SetDefaults_Service`). */
  readonly targetPort: IntOrString
  /** Set by the NodePort allocator for NodePort/LoadBalancer services when not given. */
  readonly nodePort?: number
}

export interface ClientIPConfig {
  readonly timeoutSeconds: number
}

export interface SessionAffinityConfig {
  readonly clientIP?: ClientIPConfig
}

export interface ServiceSpec {
  readonly type: ServiceType
  readonly ports: ReadonlyArray<ServicePort>
  /** Absent selector: the Service's EndpointSlices are managed by hand. */
  readonly selector?: Labels
  /** "" until the allocator assigns one; "None" for a headless Service; absent for ExternalName. */
  readonly clusterIP?: string
  readonly clusterIPs?: ReadonlyArray<string>
  readonly ipFamilies?: ReadonlyArray<IPFamily>
  readonly ipFamilyPolicy?: IPFamilyPolicy
  readonly externalIPs?: ReadonlyArray<string>
  readonly externalName?: string
  readonly sessionAffinity: ServiceAffinity
  readonly sessionAffinityConfig?: SessionAffinityConfig
  /** Set for NodePort and LoadBalancer only (as the API server does). */
  readonly externalTrafficPolicy?: ServiceTrafficPolicy
  /** Set for every type except ExternalName. */
  readonly internalTrafficPolicy?: ServiceTrafficPolicy
  readonly healthCheckNodePort?: number
  readonly loadBalancerIP?: string
  readonly loadBalancerSourceRanges?: ReadonlyArray<string>
  readonly loadBalancerClass?: string
  readonly allocateLoadBalancerNodePorts?: boolean
  readonly publishNotReadyAddresses?: boolean
  readonly trafficDistribution?: string
}

export interface PortStatus {
  readonly port: number
  readonly protocol: Protocol
  readonly error?: string
}

export interface LoadBalancerIngress {
  readonly ip?: string
  readonly hostname?: string
  readonly ipMode?: "VIP" | "Proxy"
  readonly ports?: ReadonlyArray<PortStatus>
}

export interface ServiceCondition {
  readonly type: string
  readonly status: ConditionStatus
  readonly reason?: string
  readonly message?: string
  readonly lastTransitionTime?: string
}

export interface ServiceStatus {
  readonly loadBalancer: { readonly ingress?: ReadonlyArray<LoadBalancerIngress> }
  readonly conditions?: ReadonlyArray<ServiceCondition>
}
