export type {
  EndpointSliceView,
  EndpointView,
  NamespaceView,
  ObjectMetaView,
  PodDnsConfigView,
  PodView,
  ServicePortView,
  ServiceView,
} from "./cluster-view"
export { SERVICE_NAME_LABEL, namespaceOf } from "./cluster-view"
export { type DnsAnswer, type DnsQuestion, type Rcode, type ResourceRecord, type RrType, answerAddresses, formatRr, isNoData } from "./dns-message"
export { canonicalName, countDots, fqdn, isSubdomain } from "./dns-name"
export { addressFromReverse, canonicalIp, dashedIp, reverseName } from "./ip-text"
export { ClusterZoneIndex, type EndpointsRecord, isHeadless, serviceClusterIps } from "./cluster-zone-index"
export {
  DNS_SCHEMA_VERSION,
  FALLTHROUGH,
  KubernetesPlugin,
  type KubernetesPluginConfig,
  type PodsMode,
  corednsPluginDefaults,
  kubeadmKubernetesStanza,
} from "./kubernetes-plugin"
export { UpstreamZone, UpstreamZoneError, parseUpstreamRecords } from "./upstream-zone"
export { CorednsServer, type DnsResponder } from "./coredns-server"
export { CorednsCache, type CorednsCacheConfig, corefileCache } from "./coredns-cache"
export { type Corefile, KUBEADM_MINOR, kubeadmCorefile } from "./corefile"
export { loadbalanceAnswer } from "./loadbalance"
export { type ResolvConf, type ResolverFlavour, type ResolverOptions, parseResolvConf, renderResolvConf, resolverOptions } from "./resolv-conf"
export { DEFAULT_DNS_OPTIONS, type KubeletDnsSettings, type PodDnsResult, resolvConfFor } from "./kubelet-resolv-conf"
export type { AddressFamily, LookupResult, LookupStatus, ResolverQuery, ResolverSend, ResolverStep, StubLookup } from "./lookup-types"
export { MuslLookup } from "./musl-lookup"
export { GlibcLookup } from "./glibc-lookup"
export { startLookup } from "./stub-resolver"
export { DnsCache } from "./dns-cache"
export { type AnswerFn, type SentQuery, type SyncLookupOutcome, resolveSync } from "./resolve-sync"
export { type NslookupPlan, type NslookupReply, formatNslookup, nslookupPlan, nslookupSync } from "./busybox-nslookup"
