import type { PodDnsConfigOptionView, PodView } from "./cluster-view"
import { namespaceOf } from "./cluster-view"
import type { ResolvConf } from "./resolv-conf"

/** kubelet `pkg/kubelet/network/dns/dns.go` `defaultDNSOptions`. */
export const DEFAULT_DNS_OPTIONS: ReadonlyArray<string> = ["ndots:5"]

/** Limits from kubernetes `pkg/apis/core/validation` (ExpandedDNSConfig, GA and on since 1.28). */
export const MAX_DNS_NAMESERVERS = 3
export const MAX_DNS_SEARCH_PATHS = 32
export const MAX_DNS_SEARCH_LIST_CHARS = 2048
/** `utilvalidation.DNS1123SubdomainMaxLength`: longer search domains are dropped. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253

export interface KubeletDnsSettings {
  /** kubelet `--cluster-domain`; "" means none. */
  readonly clusterDomain: string
  /** kubelet `--cluster-dns`; empty means none (ClusterFirst then falls back to Default). */
  readonly clusterDns: ReadonlyArray<string>
  /** The node's resolv.conf (kubelet `--resolv-conf`), or undefined for `--resolv-conf=""`. */
  readonly nodeResolvConf: ResolvConf | undefined
  /** The node's IPs, for the localhost nameservers used when `--resolv-conf` is "". */
  readonly nodeIps?: ReadonlyArray<string>
}

/** A pod's resolv.conf and the warning events the kubelet recorded while forming it. */
export interface PodDnsResult {
  readonly conf: ResolvConf
  /** `MissingClusterDNS` and `DNSConfigForming` warning messages, in order. */
  readonly events: ReadonlyArray<{ readonly reason: string; readonly message: string }>
}

/** dns.go `omitDuplicates`: first occurrence wins. */
const omitDuplicates = (xs: ReadonlyArray<string>): string[] => [...new Set(xs)]

/**
 * dns.go `mergeDNSOptions`: options by name, dnsConfig's winning. Upstream rebuilds the list from a Go map
 * (unordered); kubesim keeps first-seen order.
 */
const mergeDnsOptions = (existing: ReadonlyArray<string>, extra: ReadonlyArray<PodDnsConfigOptionView>): string[] => {
  const merged = new Map<string, string>()
  for (const op of existing) {
    const i = op.indexOf(":")
    if (i >= 0) merged.set(op.slice(0, i), op.slice(i + 1))
    else merged.set(op, "")
  }
  for (const op of extra) merged.set(op.name ?? "", op.value ?? "")
  return [...merged].map(([name, value]) => (value === "" ? name : `${name}:${value}`))
}

type PodDnsType = "cluster" | "host" | "none"

/** dns.go `getPodDNSType`: ClusterFirst on the host network falls back to Default. */
const podDnsType = (pod: PodView): PodDnsType => {
  switch (pod.spec.dnsPolicy ?? "ClusterFirst") {
    case "None":
      return "none"
    case "ClusterFirstWithHostNet":
      return "cluster"
    case "ClusterFirst":
      return pod.spec.hostNetwork === true ? "host" : "cluster"
    case "Default":
      return "host"
    default:
      throw new Error(`pod ${namespaceOf(pod.metadata)}/${pod.metadata.name}: spec.dnsPolicy "${pod.spec.dnsPolicy}" is not one of ClusterFirst, ClusterFirstWithHostNet, Default, None`)
  }
}

/**
 * The resolv.conf the kubelet asks the runtime to write for a pod (kubernetes
 * `pkg/kubelet/network/dns/dns.go` `GetPodDNS`): for ClusterFirst the cluster DNS IPs only, the search list
 * `<ns>.svc.<domain> svc.<domain> <domain>` plus the node's, `options ndots:5`; for Default the node's file;
 * for None nothing; then `spec.dnsConfig` appended and the limits applied (`formDNSConfigFitsLimits`).
 */
export const resolvConfFor = (pod: PodView, settings: KubeletDnsSettings): PodDnsResult => {
  const events: Array<{ reason: string; message: string }> = []
  const node = settings.nodeResolvConf
  let nameservers: string[] = [...(node?.nameservers ?? [])]
  let searches: string[] = [...(node?.searches ?? [])]
  let options: string[] = [...(node?.options ?? [])]
  let type = podDnsType(pod)
  if (type === "none") {
    nameservers = []
    searches = []
    options = []
  }
  if (type === "cluster") {
    if (settings.clusterDns.length > 0) {
      nameservers = [...settings.clusterDns]
      if (settings.clusterDomain !== "") {
        const d = settings.clusterDomain
        searches = omitDuplicates([`${namespaceOf(pod.metadata)}.svc.${d}`, `svc.${d}`, d, ...searches])
      }
      options = [...DEFAULT_DNS_OPTIONS]
    } else {
      events.push({
        reason: "MissingClusterDNS",
        message: `pod: "${pod.metadata.name}_${namespaceOf(pod.metadata)}". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
      })
      type = "host"
    }
  }
  if (type === "host" && node === undefined) {
    // `--resolv-conf=""`: localhost per node IP family, search ".".
    nameservers = []
    for (const ip of settings.nodeIps ?? []) nameservers.push(ip.includes(":") ? "::1" : "127.0.0.1")
    if (nameservers.length === 0) nameservers.push("127.0.0.1")
    searches = ["."]
  }
  const extra = pod.spec.dnsConfig
  if (extra !== undefined) {
    nameservers = omitDuplicates([...nameservers, ...(extra.nameservers ?? [])])
    searches = omitDuplicates([...searches, ...(extra.searches ?? [])])
    options = mergeDnsOptions(options, extra.options ?? [])
  }
  if (nameservers.length > MAX_DNS_NAMESERVERS) {
    nameservers = nameservers.slice(0, MAX_DNS_NAMESERVERS)
    events.push({ reason: "DNSConfigForming", message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${nameservers.join(" ")}` })
  }
  const fitted = fitSearch(searches)
  if (fitted.exceeded) {
    events.push({ reason: "DNSConfigForming", message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${fitted.searches.join(" ")}` })
  }
  return { conf: { nameservers, searches: fitted.searches, options }, events }
}

/** dns.go `formDNSSearchFitsLimits`: at most 32 paths, none over 253 chars, the line at most 2048 chars. */
const fitSearch = (input: ReadonlyArray<string>): { searches: string[]; exceeded: boolean } => {
  let exceeded = false
  let s = [...input]
  if (s.length > MAX_DNS_SEARCH_PATHS) {
    s = s.slice(0, MAX_DNS_SEARCH_PATHS)
    exceeded = true
  }
  const kept = s.filter((d) => d.length <= DNS1123_SUBDOMAIN_MAX_LENGTH)
  if (kept.length !== s.length) exceeded = true
  s = kept
  const lineLen = s.join(" ").length
  if (lineLen > MAX_DNS_SEARCH_LIST_CHARS) {
    let cutNum = 0
    let cutLen = 0
    for (let i = s.length - 1; i >= 0; i--) {
      cutLen += (s[i] as string).length + 1
      cutNum++
      if (lineLen - cutLen <= MAX_DNS_SEARCH_LIST_CHARS) break
    }
    s = s.slice(0, s.length - cutNum)
    exceeded = true
  }
  return { searches: s, exceeded }
}
