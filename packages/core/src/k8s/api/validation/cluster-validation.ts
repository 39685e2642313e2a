import type { EndpointSlice } from "../endpoint-slice"
import type { Namespace } from "../namespace"
import type { Node } from "../node"
import { type FieldError, duplicate, invalid, notSupported, path, required, tooMany } from "./field-error"
import { nameIsDNSLabel, nameIsDNSSubdomain, validateDNS1123Label, validateDNS1123Subdomain, validateObjectMeta } from "./meta-validation"
import { isIPv4, isIPv6, isValidCIDR, isValidIP, isValidPortNum } from "./names"
import { SUPPORTED_PROTOCOLS, isOneOf } from "./ports"

/** pkg/apis/core/validation/validation.go `ValidateNamespace`: the name is a DNS-1123 label. */
export const validateNamespace = (ns: Namespace): FieldError[] => validateObjectMeta(ns.metadata, false, nameIsDNSLabel)

const TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"] as const
const NODE_ADDRESS_TYPES = ["ExternalDNS", "ExternalIP", "Hostname", "InternalDNS", "InternalIP"] as const

/** validation.go `ValidateNode`: pod CIDRs, taints, and (kubesim's registration stand-in) address formats. */
export const validateNode = (node: Node): FieldError[] => {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain)
  const spec = path("spec")
  node.spec.podCIDRs?.forEach((c, i) => {
    for (const m of isValidCIDR(c)) errs.push(invalid(String(spec.child("podCIDRs").index(i)), c, m))
  })
  node.spec.taints?.forEach((t, i) => {
    const tf = spec.child("taints").index(i)
    if (!isOneOf(t.effect, TAINT_EFFECTS)) errs.push(notSupported(String(tf.child("effect")), t.effect, TAINT_EFFECTS))
  })
  node.status.addresses?.forEach((a, i) => {
    const af = path("status").child("addresses").index(i)
    if (!isOneOf(a.type, NODE_ADDRESS_TYPES)) errs.push(notSupported(String(af.child("type")), a.type, NODE_ADDRESS_TYPES))
    else if (a.type === "InternalIP" || a.type === "ExternalIP") for (const m of isValidIP(a.address)) errs.push(invalid(String(af.child("address")), a.address, m))
  })
  return errs
}

/** pkg/apis/discovery/validation/validation.go limits. */
const MAX_ENDPOINTS = 1000
const MAX_ADDRESSES = 100
const MAX_PORTS = 20000
const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"] as const

/** pkg/apis/discovery/validation/validation.go `ValidateEndpointSlice`. */
export const validateEndpointSlice = (eps: EndpointSlice): FieldError[] => {
  const errs = validateObjectMeta(eps.metadata, true, nameIsDNSSubdomain)
  const t = eps.addressType
  if (!isOneOf(t, ADDRESS_TYPES)) errs.push(notSupported("addressType", t, ADDRESS_TYPES))
  if (eps.endpoints.length > MAX_ENDPOINTS) errs.push(tooMany("endpoints", eps.endpoints.length, MAX_ENDPOINTS))
  eps.endpoints.forEach((e, i) => {
    const ef = path("endpoints").index(i)
    const af = ef.child("addresses")
    if (e.addresses.length === 0) errs.push(required(String(af), "must contain at least 1 address"))
    else if (e.addresses.length > MAX_ADDRESSES) errs.push(tooMany(String(af), e.addresses.length, MAX_ADDRESSES))
    e.addresses.forEach((a, j) => {
      const f = String(af.index(j))
      if (t === "IPv4" && !isIPv4(a)) errs.push(invalid(f, a, "must be a valid IPv4 address"))
      else if (t === "IPv6" && !isIPv6(a)) errs.push(invalid(f, a, "must be a valid IPv6 address"))
      else if (t === "FQDN") errs.push(...validateDNS1123Subdomain(a, af.index(j)))
    })
    if (e.hostname !== undefined) errs.push(...validateDNS1123Label(e.hostname, ef.child("hostname")))
    if (e.nodeName !== undefined) errs.push(...validateDNS1123Subdomain(e.nodeName, ef.child("nodeName")))
  })
  const ports = eps.ports ?? []
  if (ports.length > MAX_PORTS) errs.push(tooMany("ports", ports.length, MAX_PORTS))
  const names = new Set<string>()
  ports.forEach((p, i) => {
    const pf = path("ports").index(i)
    if (p.name !== "") errs.push(...validateDNS1123Label(p.name, pf.child("name")))
    if (names.has(p.name)) errs.push(duplicate(String(pf.child("name")), p.name))
    names.add(p.name)
    if (!isOneOf(p.protocol, SUPPORTED_PROTOCOLS)) errs.push(notSupported(String(pf.child("protocol")), p.protocol, SUPPORTED_PROTOCOLS))
    if (p.port !== undefined) for (const m of isValidPortNum(p.port)) errs.push(invalid(String(pf.child("port")), p.port, m))
  })
  return errs
}
