import type { TopologySpec } from "../topology/topology-spec"

/**
 * The cluster state both data planes are built from: the network (TopologySpec) plus the Services and
 * EndpointSlices kube-proxy reads, in their API shape (k8s.io/api core/v1 Service, discovery/v1 EndpointSlice)
 * so kubesim's proxier takes them as they are.
 */
export interface ConformanceCluster {
  readonly topology: TopologySpec
  /** kube-proxy --cluster-cidr (the ClusterCIDR local-traffic detector). */
  readonly clusterCidr: string
  readonly services: ReadonlyArray<ServiceObject>
  readonly endpointSlices: ReadonlyArray<EndpointSliceObject>
}

export interface ServiceObject {
  readonly metadata: { readonly namespace: string; readonly name: string }
  readonly spec: {
    readonly type: "ClusterIP" | "NodePort"
    readonly clusterIP: string
    readonly clusterIPs: ReadonlyArray<string>
    readonly ports: ReadonlyArray<{
      readonly name: string
      readonly port: number
      readonly protocol: "TCP" | "UDP"
      readonly targetPort: number
      readonly nodePort?: number
    }>
    readonly sessionAffinity: "None" | "ClientIP"
    readonly sessionAffinityConfig?: { readonly clientIP: { readonly timeoutSeconds: number } }
    readonly externalTrafficPolicy?: "Cluster" | "Local"
    readonly internalTrafficPolicy: "Cluster"
  }
}

export interface EndpointSliceObject {
  readonly metadata: {
    readonly namespace: string
    readonly name: string
    readonly labels: Readonly<Record<string, string>>
  }
  readonly addressType: "IPv4"
  readonly endpoints: ReadonlyArray<{
    readonly addresses: ReadonlyArray<string>
    readonly conditions: { readonly ready: boolean; readonly serving: boolean; readonly terminating: boolean }
    readonly nodeName: string
  }>
  readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number; readonly protocol: "TCP" | "UDP" }>
}

/** What a conformance Service looks like: a name, its ClusterIP, the pods behind it and its options. */
export interface ServiceFixture {
  readonly name: string
  readonly clusterIP: string
  /** Pod names (from the topology) that are its ready endpoints. */
  readonly endpoints: ReadonlyArray<string>
  readonly nodePort?: number
  readonly externalTrafficPolicy?: "Cluster" | "Local"
  /** sessionAffinity ClientIP with this timeoutSeconds. */
  readonly affinitySeconds?: number
  /** Default TCP; the pods answer UDP on the same port too. */
  readonly protocol?: "TCP" | "UDP"
}

export const NAMESPACE = "conformance"
export const SERVICE_PORT = 80
export const PORT_NAME = "http"

/** A Service and its one EndpointSlice, as the API server and the EndpointSlice controller would hold them. */
export const serviceObjects = (
  topology: TopologySpec,
  f: ServiceFixture,
): { readonly service: ServiceObject; readonly slice: EndpointSliceObject } => {
  const pods = f.endpoints.map((name) => {
    const pod = topology.pods.find((p) => p.name === name)
    if (pod === undefined) throw new Error(`service ${f.name}: endpoint "${name}" is not a pod of the topology`)
    return pod
  })
  const targetPort = pods[0]?.port ?? 8080
  if (pods.some((p) => p.port !== targetPort)) throw new Error(`service ${f.name}: endpoints listen on different ports`)
  const service: ServiceObject = {
    metadata: { namespace: NAMESPACE, name: f.name },
    spec: {
      type: f.nodePort === undefined ? "ClusterIP" : "NodePort",
      clusterIP: f.clusterIP,
      clusterIPs: [f.clusterIP],
      ports: [
        {
          name: PORT_NAME,
          port: SERVICE_PORT,
          protocol: f.protocol ?? "TCP",
          targetPort,
          ...(f.nodePort === undefined ? {} : { nodePort: f.nodePort }),
        },
      ],
      sessionAffinity: f.affinitySeconds === undefined ? "None" : "ClientIP",
      ...(f.affinitySeconds === undefined
        ? {}
        : { sessionAffinityConfig: { clientIP: { timeoutSeconds: f.affinitySeconds } } }),
      ...(f.nodePort === undefined ? {} : { externalTrafficPolicy: f.externalTrafficPolicy ?? "Cluster" }),
      internalTrafficPolicy: "Cluster",
    },
  }
  const slice: EndpointSliceObject = {
    // The EndpointSlice controller names slices <service>-<random suffix>; a fixed suffix keeps runs equal.
    metadata: { namespace: NAMESPACE, name: `${f.name}-conf`, labels: { "kubernetes.io/service-name": f.name } },
    addressType: "IPv4",
    endpoints: pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: p.node,
    })),
    ports: [{ name: PORT_NAME, port: targetPort, protocol: f.protocol ?? "TCP" }],
  }
  return { service, slice }
}

/** A cluster of `topology` with these Services (each with one EndpointSlice). */
export const conformanceCluster = (
  topology: TopologySpec,
  clusterCidr: string,
  services: ReadonlyArray<ServiceFixture>,
): ConformanceCluster => {
  const objects = services.map((f) => serviceObjects(topology, f))
  return {
    topology,
    clusterCidr,
    services: objects.map((o) => o.service),
    endpointSlices: objects.map((o) => o.slice),
  }
}
