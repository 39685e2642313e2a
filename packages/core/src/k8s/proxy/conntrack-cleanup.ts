import type { EndpointsMap } from "./endpoints-change-tracker"
import { joinHostPort } from "./ip"
import type { ServicePortMap } from "./service-change-tracker"

/**
 * The desired state of UDP conntrack after a sync (pkg/proxy/conntrack/cleanup.go CleanStaleEntries): for each
 * UDP service port with at least one serving endpoint, the endpoint IPs replies may legitimately come from.
 * Services without serving endpoints are left alone; TCP is never flushed.
 */
export interface UdpConntrackTargets {
  /** `ip:port` of a ClusterIP / LoadBalancer IP / externalIP → serving endpoint IPs. */
  readonly serviceIPs: ReadonlyMap<string, ReadonlySet<string>>
  /** NodePort → serving endpoint IPs. */
  readonly nodePorts: ReadonlyMap<number, ReadonlySet<string>>
}

/** A conntrack entry as the cleanup sees it: the original destination and the reply source. */
export interface UdpConntrackEntryView {
  readonly protocol: "udp" | "tcp" | "sctp" | "icmp"
  readonly origDstIP: string
  readonly origDstPort: number
  readonly replySrcIP: string
}

export const udpConntrackTargets = (services: ServicePortMap, endpoints: EndpointsMap): UdpConntrackTargets => {
  const serviceIPs = new Map<string, ReadonlySet<string>>()
  const nodePorts = new Map<number, ReadonlySet<string>>()
  for (const [key, svc] of services) {
    if (svc.protocol !== "UDP") continue
    const ips = new Set<string>()
    // Serving, regardless of traffic policy or topology: changing the Service must not break existing flows.
    for (const ep of endpoints.get(key) ?? []) if (ep.serving) ips.add(ep.ip)
    if (ips.size === 0) continue
    serviceIPs.set(joinHostPort(svc.clusterIP, svc.port), ips)
    for (const ip of svc.loadBalancerVIPs) serviceIPs.set(joinHostPort(ip, svc.port), ips)
    for (const ip of svc.externalIPs) serviceIPs.set(joinHostPort(ip, svc.port), ips)
    if (svc.nodePort !== 0) nodePorts.set(svc.nodePort, ips)
  }
  return { serviceIPs, nodePorts }
}

/** cleanup.go: whether a UDP entry points at a service frontend but not at one of its serving endpoints. */
export const isStaleUdpEntry = (entry: UdpConntrackEntryView, targets: UdpConntrackTargets): boolean => {
  if (entry.protocol !== "udp") return false
  const byIP = targets.serviceIPs.get(joinHostPort(entry.origDstIP, entry.origDstPort))
  if (byIP !== undefined && !byIP.has(entry.replySrcIP)) return true
  const byPort = targets.nodePorts.get(entry.origDstPort)
  return byPort !== undefined && !byPort.has(entry.replySrcIP)
}
