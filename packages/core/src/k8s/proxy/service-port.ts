import { DEFAULT_CLIENT_IP_AFFINITY_SECONDS, type Protocol, type ServiceAffinity, type ServicePortView, type ServiceView } from "./api-view"
import { isIpv4, parseIpv4Cidr, type Ipv4Cidr } from "./ip"
import { makeServicePortName, type ServicePortName } from "./service-port-name"

/**
 * What kube-proxy knows of one port of one Service, for one IP family: pkg/proxy/serviceport.go
 * `BaseServicePortInfo`. Immutable and node-independent, so one record serves every node's proxier.
 */
export interface ServicePortInfo {
  readonly name: ServicePortName
  readonly clusterIP: string
  readonly port: number
  readonly protocol: Protocol
  /** Lower-case protocol, as the iptables rules and chain-name hashes use it. */
  readonly protocolLower: string
  readonly nodePort: number
  readonly loadBalancerVIPs: ReadonlyArray<string>
  readonly sessionAffinityType: ServiceAffinity
  readonly stickyMaxAgeSeconds: number
  readonly externalIPs: ReadonlyArray<string>
  readonly loadBalancerSourceRanges: ReadonlyArray<Ipv4Cidr>
  readonly healthCheckNodePort: number
  readonly externalPolicyLocal: boolean
  readonly internalPolicyLocal: boolean
  /** serviceport.go ExternallyAccessible: NodePort, LB VIPs or externalIPs. */
  readonly externallyAccessible: boolean
  /** serviceport.go UsesClusterEndpoints. */
  readonly usesClusterEndpoints: boolean
  /** serviceport.go UsesLocalEndpoints. */
  readonly usesLocalEndpoints: boolean
}

/** pkg/api/v1/service/util.go ExternalPolicyLocal: only NodePort/LoadBalancer Services have one. */
const externalPolicyLocal = (svc: ServiceView): boolean =>
  (svc.spec.type === "NodePort" || svc.spec.type === "LoadBalancer") && svc.spec.externalTrafficPolicy === "Local"

/** pkg/api/v1/service/util.go NeedsHealthCheck. */
const needsHealthCheck = (svc: ServiceView): boolean => svc.spec.type === "LoadBalancer" && externalPolicyLocal(svc)

/** pkg/proxy/util GetClusterIPByFamily for IPv4: the first IPv4 of clusterIPs, else clusterIP if IPv4. */
export const clusterIPv4 = (svc: ServiceView): string => {
  const ips = svc.spec.clusterIPs
  if (ips !== undefined && ips.length > 0) {
    for (const ip of ips) if (isIpv4(ip)) return ip
    return ""
  }
  const ip = svc.spec.clusterIP ?? ""
  return isIpv4(ip) ? ip : ""
}

/** pkg/proxy/serviceport.go newBaseServiceInfo, for the IPv4 family. */
export const newServicePortInfo = (svc: ServiceView, port: ServicePortView): ServicePortInfo => {
  const namespace = svc.metadata.namespace ?? "default"
  const protocol: Protocol = port.protocol ?? "TCP"
  const name = makeServicePortName(namespace, svc.metadata.name, port.name ?? "", protocol)
  const ePL = externalPolicyLocal(svc)
  const iPL = svc.spec.internalTrafficPolicy === "Local"
  const affinity: ServiceAffinity = svc.spec.sessionAffinity ?? "None"
  const sticky =
    affinity === "ClientIP" ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS) : 0
  const externalIPs = (svc.spec.externalIPs ?? []).filter(isIpv4)
  // Validation lets whitespace through in loadBalancerSourceRanges, so upstream trims it.
  const ranges: Ipv4Cidr[] = []
  for (const raw of svc.spec.loadBalancerSourceRanges ?? []) {
    const cidr = parseIpv4Cidr(raw.trim())
    if (cidr !== undefined) ranges.push(cidr)
  }
  // proxyutil.IsVIPMode: ipMode unset or "VIP"; "Proxy" load balancers are not captured by kube-proxy.
  const vips: string[] = []
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip === undefined || ing.ip === "" || ing.ipMode === "Proxy") continue
    if (isIpv4(ing.ip)) vips.push(ing.ip)
  }
  const nodePort = port.nodePort ?? 0
  const healthCheckNodePort = needsHealthCheck(svc) ? (svc.spec.healthCheckNodePort ?? 0) : 0
  const externallyAccessible = nodePort !== 0 || vips.length !== 0 || externalIPs.length !== 0
  return {
    name,
    clusterIP: clusterIPv4(svc),
    port: port.port,
    protocol,
    protocolLower: protocol.toLowerCase(),
    nodePort,
    loadBalancerVIPs: vips,
    sessionAffinityType: affinity,
    stickyMaxAgeSeconds: sticky,
    externalIPs,
    loadBalancerSourceRanges: ranges,
    healthCheckNodePort,
    externalPolicyLocal: ePL,
    internalPolicyLocal: iPL,
    externallyAccessible,
    usesClusterEndpoints: !iPL || externallyAccessible,
    usesLocalEndpoints: iPL || (ePL && externallyAccessible),
  }
}

/** Field-by-field equality (upstream compares with reflect.DeepEqual in the change tracker). */
export const servicePortInfoEqual = (a: ServicePortInfo, b: ServicePortInfo): boolean =>
  a.name.key === b.name.key &&
  a.clusterIP === b.clusterIP &&
  a.port === b.port &&
  a.nodePort === b.nodePort &&
  a.sessionAffinityType === b.sessionAffinityType &&
  a.stickyMaxAgeSeconds === b.stickyMaxAgeSeconds &&
  a.healthCheckNodePort === b.healthCheckNodePort &&
  a.externalPolicyLocal === b.externalPolicyLocal &&
  a.internalPolicyLocal === b.internalPolicyLocal &&
  sameStrings(a.loadBalancerVIPs, b.loadBalancerVIPs) &&
  sameStrings(a.externalIPs, b.externalIPs) &&
  sameStrings(
    a.loadBalancerSourceRanges.map((c) => c.text),
    b.loadBalancerSourceRanges.map((c) => c.text),
  )

const sameStrings = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
