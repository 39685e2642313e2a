import { type ClusterZoneIndex, type EndpointAddressRecord, isHeadless, serviceClusterIps } from "./cluster-zone-index"
import { namespaceOf } from "./cluster-view"
import { type DnsAnswer, type DnsQuestion, type ResourceRecord, type RrType, emptyAnswer, rr } from "./dns-message"
import { canonicalName, fqdn, isSubdomain, labelsOf } from "./dns-name"
import { addressFromReverse, dashedIp, isIpv4, isIpv6, isReverseName } from "./ip-text"

/** How `pods` records are served (coredns `plugin/kubernetes/README.md`, option `pods`). */
export type PodsMode = "disabled" | "insecure" | "verified"

/** The `kubernetes` stanza of a Corefile. */
export interface KubernetesPluginConfig {
  /** Zones served, the cluster domain first (it is the "primary zone" PTR answers use). No trailing dot needed. */
  readonly zones: ReadonlyArray<string>
  /** Record TTL in seconds (option `ttl`). */
  readonly ttl: number
  readonly pods: PodsMode
  /** Option `endpoint_pod_names`: name endpoints without a hostname after their pod. */
  readonly endpointPodNames: boolean
  /** Option `ignore empty_service`: NXDOMAIN for a ClusterIP Service without endpoint addresses. */
  readonly ignoreEmptyService: boolean
  /** Option `fallthrough <zones>`: NXDOMAIN answers in these zones go to the next plugin (forward). */
  readonly fallthrough: ReadonlyArray<string>
  /** The Service fronting CoreDNS, whose ClusterIPs `ns.dns.<zone>` and the apex NS answer with. */
  readonly dnsService: { readonly namespace: string; readonly name: string }
}

/** `dns-version.<zone>` TXT text: the schema the plugin implements (coredns `kubernetes.go` `DNSSchemaVersion`). */
export const DNS_SCHEMA_VERSION = "1.1.0"

/** Plugin defaults (coredns `plugin/kubernetes/README.md`: `ttl` 5, `pods disabled`, no fallthrough). */
export const corednsPluginDefaults = (clusterDomain = "cluster.local"): KubernetesPluginConfig => ({
  zones: [clusterDomain, "in-addr.arpa", "ip6.arpa"],
  ttl: 5,
  pods: "disabled",
  endpointPodNames: false,
  ignoreEmptyService: false,
  fallthrough: [],
  dnsService: { namespace: "kube-system", name: "kube-dns" },
})

/**
 * The stanza kubeadm writes (kubernetes `cmd/kubeadm/app/phases/addons/dns/manifests.go` CoreDNS ConfigMap):
 * `kubernetes <domain> in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`.
 */
export const kubeadmKubernetesStanza = (clusterDomain = "cluster.local"): KubernetesPluginConfig => ({
  ...corednsPluginDefaults(clusterDomain),
  ttl: 30,
  pods: "insecure",
  fallthrough: ["in-addr.arpa", "ip6.arpa"],
})

/** The TTL of `dns-version.<zone>` TXT, fixed in coredns `kubernetes.go` `Services`. */
export const DNS_VERSION_TTL = 28800

/** Returned when the plugin passes the question on (`fallthrough`, or a name outside its zones). */
export const FALLTHROUGH = "fallthrough" as const

/** Resolves a question through the whole server, as CoreDNS' `upstream` does when chasing a CNAME. */
export type UpstreamLookup = (q: DnsQuestion) => DnsAnswer

/** One `msg.Service` of the plugin: an address or external name, its port and the domain its key names. */
interface Entry {
  readonly host: string
  readonly port: number
  readonly target: string
}

interface Found {
  readonly entries: ReadonlyArray<Entry>
  /** CoreDNS `IsNameError`: errNoItems / errInvalidRequest / errNsNotExposed. */
  readonly nameError: boolean
}

const NAME_ERROR: Found = { entries: [], nameError: true }
const NO_DATA: Found = { entries: [], nameError: false }

/** A parsed query name (coredns `plugin/kubernetes/parse.go` `recordRequest`). */
interface RecordRequest {
  readonly port: string
  readonly protocol: string
  readonly endpoint: string
  readonly service: string
  readonly namespace: string
  readonly podOrSvc: string
}

interface QueryName {
  /** As asked, FQDN. */
  readonly qname: string
  /** Lower-cased FQDN. */
  readonly lname: string
  /** The matched zone in the question's case (handler.go keeps the query's case for the zone part). */
  readonly zone: string
  /** The matched zone, lower case FQDN. */
  readonly zoneKey: string
}

const stripUnderscore = (s: string): string => (s.startsWith("_") ? s.slice(1) : s)

/** coredns `parse.go` `parseRequest`; undefined for errInvalidRequest. */
const parseRequest = (lname: string, zoneKey: string): RecordRequest | undefined => {
  const base = lname === zoneKey ? "" : lname.slice(0, lname.length - zoneKey.length - 1)
  const empty = { port: "", protocol: "", endpoint: "", service: "", namespace: "", podOrSvc: "" }
  // Apex, "svc" and "pod" alone are NODATA.
  if (base === "" || base === "svc" || base === "pod") return empty
  const segs = labelsOf(base)
  let last = segs.length - 1
  const podOrSvc = segs[last] as string
  if (podOrSvc !== "pod" && podOrSvc !== "svc") return undefined
  last--
  if (last < 0) return { ...empty, podOrSvc }
  const namespace = segs[last] as string
  last--
  if (last < 0) return { ...empty, podOrSvc, namespace }
  const service = segs[last] as string
  last--
  if (last < 0) return { ...empty, podOrSvc, namespace, service }
  // One label left is an endpoint, two are _port._protocol, more is too long to answer.
  if (last === 0) return { ...empty, podOrSvc, namespace, service, endpoint: segs[0] as string }
  if (last === 1) return { podOrSvc, namespace, service, endpoint: "", port: stripUnderscore(segs[0] as string), protocol: stripUnderscore(segs[1] as string) }
  return undefined
}

const hostType = (host: string): "A" | "AAAA" | "CNAME" => (isIpv4(host) ? "A" : isIpv6(host) ? "AAAA" : "CNAME")

/**
 * CoreDNS' `kubernetes` plugin (coredns `plugin/kubernetes/`): answers questions in the cluster domain and the
 * reverse zones from a ClusterZoneIndex, following `handler.go` `ServeDNS`, `kubernetes.go` `Services` /
 * `Records` / `findServices` / `findPods`, `reverse.go` and `plugin/backend_lookup.go` (A, AAAA, SRV, PTR, CNAME,
 * TXT, NS, SOA). Negative answers carry the plugin's SOA; answers set the AA bit.
 */
export class KubernetesPlugin {
  private readonly zoneKeys: ReadonlyArray<string>
  private readonly fallthroughKeys: ReadonlyArray<string>
  private synced = true

  constructor(
    readonly index: ClusterZoneIndex,
    readonly config: KubernetesPluginConfig,
  ) {
    this.zoneKeys = config.zones.map(canonicalName)
    this.fallthroughKeys = config.fallthrough.map(canonicalName)
  }

  /** Before the informers' first sync the plugin answers SERVFAIL where it would say NXDOMAIN (handler.go). */
  setSynced(synced: boolean): void {
    this.synced = synced
  }

  /** The longest configured zone containing `lname`, or undefined (plugin.Zones.Matches). */
  matchZone(name: string): string | undefined {
    const lname = canonicalName(name)
    let best: string | undefined
    for (const z of this.zoneKeys) if (isSubdomain(z, lname) && (best === undefined || z.length > best.length)) best = z
    return best
  }

  private queryName(name: string, zoneKey: string): QueryName {
    const qname = fqdn(name)
    return { qname, lname: qname.toLowerCase(), zone: qname.slice(qname.length - zoneKey.length), zoneKey }
  }

  /** Answer a question, or FALLTHROUGH when the next plugin (forward) must. */
  serve(q: DnsQuestion, lookup: UpstreamLookup): DnsAnswer | typeof FALLTHROUGH {
    const zoneKey = this.matchZone(q.name)
    if (zoneKey === undefined) return FALLTHROUGH
    const n = this.queryName(q.name, zoneKey)
    let records: ResourceRecord[] = []
    let extra: ResourceRecord[] = []
    let nameError = false
    switch (q.qtype) {
      case "A":
      case "AAAA": {
        const r = this.address(n, q.qtype, [], lookup)
        records = r.records
        nameError = r.nameError
        break
      }
      case "TXT":
      case "CNAME": {
        const found = this.services(n, q.qtype)
        nameError = found.nameError
        if (q.qtype === "TXT") records = found.entries.map((e) => rr(n.qname, "TXT", DNS_VERSION_TTL, `"${e.host}"`))
        else {
          const first = found.entries[0]
          if (first !== undefined && hostType(first.host) === "CNAME") records = [rr(n.qname, "CNAME", this.config.ttl, fqdn(first.host))]
        }
        break
      }
      case "PTR": {
        const r = this.ptr(n)
        records = r.records
        nameError = r.nameError
        break
      }
      case "SRV": {
        const r = this.srv(n)
        records = r.records
        extra = r.extra
        nameError = r.nameError
        break
      }
      case "SOA":
        // handler.go (CoreDNS ≥ 1.8.4, coredns/coredns#4592; v1.11.1): `if qname == zone { plugin.SOA }` and
        // nothing else — below the apex no lookup is made and err stays nil, so every name in the zone, existing
        // or not, answers NOERROR/NODATA with the SOA in authority (never NXDOMAIN, never fallthrough, no SERVFAIL
        // before sync).
        if (n.lname === zoneKey) records = [this.soa(n.zone)]
        break
      case "NS":
        if (n.lname === zoneKey) {
          const r = this.ns(n)
          records = r.records
          extra = r.extra
          break
        }
        nameError = this.address(n, "A", [], lookup).nameError
        break
      default:
        // A fake A lookup tells NODATA from NXDOMAIN for types the plugin has no records of (handler.go).
        nameError = this.address(n, "A", [], lookup).nameError
    }
    if (nameError) {
      if (this.fallthroughKeys.some((z) => isSubdomain(z, n.lname))) return FALLTHROUGH
      return emptyAnswer(this.synced ? "NXDOMAIN" : "SERVFAIL", true, this.soa(n.zone))
    }
    if (records.length === 0) return emptyAnswer("NOERROR", true, this.soa(n.zone))
    return { rcode: "NOERROR", authoritative: true, answer: records, authority: [], additional: extra }
  }

  /** plugin/backend_lookup.go `SOA`: TTL min(ttl, 300), serial = last API change, 7200 1800 86400 ttl. */
  soa(zone: string): ResourceRecord {
    const ttl = this.config.ttl
    return rr(zone, "SOA", Math.min(ttl, 300), `ns.dns.${zone} hostmaster.${zone} ${this.index.modified} 7200 1800 86400 ${ttl}`)
  }

  /** kubernetes.go `Services`: TXT dns-version, the default NS name, then Records; SRV drops external names. */
  private services(n: QueryName, qtype: RrType): Found {
    if (qtype === "TXT") {
      const base = n.lname === n.zoneKey ? "" : n.lname.slice(0, n.lname.length - n.zoneKey.length - 1)
      if (base === "dns-version") return { entries: [{ host: DNS_SCHEMA_VERSION, port: 0, target: n.qname }], nameError: false }
      // Another type's record at the name means NODATA, else NXDOMAIN.
      return this.records(n).entries.length > 0 ? NO_DATA : NAME_ERROR
    }
    if (n.lname === `ns.dns.${n.zoneKey}`) return { entries: this.nsAddresses(n), nameError: false }
    const found = this.records(n)
    if (qtype !== "SRV" || found.nameError) return found
    return { entries: found.entries.filter((e) => hostType(e.host) !== "CNAME"), nameError: false }
  }

  /** kubernetes.go `nsAddrs`, reduced to the ClusterIPs of the Service fronting CoreDNS. */
  private nsAddresses(n: QueryName): Entry[] {
    const { namespace, name } = this.config.dnsService
    const svc = this.index.service(namespace, name)
    if (svc === undefined) return []
    return serviceClusterIps(svc).map((ip) => ({ host: ip, port: 0, target: `ns.dns.${n.zone}` }))
  }

  /** kubernetes.go `Records`. */
  private records(n: QueryName): Found {
    const r = parseRequest(n.lname, n.zoneKey)
    if (r === undefined) return NAME_ERROR
    if (r.podOrSvc === "") return NO_DATA
    if (isReverseName(n.lname)) return NAME_ERROR
    if (!this.index.namespaceExists(r.namespace)) return NAME_ERROR
    return r.podOrSvc === "pod" ? this.findPods(r, n) : this.findServices(r, n)
  }

  /** kubernetes.go `findPods`: `a-b-c-d.<ns>.pod.<zone>` per the `pods` mode. */
  private findPods(r: RecordRequest, n: QueryName): Found {
    if (this.config.pods === "disabled") return NAME_ERROR
    if (r.service === "") return NO_DATA
    const podname = r.service
    const dashes = podname.split("-").length - 1
    const ip = dashes === 3 && !podname.includes("--") ? podname.replace(/-/g, ".") : podname.replace(/-/g, ":")
    if (!isIpv4(ip) && !isIpv6(ip)) return NAME_ERROR
    if (this.config.pods === "verified" && !this.index.podWithIpExists(r.namespace, ip)) return NAME_ERROR
    return { entries: [{ host: ip, port: 0, target: `${podname}.${r.namespace}.pod.${n.zone}` }], nameError: false }
  }

  /** kubernetes.go `endpointHostname`. */
  private endpointHostname(a: EndpointAddressRecord): string {
    if (a.hostname !== "") return a.hostname
    if (this.config.endpointPodNames && a.targetRefName !== "") return a.targetRefName
    return dashedIp(a.ip)
  }

  /** kubernetes.go `findServices`. */
  private findServices(r: RecordRequest, n: QueryName): Found {
    if (r.service === "") return NO_DATA
    const svc = this.index.service(r.namespace, r.service)
    if (svc === undefined) return NAME_ERROR
    const ns = namespaceOf(svc.metadata)
    const name = svc.metadata.name
    const svcDomain = `${name}.${ns}.svc.${n.zone}`
    const isExternal = svc.spec.type === "ExternalName"
    if (this.config.ignoreEmptyService && !isExternal && !isHeadless(svc)) {
      let addresses = 0
      for (const e of this.index.endpointsOf(ns, name)) addresses += e.addresses.length
      if (addresses === 0) return NAME_ERROR
    }
    if (isExternal) {
      // External services have no endpoints and no `_port._proto` names (kubernetes.go findServices skips the
      // Service when endpoint, port or protocol is set); an IP in externalName is not a CNAME and yields nothing.
      const host = svc.spec.externalName ?? ""
      if (r.endpoint !== "" || r.port !== "" || r.protocol !== "" || host === "" || hostType(host) !== "CNAME") return NAME_ERROR
      return { entries: [{ host, port: 0, target: svcDomain }], nameError: false }
    }
    const entries: Entry[] = []
    let nameError = true
    if (isHeadless(svc) || r.endpoint !== "") {
      for (const eps of this.index.endpointsOf(ns, name)) {
        for (const a of eps.addresses) {
          const hostname = this.endpointHostname(a)
          if (r.endpoint !== "" && r.endpoint !== hostname.toLowerCase()) continue
          for (const p of eps.ports) {
            if (!portMatches(r, p.name, p.protocol)) continue
            entries.push({ host: a.ip, port: p.port, target: `${hostname}.${svcDomain}` })
            nameError = false
          }
        }
      }
      return { entries, nameError }
    }
    const ips = serviceClusterIps(svc)
    for (const p of svc.spec.ports ?? []) {
      if (!portMatches(r, p.name ?? "", p.protocol ?? "TCP")) continue
      nameError = false
      for (const ip of ips) entries.push({ host: ip, port: p.port, target: svcDomain })
    }
    return { entries, nameError }
  }

  /** plugin/backend_lookup.go `A` / `AAAA`, with CNAME chasing in-zone or through the upstream lookup. */
  private address(n: QueryName, qtype: "A" | "AAAA", previous: ReadonlyArray<ResourceRecord>, lookup: UpstreamLookup): { records: ResourceRecord[]; nameError: boolean } {
    const found = this.services(n, qtype)
    if (found.nameError) return { records: [], nameError: true }
    const records: ResourceRecord[] = []
    const seen = new Set<string>()
    for (const e of found.entries) {
      const type = hostType(e.host)
      if (type === "CNAME") {
        // x CNAME x is a direct loop; chains longer than 8 are cut.
        if (canonicalName(e.host) === n.lname) continue
        const cname = rr(n.qname, "CNAME", this.config.ttl, fqdn(e.host))
        if (previous.length > 7) continue
        if (previous.some((p) => p.type === "CNAME" && canonicalName(p.name) === n.lname && canonicalName(p.data) === canonicalName(cname.data))) continue
        if (isSubdomain(n.zoneKey, e.host)) {
          const next = this.address(this.queryName(fqdn(e.host), n.zoneKey), qtype, [...previous, cname], lookup)
          if (!next.nameError && next.records.length > 0) records.push(cname, ...next.records)
          continue
        }
        const m = lookup({ name: fqdn(e.host), qtype })
        records.push(cname, ...m.answer)
        continue
      }
      if (type !== qtype || seen.has(e.host)) continue
      seen.add(e.host)
      records.push(rr(n.qname, qtype, this.config.ttl, e.host))
    }
    return { records, nameError: false }
  }

  /** plugin/backend_lookup.go `SRV`: priority 0, weight floor(100/N), targets' addresses in Additional. */
  private srv(n: QueryName): { records: ResourceRecord[]; extra: ResourceRecord[]; nameError: boolean } {
    const found = this.services(n, "SRV")
    if (found.nameError) return { records: [], extra: [], nameError: true }
    const weight = Math.max(1, Math.floor(100 / Math.max(1, found.entries.length)))
    const records: ResourceRecord[] = []
    const extra: ResourceRecord[] = []
    const seen = new Set<string>()
    for (const e of found.entries) {
      // Port -1 marks a Service or slice without ports: no SRV for it.
      if (e.port === -1) continue
      const type = hostType(e.host)
      if (type === "CNAME") continue
      const srvKey = `${e.target}\u0000\u0000${e.port}`
      if (!seen.has(srvKey)) {
        seen.add(srvKey)
        records.push(rr(n.qname, "SRV", this.config.ttl, `0 ${weight} ${e.port} ${e.target}`))
      }
      const addrKey = `${e.target}\u0000${e.host}\u00000`
      if (!seen.has(addrKey)) {
        seen.add(addrKey)
        extra.push(rr(e.target, type, this.config.ttl, e.host))
      }
    }
    return { records, extra, nameError: false }
  }

  /** reverse.go `Reverse` / `serviceRecordForIP`: a ClusterIP names its Service, else every endpoint with it. */
  private ptr(n: QueryName): { records: ResourceRecord[]; nameError: boolean } {
    const ip = addressFromReverse(n.lname)
    if (ip === undefined) {
      const found = this.records(n)
      if (found.nameError) return { records: [], nameError: true }
      const records = found.entries.filter((e) => hostType(e.host) === "CNAME").map((e) => rr(n.qname, "PTR", this.config.ttl, fqdn(e.host)))
      return { records, nameError: false }
    }
    const primary = this.zoneKeys[0] as string
    const svc = this.index.servicesWithClusterIp(ip)[0]
    if (svc !== undefined) {
      return { records: [rr(n.qname, "PTR", this.config.ttl, `${svc.metadata.name}.${namespaceOf(svc.metadata)}.svc.${primary}`)], nameError: false }
    }
    const records: ResourceRecord[] = []
    for (const hit of this.index.endpointsWithIp(ip)) {
      for (const a of hit.record.addresses) {
        if (a.ip !== ip) continue
        records.push(rr(n.qname, "PTR", this.config.ttl, `${this.endpointHostname(a)}.${hit.service}.${hit.namespace}.svc.${primary}`))
      }
    }
    return { records, nameError: records.length === 0 }
  }

  /** plugin/backend_lookup.go `NS` at the apex: `ns.dns.<zone>` with its addresses in Additional. */
  private ns(n: QueryName): { records: ResourceRecord[]; extra: ResourceRecord[] } {
    const addrs = this.nsAddresses(n)
    if (addrs.length === 0) return { records: [], extra: [] }
    const target = `ns.dns.${n.zone}`
    const records = [rr(n.qname, "NS", this.config.ttl, target)]
    const extra = addrs.map((e) => rr(target, hostType(e.host), this.config.ttl, e.host))
    return { records, extra }
  }
}

/** kubernetes.go `matchPortAndProtocol`: empty query labels match anything; otherwise case-insensitive. */
const portMatches = (r: RecordRequest, name: string, protocol: string): boolean =>
  (r.port === "" || r.port === name.toLowerCase()) && (r.protocol === "" || r.protocol === protocol.toLowerCase())
