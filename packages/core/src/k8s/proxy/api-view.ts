/**
 * The read-only shapes kube-proxy reads from the API: just the fields it uses, with Kubernetes' exact names,
 * so the API package's decoded objects satisfy them structurally (k8s.io/api core/v1 Service,
 * discovery/v1 EndpointSlice). Optional fields are optional here exactly when they are optional (pointers or
 * omitempty) upstream; defaults are the API server's, applied by the decoder, and re-applied here where the
 * proxy depends on them (pkg/proxy/serviceport.go newBaseServiceInfo).
 */

export type Protocol = "TCP" | "UDP" | "SCTP"
export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
export type TrafficPolicy = "Cluster" | "Local"
export type ServiceAffinity = "None" | "ClientIP"

export interface ObjectMetaView {
  readonly namespace?: string
  readonly name: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

export interface ServicePortView {
  readonly name?: string
  readonly port: number
  readonly protocol?: Protocol
  readonly nodePort?: number
  readonly targetPort?: number | string
}

export interface ServiceSpecView {
  readonly type?: ServiceType
  readonly clusterIP?: string
  readonly clusterIPs?: ReadonlyArray<string>
  readonly ports?: ReadonlyArray<ServicePortView>
  readonly sessionAffinity?: ServiceAffinity
  readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } }
  readonly externalIPs?: ReadonlyArray<string>
  readonly loadBalancerSourceRanges?: ReadonlyArray<string>
  readonly externalTrafficPolicy?: TrafficPolicy
  readonly internalTrafficPolicy?: TrafficPolicy
  readonly healthCheckNodePort?: number
}

export interface LoadBalancerIngressView {
  readonly ip?: string
  readonly hostname?: string
  /** "VIP" (default) or "Proxy" (core/v1 LoadBalancerIPMode). */
  readonly ipMode?: "VIP" | "Proxy"
}

export interface ServiceView {
  readonly metadata: ObjectMetaView
  readonly spec: ServiceSpecView
  readonly status?: { readonly loadBalancer?: { readonly ingress?: ReadonlyArray<LoadBalancerIngressView> } }
}

export interface EndpointConditionsView {
  readonly ready?: boolean
  readonly serving?: boolean
  readonly terminating?: boolean
}

export interface EndpointView {
  readonly addresses: ReadonlyArray<string>
  readonly conditions?: EndpointConditionsView
  readonly nodeName?: string
  readonly zone?: string
  readonly hints?: { readonly forZones?: ReadonlyArray<{ readonly name: string }>; readonly forNodes?: ReadonlyArray<{ readonly name: string }> }
}

export interface EndpointPortView {
  readonly name?: string
  readonly port?: number
  readonly protocol?: Protocol
}

export interface EndpointSliceView {
  readonly metadata: ObjectMetaView
  readonly addressType: "IPv4" | "IPv6" | "FQDN"
  readonly endpoints: ReadonlyArray<EndpointView>
  readonly ports?: ReadonlyArray<EndpointPortView>
}

/** discovery/v1 LabelServiceName. */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name"
/** core/v1 DefaultClientIPServiceAffinitySeconds. */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800
