import type { Service } from "../service"
import { type FieldError, duplicate, forbidden, goStringSlice, invalid, notSupported, path, required } from "./field-error"
import { nameIsDNS1035Label, validateDNS1123Label, validateDNS1123Subdomain, validateLabels, validateObjectMeta } from "./meta-validation"
import { isQualifiedName, isValidCIDR, isValidIP, isValidPortNum } from "./names"
import { SUPPORTED_PROTOCOLS, isOneOf, validatePortNumOrName } from "./ports"

/** The NodePort range (kube-apiserver `--service-node-port-range`, default 30000-32767). */
export interface NodePortRange {
  readonly base: number
  readonly size: number
}

export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { base: 30000, size: 2768 }

/** pkg/apis/core/types.go `MaxClientIPServiceAffinitySeconds` (one day). */
export const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"] as const
const AFFINITIES = ["ClientIP", "None"] as const
const TRAFFIC_POLICIES = ["Cluster", "Local"] as const
/** validation.go validateServiceTrafficDistribution (1.34: PreferSameZone/PreferSameNode beta, on), in sets.List order. */
const TRAFFIC_DISTRIBUTIONS = ["PreferClose", "PreferSameNode", "PreferSameZone"] as const
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"] as const

/**
 * pkg/apis/core/validation/validation.go `ValidateService` (with `validateServicePort`,
 * `validateClientIPAffinityConfig`, `validateServiceExternalTrafficPolicy`), plus the NodePort range check that
 * the NodePort allocator applies to explicit values (pkg/registry/core/service/portallocator/allocator.go
 * `ErrNotInRange`).
 */
export const validateService = (svc: Service, nodePortRange: NodePortRange = DEFAULT_NODE_PORT_RANGE): FieldError[] => {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label)
  const spec = path("spec")
  const s = svc.spec
  const headless = s.clusterIP === "None"

  if (!isOneOf(s.type, SERVICE_TYPES)) errs.push(notSupported(String(spec.child("type")), s.type, SERVICE_TYPES))

  if (s.ports.length === 0 && !headless && s.type !== "ExternalName") errs.push(required(String(spec.child("ports"))))

  const names = new Set<string>()
  const requireName = s.ports.length > 1
  s.ports.forEach((p, i) => {
    const pf = spec.child("ports").index(i)
    if (requireName && (p.name === undefined || p.name === "")) errs.push(required(String(pf.child("name"))))
    else if (p.name !== undefined && p.name !== "") {
      errs.push(...validateDNS1123Label(p.name, pf.child("name")))
      if (names.has(p.name)) errs.push(duplicate(String(pf.child("name")), p.name))
      names.add(p.name)
    }
    for (const m of isValidPortNum(p.port)) errs.push(invalid(String(pf.child("port")), p.port, m))
    if (!isOneOf(p.protocol, SUPPORTED_PROTOCOLS)) errs.push(notSupported(String(pf.child("protocol")), p.protocol, SUPPORTED_PROTOCOLS))
    errs.push(...validatePortNumOrName(p.targetPort, pf.child("targetPort")))
    if (p.appProtocol !== undefined) for (const m of isQualifiedName(p.appProtocol)) errs.push(invalid(String(pf.child("appProtocol")), p.appProtocol, m))
  })

  // Two ports may not share (port, protocol); nor may two node ports share (nodePort, protocol).
  const seen = new Set<string>()
  const seenNode = new Set<string>()
  s.ports.forEach((p, i) => {
    const pf = spec.child("ports").index(i)
    const key = `${p.protocol}/${p.port}`
    if (seen.has(key)) errs.push(duplicate(String(pf), { protocol: p.protocol, port: p.port }))
    seen.add(key)
    if (p.nodePort !== undefined) {
      const nkey = `${p.protocol}/${p.nodePort}`
      if (seenNode.has(nkey)) errs.push(duplicate(String(pf.child("nodePort")), p.nodePort))
      seenNode.add(nkey)
    }
  })

  s.ports.forEach((p, i) => {
    if (p.nodePort === undefined) return
    const nf = String(spec.child("ports").index(i).child("nodePort"))
    if (s.type === "ClusterIP") {
      errs.push(forbidden(nf, "may not be used when `type` is 'ClusterIP'"))
      return
    }
    const portErrs = isValidPortNum(p.nodePort)
    for (const m of portErrs) errs.push(invalid(nf, p.nodePort, m))
    const hi = nodePortRange.base + nodePortRange.size - 1
    if (portErrs.length === 0 && (p.nodePort < nodePortRange.base || p.nodePort > hi)) {
      errs.push(invalid(nf, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${nodePortRange.base}-${hi}`))
    }
  })

  if (s.type === "ExternalName") {
    if (s.clusterIPs !== undefined && s.clusterIPs.length > 0) errs.push(forbidden(String(spec.child("clusterIPs")), "may not be set for ExternalName services"))
    // The value (a CNAME) may have a trailing dot to denote it as fully qualified.
    const cname = (s.externalName ?? "").replace(/\.$/, "")
    if (cname.length > 0) errs.push(...validateDNS1123Subdomain(cname, spec.child("externalName")))
    else errs.push(required(String(spec.child("externalName"))))
  } else {
    s.clusterIPs?.forEach((ip, i) => {
      const f = String(spec.child("clusterIPs").index(i))
      if (ip === "None") {
        if (i > 0) errs.push(invalid(f, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        else if (s.type !== "ClusterIP") errs.push(invalid(f, ip, `may not be set to 'None' for ${s.type} services`))
      } else {
        for (const m of isValidIP(ip)) errs.push(invalid(f, ip, m))
      }
    })
    if (s.clusterIP !== undefined && s.clusterIPs !== undefined && s.clusterIPs.length > 0 && s.clusterIPs[0] !== s.clusterIP) {
      errs.push(invalid(String(spec.child("clusterIPs")), goStringSlice(s.clusterIPs), "first value must match `clusterIP`"))
    }
    if (s.ipFamilyPolicy !== undefined && !isOneOf(s.ipFamilyPolicy, IP_FAMILY_POLICIES)) {
      errs.push(notSupported(String(spec.child("ipFamilyPolicy")), s.ipFamilyPolicy, IP_FAMILY_POLICIES))
    }
  }

  if (!isOneOf(s.sessionAffinity, AFFINITIES)) errs.push(notSupported(String(spec.child("sessionAffinity")), s.sessionAffinity, AFFINITIES))
  if (s.sessionAffinity === "ClientIP") {
    const t = s.sessionAffinityConfig?.clientIP?.timeoutSeconds
    const tf = spec.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds")
    if (t === undefined) errs.push(required(String(tf)))
    else if (t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS) {
      errs.push(invalid(String(tf), t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`))
    }
  } else if (s.sessionAffinity === "None" && s.sessionAffinityConfig !== undefined) {
    errs.push(invalid(String(spec.child("sessionAffinityConfig")), s.sessionAffinityConfig, "must not be set when session affinity is None"))
  }

  const externallyAccessible = s.type === "NodePort" || s.type === "LoadBalancer" || (s.externalIPs?.length ?? 0) > 0
  const etp = s.externalTrafficPolicy
  if (etp !== undefined) {
    if (!externallyAccessible) errs.push(invalid(String(spec.child("externalTrafficPolicy")), etp, "may only be set for externally-accessible services"))
    else if (!isOneOf(etp, TRAFFIC_POLICIES)) errs.push(notSupported(String(spec.child("externalTrafficPolicy")), etp, TRAFFIC_POLICIES))
  }
  const itp = s.internalTrafficPolicy
  if (itp !== undefined && !isOneOf(itp, TRAFFIC_POLICIES)) errs.push(notSupported(String(spec.child("internalTrafficPolicy")), itp, TRAFFIC_POLICIES))
  const td = s.trafficDistribution
  if (td !== undefined && !isOneOf(td, TRAFFIC_DISTRIBUTIONS)) errs.push(notSupported(String(spec.child("trafficDistribution")), td, TRAFFIC_DISTRIBUTIONS))
  if (s.healthCheckNodePort !== undefined && !(s.type === "LoadBalancer" && etp === "Local")) {
    errs.push(invalid(String(spec.child("healthCheckNodePort")), s.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
  }

  s.externalIPs?.forEach((ip, i) => {
    for (const m of isValidIP(ip)) errs.push(invalid(String(spec.child("externalIPs").index(i)), ip, m))
  })
  if (s.loadBalancerSourceRanges !== undefined && s.loadBalancerSourceRanges.length > 0) {
    if (s.type !== "LoadBalancer") errs.push(forbidden(String(spec.child("loadBalancerSourceRanges")), "may only be used when `type` is 'LoadBalancer'"))
    s.loadBalancerSourceRanges.forEach((r, i) => {
      for (const m of isValidCIDR(r.trim())) errs.push(invalid(String(spec.child("loadBalancerSourceRanges").index(i)), r, m))
    })
  }
  if (s.loadBalancerIP !== undefined && s.loadBalancerIP !== "") {
    if (s.type !== "LoadBalancer") errs.push(forbidden(String(spec.child("loadBalancerIP")), "may only be used when `type` is 'LoadBalancer'"))
    for (const m of isValidIP(s.loadBalancerIP)) errs.push(invalid(String(spec.child("loadBalancerIP")), s.loadBalancerIP, m))
  }
  errs.push(...validateLabels(s.selector, spec.child("selector")))
  return errs
}
