import {
  type EndpointSliceView,
  type ObjectReferenceView,
  type PodView,
  type ServiceView,
  SERVICE_NAME_LABEL,
  namespaceOf,
} from "./cluster-view"
import { canonicalIp } from "./ip-text"

/**
 * One address of a ready endpoint as CoreDNS' informer cache holds it (coredns
 * `plugin/kubernetes/object/endpoint.go` `EndpointAddress`).
 */
export interface EndpointAddressRecord {
  readonly ip: string
  readonly hostname: string
  readonly nodeName: string
  /** The target pod's name when shorter than 64 characters (a valid label), else "". */
  readonly targetRefName: string
}

export interface EndpointPortRecord {
  readonly name: string
  /** As in the slice ("TCP", "UDP", "SCTP"). */
  readonly protocol: string
  /** -1 is CoreDNS' sentinel for a slice without ports. */
  readonly port: number
}

/** One EndpointSlice as CoreDNS converts it: one subset of its ready addresses and its ports. */
export interface EndpointsRecord {
  readonly sliceName: string
  readonly addresses: ReadonlyArray<EndpointAddressRecord>
  readonly ports: ReadonlyArray<EndpointPortRecord>
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`

/**
 * CoreDNS treats a nil `ready` as ready and skips only endpoints explicitly not ready (coredns
 * `plugin/kubernetes/object/endpoint.go` `endpointsliceReady`); serving/terminating are not consulted.
 */
const endpointReady = (ready: boolean | undefined): boolean => ready !== false

/** Convert one slice the way coredns `object/endpoint.go` `EndpointSliceToEndpoints` does. */
const toEndpointsRecord = (slice: EndpointSliceView): EndpointsRecord => {
  const ports: EndpointPortRecord[] = []
  for (const p of slice.ports ?? []) ports.push({ name: p.name ?? "", protocol: p.protocol ?? "TCP", port: p.port ?? -1 })
  // A slice without ports gets the sentinel port -1, so A queries still see its addresses.
  if (ports.length === 0) ports.push({ name: "", protocol: "", port: -1 })
  const addresses: EndpointAddressRecord[] = []
  for (const ep of slice.endpoints) {
    if (!endpointReady(ep.conditions?.ready)) continue
    const ref: ObjectReferenceView | undefined = ep.targetRef
    const targetRefName = ref?.name !== undefined && ref.name.length < 64 ? ref.name : ""
    for (const a of ep.addresses) {
      addresses.push({ ip: canonicalIp(a) ?? a, hostname: ep.hostname ?? "", nodeName: ep.nodeName ?? "", targetRefName })
    }
  }
  return { sliceName: slice.metadata.name, addresses, ports }
}

/** Whether two podIPs lists hold the same addresses, written the same way, in the same order. */
const sameAddresses = (a: ReadonlyArray<{ readonly ip: string }> | undefined, b: ReadonlyArray<{ readonly ip: string }> | undefined): boolean => {
  if (a === b) return true
  if (a === undefined || b === undefined || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if ((a[i] as { ip: string }).ip !== (b[i] as { ip: string }).ip) return false
  return true
}

const addToIndex = (index: Map<string, Set<string>>, k: string, v: string): void => {
  let s = index.get(k)
  if (s === undefined) index.set(k, (s = new Set()))
  s.add(v)
}
const removeFromIndex = (index: Map<string, Set<string>>, k: string, v: string): void => {
  const s = index.get(k)
  if (s === undefined) return
  s.delete(v)
  if (s.size === 0) index.delete(k)
}

/**
 * The API state CoreDNS' kubernetes plugin answers from, kept incrementally as a watch delivers changes:
 * Services by namespace/name, EndpointSlices grouped by their Service (label `kubernetes.io/service-name`),
 * reverse indexes from ClusterIPs and endpoint IPs, Pods by IP (for `pods verified`) and Namespaces.
 * Each update costs O(size of the changed object). `modified` is the SOA serial: the time of the last change
 * in whole seconds (coredns `plugin/kubernetes/controller.go` `Modified`).
 */
export class ClusterZoneIndex {
  private readonly services = new Map<string, ServiceView>()
  private readonly slices = new Map<string, { readonly serviceKey: string; readonly record: EndpointsRecord }>()
  private readonly slicesByService = new Map<string, Map<string, EndpointsRecord>>()
  private readonly sortedSlices = new Map<string, ReadonlyArray<EndpointsRecord>>()
  private readonly clusterIpIndex = new Map<string, Set<string>>()
  private readonly endpointIpIndex = new Map<string, Set<string>>()
  /** Pods by namespace/name: their canonical IPs, and the status fields those were read from (to skip a re-read). */
  private readonly pods = new Map<string, { readonly namespace: string; readonly ips: ReadonlyArray<string>; readonly podIP: string | undefined; readonly podIPs: ReadonlyArray<{ readonly ip: string }> | undefined }>()
  private readonly podIpIndex = new Map<string, Set<string>>()
  private readonly explicitNamespaces = new Set<string>()
  private readonly implicitNamespaces = new Map<string, number>()
  private modifiedSeconds = 0

  /** The SOA serial: whole seconds of the last change. */
  get modified(): number {
    return this.modifiedSeconds
  }

  private touch(nowSeconds: number | undefined): void {
    if (nowSeconds !== undefined) this.modifiedSeconds = Math.floor(nowSeconds)
  }

  private bumpNamespace(ns: string, delta: number): void {
    const n = (this.implicitNamespaces.get(ns) ?? 0) + delta
    if (n <= 0) this.implicitNamespaces.delete(ns)
    else this.implicitNamespaces.set(ns, n)
  }

  /** Record a Namespace object (CoreDNS `namespaceExposed` asks the namespace lister). */
  setNamespace(name: string, nowSeconds?: number): void {
    this.explicitNamespaces.add(name)
    this.touch(nowSeconds)
  }

  deleteNamespace(name: string, nowSeconds?: number): void {
    this.explicitNamespaces.delete(name)
    this.touch(nowSeconds)
  }

  /** A namespace exists if its object was recorded or any Service, slice or Pod lives in it. */
  namespaceExists(name: string): boolean {
    return this.explicitNamespaces.has(name) || this.implicitNamespaces.has(name)
  }

  setService(svc: ServiceView, nowSeconds?: number): void {
    const ns = namespaceOf(svc.metadata)
    const k = key(ns, svc.metadata.name)
    this.removeService(k)
    this.services.set(k, svc)
    this.bumpNamespace(ns, 1)
    for (const ip of serviceClusterIps(svc)) addToIndex(this.clusterIpIndex, ip, k)
    this.touch(nowSeconds)
  }

  deleteService(namespace: string, name: string, nowSeconds?: number): void {
    this.removeService(key(namespace, name))
    this.touch(nowSeconds)
  }

  private removeService(k: string): void {
    const old = this.services.get(k)
    if (old === undefined) return
    this.services.delete(k)
    this.bumpNamespace(namespaceOf(old.metadata), -1)
    for (const ip of serviceClusterIps(old)) removeFromIndex(this.clusterIpIndex, ip, k)
  }

  service(namespace: string, name: string): ServiceView | undefined {
    return this.services.get(key(namespace, name))
  }

  /** Services whose ClusterIPs include `ip`, sorted by namespace/name. */
  servicesWithClusterIp(ip: string): ServiceView[] {
    const keys = this.clusterIpIndex.get(canonicalIp(ip) ?? ip)
    if (keys === undefined) return []
    return [...keys].sort().map((k) => this.services.get(k) as ServiceView)
  }

  /** A slice without the service-name label belongs to no Service and is ignored, as CoreDNS does. */
  setEndpointSlice(slice: EndpointSliceView, nowSeconds?: number): void {
    const ns = namespaceOf(slice.metadata)
    const sk = key(ns, slice.metadata.name)
    this.removeSlice(sk)
    const svcName = slice.metadata.labels?.[SERVICE_NAME_LABEL]
    if (svcName !== undefined) {
      const serviceKey = key(ns, svcName)
      const record = toEndpointsRecord(slice)
      this.slices.set(sk, { serviceKey, record })
      let group = this.slicesByService.get(serviceKey)
      if (group === undefined) this.slicesByService.set(serviceKey, (group = new Map()))
      group.set(record.sliceName, record)
      this.sortedSlices.delete(serviceKey)
      this.bumpNamespace(ns, 1)
      for (const a of record.addresses) addToIndex(this.endpointIpIndex, a.ip, sk)
    }
    this.touch(nowSeconds)
  }

  deleteEndpointSlice(namespace: string, name: string, nowSeconds?: number): void {
    this.removeSlice(key(namespace, name))
    this.touch(nowSeconds)
  }

  private removeSlice(sk: string): void {
    const old = this.slices.get(sk)
    if (old === undefined) return
    this.slices.delete(sk)
    const group = this.slicesByService.get(old.serviceKey)
    group?.delete(old.record.sliceName)
    if (group !== undefined && group.size === 0) this.slicesByService.delete(old.serviceKey)
    this.sortedSlices.delete(old.serviceKey)
    this.bumpNamespace(sk.slice(0, sk.indexOf("/")), -1)
    for (const a of old.record.addresses) removeFromIndex(this.endpointIpIndex, a.ip, sk)
  }

  /** The converted slices of a Service, sorted by slice name so answers do not depend on arrival order. */
  endpointsOf(namespace: string, name: string): ReadonlyArray<EndpointsRecord> {
    const k = key(namespace, name)
    const cached = this.sortedSlices.get(k)
    if (cached !== undefined) return cached
    const group = this.slicesByService.get(k)
    const sorted = group === undefined ? [] : [...group.values()].sort((a, b) => (a.sliceName < b.sliceName ? -1 : a.sliceName > b.sliceName ? 1 : 0))
    this.sortedSlices.set(k, sorted)
    return sorted
  }

  /** Slices (with their Service's namespace and name) holding a ready endpoint with address `ip`, sorted. */
  endpointsWithIp(ip: string): Array<{ readonly namespace: string; readonly service: string; readonly record: EndpointsRecord }> {
    const keys = this.endpointIpIndex.get(canonicalIp(ip) ?? ip)
    if (keys === undefined) return []
    const out: Array<{ namespace: string; service: string; record: EndpointsRecord }> = []
    for (const sk of [...keys].sort()) {
      const s = this.slices.get(sk)
      if (s === undefined) continue
      const slash = s.serviceKey.indexOf("/")
      out.push({ namespace: s.serviceKey.slice(0, slash), service: s.serviceKey.slice(slash + 1), record: s.record })
    }
    return out
  }

  setPod(pod: PodView, nowSeconds?: number): void {
    const ns = namespaceOf(pod.metadata)
    const k = key(ns, pod.metadata.name)
    const known = this.pods.get(k)
    if (known !== undefined && known.podIP === pod.status?.podIP && sameAddresses(known.podIPs, pod.status?.podIPs)) {
      // A status write that kept the addresses (the kubelet writes status often): nothing to re-index.
      this.touch(nowSeconds)
      return
    }
    this.removePod(k)
    const ips: string[] = []
    const add = (ip: string | undefined): void => {
      if (ip === undefined || ip === "") return
      const c = canonicalIp(ip) ?? ip
      if (!ips.includes(c)) ips.push(c)
    }
    add(pod.status?.podIP)
    for (const p of pod.status?.podIPs ?? []) add(p.ip)
    this.pods.set(k, { namespace: ns, ips, podIP: pod.status?.podIP, podIPs: pod.status?.podIPs })
    this.bumpNamespace(ns, 1)
    for (const ip of ips) addToIndex(this.podIpIndex, ip, k)
    this.touch(nowSeconds)
  }

  deletePod(namespace: string, name: string, nowSeconds?: number): void {
    this.removePod(key(namespace, name))
    this.touch(nowSeconds)
  }

  private removePod(k: string): void {
    const old = this.pods.get(k)
    if (old === undefined) return
    this.pods.delete(k)
    this.bumpNamespace(old.namespace, -1)
    for (const ip of old.ips) removeFromIndex(this.podIpIndex, ip, k)
  }

  /** Whether a Pod in `namespace` has address `ip` (CoreDNS `findPods` in `pods verified` mode). */
  podWithIpExists(namespace: string, ip: string): boolean {
    const keys = this.podIpIndex.get(canonicalIp(ip) ?? ip)
    if (keys === undefined) return false
    for (const k of keys) if (this.pods.get(k)?.namespace === namespace) return true
    return false
  }
}

/**
 * The ClusterIPs DNS publishes: `spec.clusterIPs` (dual-stack) or else `spec.clusterIP`; none for headless
 * ("None") or unset. Canonical text so reverse lookups match.
 */
export const serviceClusterIps = (svc: ServiceView): string[] => {
  const raw = svc.spec.clusterIPs !== undefined && svc.spec.clusterIPs.length > 0 ? svc.spec.clusterIPs : svc.spec.clusterIP !== undefined ? [svc.spec.clusterIP] : []
  const out: string[] = []
  for (const ip of raw) {
    if (ip === "" || ip === "None") continue
    out.push(canonicalIp(ip) ?? ip)
  }
  return out
}

/** `spec.clusterIP == "None"` (k8s `v1helper.IsServiceIPSet` negative / CoreDNS `Service.Headless`). */
export const isHeadless = (svc: ServiceView): boolean => svc.spec.clusterIP === "None"
