import type { Container, Pod, PodSpec, Probe } from "../pod"
import { type FieldError, type FieldPath, duplicate, goStringSlice, invalid, notSupported, path, required } from "./field-error"
import {
  nameIsDNSSubdomain,
  validateDNS1123Label,
  validateLabelName,
  validateLabels,
  validateNonnegative,
  validateObjectMeta,
} from "./meta-validation"
import { isValidIP, isValidPortName, isValidPortNum } from "./names"
import { SUPPORTED_PROTOCOLS, isOneOf, validatePortNumOrName } from "./ports"
import { validateResourceRequirements } from "./resources-validation"

const RESTART_POLICIES = ["Always", "Never", "OnFailure"] as const
const DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] as const
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const
/** pkg/apis/core/validation/validation.go `MaxDNSNameservers`, `MaxDNSSearchPaths`. */
const MAX_DNS_NAMESERVERS = 3
const MAX_DNS_SEARCH_PATHS = 32

/** validation.go `validateProbe` and `validateHandler`: exactly one handler, non-negative timings. */
const validateProbe = (p: Probe | undefined, fld: FieldPath, liveness: boolean): FieldError[] => {
  if (p === undefined) return []
  const errs: FieldError[] = []
  const handlers = [p.httpGet, p.tcpSocket, p.exec].filter((h) => h !== undefined).length
  if (handlers === 0) errs.push(required(String(fld), "must specify a handler type"))
  if (handlers > 1) errs.push({ type: "Forbidden", field: String(fld), detail: "may not specify more than 1 handler type" })
  if (p.httpGet !== undefined) errs.push(...validatePortNumOrName(p.httpGet.port, fld.child("httpGet").child("port")))
  if (p.tcpSocket !== undefined) errs.push(...validatePortNumOrName(p.tcpSocket.port, fld.child("tcpSocket").child("port")))
  errs.push(...validateNonnegative(p.initialDelaySeconds, fld.child("initialDelaySeconds")))
  errs.push(...validateNonnegative(p.timeoutSeconds, fld.child("timeoutSeconds")))
  errs.push(...validateNonnegative(p.periodSeconds, fld.child("periodSeconds")))
  errs.push(...validateNonnegative(p.successThreshold, fld.child("successThreshold")))
  errs.push(...validateNonnegative(p.failureThreshold, fld.child("failureThreshold")))
  // validation.go `validateLivenessProbe`: a liveness probe's successThreshold must be 1.
  if (liveness && p.successThreshold !== 1) errs.push(invalid(String(fld.child("successThreshold")), p.successThreshold, "must be 1"))
  return errs
}

/** validation.go `validateContainers` (names unique DNS-1123 labels, image required, ports, env, probes). */
const validateContainers = (containers: ReadonlyArray<Container>, fld: FieldPath, names: Set<string>, portNames: Set<string>): FieldError[] => {
  const errs: FieldError[] = []
  containers.forEach((c, i) => {
    const cf = fld.index(i)
    if (c.name === "") errs.push(required(String(cf.child("name"))))
    else {
      errs.push(...validateDNS1123Label(c.name, cf.child("name")))
      if (names.has(c.name)) errs.push(duplicate(String(cf.child("name")), c.name))
      names.add(c.name)
    }
    if (c.image === "") errs.push(required(String(cf.child("image"))))
    else if (c.image.trim() !== c.image) errs.push(invalid(String(cf.child("image")), c.image, "must not have leading or trailing whitespace"))
    c.ports?.forEach((p, j) => {
      const pf = cf.child("ports").index(j)
      if (p.name !== undefined && p.name !== "") {
        for (const m of isValidPortName(p.name)) errs.push(invalid(String(pf.child("name")), p.name, m))
        if (portNames.has(p.name)) errs.push(duplicate(String(pf.child("name")), p.name))
        portNames.add(p.name)
      }
      if (p.containerPort === 0) errs.push(required(String(pf.child("containerPort"))))
      else for (const m of isValidPortNum(p.containerPort)) errs.push(invalid(String(pf.child("containerPort")), p.containerPort, m))
      if (p.hostPort !== undefined && p.hostPort !== 0) for (const m of isValidPortNum(p.hostPort)) errs.push(invalid(String(pf.child("hostPort")), p.hostPort, m))
      if (!isOneOf(p.protocol, SUPPORTED_PROTOCOLS)) errs.push(notSupported(String(pf.child("protocol")), p.protocol, SUPPORTED_PROTOCOLS))
    })
    c.env?.forEach((e, j) => {
      if (e.name === "") errs.push(required(String(cf.child("env").index(j).child("name"))))
    })
    errs.push(...validateProbe(c.readinessProbe, cf.child("readinessProbe"), false))
    errs.push(...validateProbe(c.livenessProbe, cf.child("livenessProbe"), true))
    errs.push(...validateProbe(c.startupProbe, cf.child("startupProbe"), true))
    if (!isOneOf(c.imagePullPolicy, PULL_POLICIES)) errs.push(notSupported(String(cf.child("imagePullPolicy")), c.imagePullPolicy, PULL_POLICIES))
    errs.push(...validateResourceRequirements(c.resources, cf.child("resources")))
  })
  return errs
}

/** validation.go `ValidatePodSpec` (the parts that matter to networking and lifecycle). */
export const validatePodSpec = (s: PodSpec, fld: FieldPath): FieldError[] => {
  const errs: FieldError[] = []
  const names = new Set<string>()
  const portNames = new Set<string>()
  if (s.containers.length === 0) errs.push(required(String(fld.child("containers"))))
  errs.push(...validateContainers(s.initContainers ?? [], fld.child("initContainers"), names, portNames))
  errs.push(...validateContainers(s.containers, fld.child("containers"), names, portNames))
  if (!isOneOf(s.restartPolicy, RESTART_POLICIES)) errs.push(notSupported(String(fld.child("restartPolicy")), s.restartPolicy, RESTART_POLICIES))
  if (!isOneOf(s.dnsPolicy, DNS_POLICIES)) errs.push(notSupported(String(fld.child("dnsPolicy")), s.dnsPolicy, DNS_POLICIES))
  if (s.dnsPolicy === "None" && s.dnsConfig === undefined) {
    errs.push(required(String(fld.child("dnsConfig")), "must provide `dnsConfig` when `dnsPolicy` is None"))
  }
  if (s.dnsConfig !== undefined) {
    const df = fld.child("dnsConfig")
    const ns = s.dnsConfig.nameservers ?? []
    if (ns.length > MAX_DNS_NAMESERVERS) errs.push(invalid(String(df.child("nameservers")), goStringSlice(ns), `must not have more than ${MAX_DNS_NAMESERVERS} nameservers`))
    ns.forEach((n, i) => {
      for (const m of isValidIP(n)) errs.push(invalid(String(df.child("nameservers").index(i)), n, m))
    })
    const searches = s.dnsConfig.searches ?? []
    if (searches.length > MAX_DNS_SEARCH_PATHS) errs.push(invalid(String(df.child("searches")), goStringSlice(searches), `must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`))
    if (s.dnsPolicy === "None" && ns.length === 0) errs.push(required(String(df.child("nameservers")), "must provide at least one DNS nameserver when `dnsPolicy` is None"))
  }
  errs.push(...validateNonnegative(s.terminationGracePeriodSeconds, fld.child("terminationGracePeriodSeconds")))
  if (s.hostname !== undefined && s.hostname !== "") errs.push(...validateDNS1123Label(s.hostname, fld.child("hostname")))
  if (s.subdomain !== undefined && s.subdomain !== "") errs.push(...validateDNS1123Label(s.subdomain, fld.child("subdomain")))
  errs.push(...validateLabels(s.nodeSelector, fld.child("nodeSelector")))
  s.readinessGates?.forEach((g, i) => errs.push(...validateLabelName(g.conditionType, fld.child("readinessGates").index(i).child("conditionType"))))
  return errs
}

/** validation.go `ValidatePodCreate`. */
export const validatePod = (pod: Pod): FieldError[] => [
  ...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain),
  ...validatePodSpec(pod.spec, path("spec")),
]
