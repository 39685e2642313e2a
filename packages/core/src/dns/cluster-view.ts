/**
 * The read-only shapes the DNS server and the kubelet's DNS/env logic read from the API: structural subsets of
 * Service, EndpointSlice, Pod and Namespace with Kubernetes' own field names, so the decoded objects of
 * `k8s/api` satisfy them without conversion. Only the fields DNS reads are listed.
 */
export type StringMap = Readonly<Record<string, string>>

export interface ObjectMetaView {
  readonly name: string
  readonly namespace?: string
  readonly labels?: StringMap
  readonly annotations?: StringMap
}

export interface ServicePortView {
  readonly name?: string
  /** "TCP" when absent (the API default). */
  readonly protocol?: string
  readonly port: number
}

export interface ServiceView {
  readonly metadata: ObjectMetaView
  readonly spec: {
    readonly type?: string
    readonly clusterIP?: string
    readonly clusterIPs?: ReadonlyArray<string>
    readonly ports?: ReadonlyArray<ServicePortView>
    readonly externalName?: string
    readonly publishNotReadyAddresses?: boolean
    readonly selector?: StringMap
  }
}

export interface ObjectReferenceView {
  readonly kind?: string
  readonly name?: string
  readonly namespace?: string
}

export interface EndpointView {
  readonly addresses: ReadonlyArray<string>
  readonly conditions?: { readonly ready?: boolean; readonly serving?: boolean; readonly terminating?: boolean }
  readonly hostname?: string
  readonly nodeName?: string
  readonly targetRef?: ObjectReferenceView
}

export interface EndpointPortView {
  readonly name?: string
  readonly protocol?: string
  readonly port?: number
}

export interface EndpointSliceView {
  readonly metadata: ObjectMetaView
  readonly addressType?: string
  readonly endpoints: ReadonlyArray<EndpointView>
  readonly ports?: ReadonlyArray<EndpointPortView>
}

export interface PodDnsConfigOptionView {
  readonly name?: string
  readonly value?: string
}

export interface PodDnsConfigView {
  readonly nameservers?: ReadonlyArray<string>
  readonly searches?: ReadonlyArray<string>
  readonly options?: ReadonlyArray<PodDnsConfigOptionView>
}

export interface PodView {
  readonly metadata: ObjectMetaView
  readonly spec: {
    readonly hostname?: string
    readonly subdomain?: string
    readonly dnsPolicy?: string
    readonly dnsConfig?: PodDnsConfigView
    readonly hostNetwork?: boolean
    readonly enableServiceLinks?: boolean
  }
  readonly status?: { readonly podIP?: string; readonly podIPs?: ReadonlyArray<{ readonly ip: string }> }
}

export interface NamespaceView {
  readonly metadata: ObjectMetaView
}

/** The label that names an EndpointSlice's Service (discovery/v1 `LabelServiceName`). */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name"

/** The namespace of a namespaced object: "default" when absent (`metav1.NamespaceDefault`). */
export const namespaceOf = (meta: ObjectMetaView): string => meta.namespace ?? "default"
