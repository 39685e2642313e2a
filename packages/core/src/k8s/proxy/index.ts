export * from "./api-view"
export { type ServicePortName, type NamespacedName, makeServicePortName, namespacedName } from "./service-port-name"
export { type ServicePortInfo, newServicePortInfo } from "./service-port"
export { type Endpoint, makeEndpoint, isLocalTo, compareEndpoints } from "./endpoint"
export {
  ServiceChangeTracker,
  applyServiceChanges,
  serviceToServicePortMap,
  type ServicePortMap,
  type UpdateServiceMapResult,
} from "./service-change-tracker"
export { EndpointsChangeTracker, applyEndpointsChanges, type EndpointsMap, type UpdateEndpointsMapResult } from "./endpoints-change-tracker"
export { ProxyChangeFeed, type FeedMember } from "./change-feed"
export { categorizeEndpoints, type CategorizedEndpoints } from "./topology"
export { udpConntrackTargets, isStaleUdpEntry, type UdpConntrackTargets, type UdpConntrackEntryView } from "./conntrack-cleanup"
export {
  applyKubeProxyConntrack,
  conntrackMax,
  DEFAULT_KUBE_PROXY_CONNTRACK,
  type KubeProxyConntrackConfig,
  type NodeConntrackSysctls,
} from "./conntrack-sysctls"
export type { Proxier } from "./proxier"
export { BoundedFrequencyRunner, type RunnerFunction } from "./bounded-frequency-runner"
export { KubeProxy, type SyncResult, DEFAULT_SYNC_COST, type KubeProxyNode, type NftKubeProxyNode, type KubeProxyOptions, type RestoreOutcome, type SyncCostModel } from "./kube-proxy"
export {
  IpvsProxier,
  applyIpvsSysctls,
  type IpvsProxierConfig,
  type IpvsSyncResult,
  type ResolvedIpvsConfig,
} from "./ipvs/ipvs-proxier"
export type { IpvsKernel, IpvsKubeProxyNode } from "./ipvs/ipvs-node"
export { KUBE_IPVS0, IPSET_INFO, IPVS_JUMP_RULES } from "./ipvs/names"
export { GracefulTerminationManager, RS_CHECK_DELETE_INTERVAL } from "./ipvs/graceful-termination"
export { NftablesProxier, type NftablesProxierConfig, type NftablesRuleSink, type NftablesSyncResult } from "./nftables/nftables-proxier"
export { nftChainsFor, nftEndpointNames, hash8 as nftHash8 } from "./nftables/names"
export {
  IptablesProxier,
  FULL_SYNC_PERIOD,
  LARGE_CLUSTER_ENDPOINTS_THRESHOLD,
  type IptablesRuleSink,
  type IptablesSyncResult,
  type IptablesProxierOptions,
} from "./iptables/iptables-proxier"
export { resolveIptablesConfig, ProxyConfigError, type IptablesProxierConfig, type ResolvedIptablesConfig } from "./iptables/config"
export { IptablesRenderCache } from "./iptables/render-cache"
export { identityOf } from "./identity"
export { chainsFor as servicePortChainsOf, servicePortKeyOfChain } from "./iptables/service-rules"
export { IPTABLES_JUMP_RULES, type JumpRule } from "./iptables/jump-chains"
export { canonicalOrder, ruleComment, IptablesDumpError } from "./iptables/canonical-order"
export {
  hash16,
  servicePortChains,
  servicePortEndpointChain,
  isServiceChainName,
  type ServicePortChains,
  KUBE_SERVICES,
  KUBE_EXTERNAL_SERVICES,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_MARK_MASQ,
  KUBE_FORWARD,
  KUBE_PROXY_FIREWALL,
  KUBE_FIREWALL,
} from "./iptables/chain-names"
