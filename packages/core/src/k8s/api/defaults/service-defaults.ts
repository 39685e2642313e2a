import type { IntOrString } from "../meta"
import type { Protocol } from "../pod"
import type {
  IPFamily,
  IPFamilyPolicy,
  Service,
  ServiceAffinity,
  ServicePort,
  ServiceSpec,
  ServiceTrafficPolicy,
  ServiceType,
} from "../service"
import type { ServiceWire } from "../wire/service-wire"
import { defaultObjectMeta, defined } from "./meta-defaults"

/** pkg/apis/core/types.go `DefaultClientIPServiceAffinitySeconds` (3 hours). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800

/**
 * pkg/apis/core/v1/defaults.go `SetDefaults_Service`: sessionAffinity None (ClientIP gets timeoutSeconds 10800),
 * type ClusterIP, protocol TCP, targetPort = port, externalTrafficPolicy Cluster for NodePort/LoadBalancer,
 * internalTrafficPolicy Cluster except for ExternalName, allocateLoadBalancerNodePorts true for LoadBalancer.
 * ipFamilyPolicy SingleStack / ipFamilies [IPv4] are what the registry sets in a single-stack IPv4 cluster
 * (pkg/registry/core/service/storage/alloc.go `initIPFamilyFields`); kubesim clusters are IPv4 only.
 * clusterIPs mirrors an explicit clusterIP (pkg/registry/core/service/strategy.go `NormalizeClusterIPs`).
 */
export const defaultService = (w: ServiceWire, namespace: string): Service => {
  const s = w.spec
  const type = (s?.type ?? "ClusterIP") as ServiceType
  const sessionAffinity = (s?.sessionAffinity ?? "None") as ServiceAffinity
  const ports = (s?.ports ?? []).map((p): ServicePort => {
    const port = p.port ?? 0
    const target: IntOrString | undefined = p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "" ? port : p.targetPort
    return defined({
      name: p.name,
      protocol: (p.protocol ?? "TCP") as Protocol,
      appProtocol: p.appProtocol,
      port,
      targetPort: target,
      nodePort: p.nodePort === 0 ? undefined : p.nodePort,
    })
  })
  const external = type === "NodePort" || type === "LoadBalancer"
  let sessionAffinityConfig = s?.sessionAffinityConfig as ServiceSpec["sessionAffinityConfig"]
  if (sessionAffinity === "ClientIP" && sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } }
  }
  const clusterIPs = s?.clusterIPs ?? (s?.clusterIP !== undefined && s.clusterIP !== "" ? [s.clusterIP] : undefined)
  const clusterIP = s?.clusterIP ?? clusterIPs?.[0]
  const spec: ServiceSpec = defined({
    type,
    ports,
    selector: s?.selector,
    clusterIP,
    clusterIPs,
    ipFamilies: type === "ExternalName" ? s?.ipFamilies as ReadonlyArray<IPFamily> | undefined : ((s?.ipFamilies ?? ["IPv4"]) as ReadonlyArray<IPFamily>),
    ipFamilyPolicy: type === "ExternalName" ? s?.ipFamilyPolicy as IPFamilyPolicy | undefined : ((s?.ipFamilyPolicy ?? "SingleStack") as IPFamilyPolicy),
    externalIPs: s?.externalIPs,
    externalName: s?.externalName,
    sessionAffinity,
    sessionAffinityConfig,
    externalTrafficPolicy: (s?.externalTrafficPolicy ?? (external ? "Cluster" : undefined)) as ServiceTrafficPolicy | undefined,
    internalTrafficPolicy: (s?.internalTrafficPolicy ?? (type !== "ExternalName" ? "Cluster" : undefined)) as ServiceTrafficPolicy | undefined,
    healthCheckNodePort: s?.healthCheckNodePort,
    loadBalancerIP: s?.loadBalancerIP,
    loadBalancerSourceRanges: s?.loadBalancerSourceRanges,
    loadBalancerClass: s?.loadBalancerClass,
    allocateLoadBalancerNodePorts: s?.allocateLoadBalancerNodePorts ?? (type === "LoadBalancer" ? true : undefined),
    publishNotReadyAddresses: s?.publishNotReadyAddresses,
    trafficDistribution: s?.trafficDistribution,
  })
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: defaultObjectMeta(w.metadata, namespace),
    spec,
    status: { loadBalancer: {} },
  }
}
