import { hash16 } from "../iptables/chain-names"
import type { Endpoint } from "../endpoint"
import type { ServicePortInfo } from "../service-port"

/** pkg/proxy/nftables/proxier.go: the table and its fixed chains, sets and maps. */
export const KUBE_PROXY_TABLE = "kube-proxy"
export const SERVICES_CHAIN = "services"
export const SERVICE_IPS_MAP = "service-ips"
export const SERVICE_NODEPORTS_MAP = "service-nodeports"
export const CLUSTER_IPS_SET = "cluster-ips"
export const NODEPORT_IPS_SET = "nodeport-ips"
export const CLUSTER_IPS_CHECK_CHAIN = "cluster-ips-check"
export const SERVICE_ENDPOINTS_CHECK_CHAIN = "service-endpoints-check"
export const NODEPORT_ENDPOINTS_CHECK_CHAIN = "nodeport-endpoints-check"
export const NO_ENDPOINT_SERVICES_MAP = "no-endpoint-services"
export const NO_ENDPOINT_NODEPORTS_MAP = "no-endpoint-nodeports"
export const REJECT_CHAIN = "reject-chain"
export const FIREWALL_IPS_MAP = "firewall-ips"
export const FIREWALL_CHECK_CHAIN = "firewall-check"
export const MARK_MASQ_CHAIN = "mark-for-masquerade"
export const MASQUERADING_CHAIN = "masquerading"

/**
 * The first 8 characters of base32(SHA-256(s)) (proxier.go hashAndTruncate): the first 40 bits of the digest,
 * i.e. the first half of the iptables mode's 16-character hash.
 */
export const hash8 = (s: string): string => hash16(s).slice(0, 8)

// knftables.NameLengthMax (256) minus room for the longest prefix and a NUL.
const MAX_BASE = 240

/** proxier.go hashAndTruncate: `<hash8>-<name>`, cut to 237 characters plus "..." when longer than 240. */
export const hashAndTruncate = (name: string): string => {
  const s = `${hash8(name)}-${name}`
  return s.length > MAX_BASE ? `${s.slice(0, MAX_BASE - 3)}...` : s
}

/** proxier.go servicePortChainNameBase: `namespace/name/protocol/portName` (an empty port name stays as ""). */
export const servicePortChainNameBase = (svc: ServicePortInfo): string =>
  hashAndTruncate(`${svc.name.namespace}/${svc.name.name}/${svc.protocolLower}/${svc.name.port}`)

/** proxier.go servicePortEndpointChainNameBase: the service base + `__<ip>/<port>` (IPv6 colons become dots). */
export const servicePortEndpointChainNameBase = (svc: ServicePortInfo, ep: Endpoint): string =>
  hashAndTruncate(`${svc.name.namespace}/${svc.name.name}/${svc.protocolLower}/${svc.name.port}__${ep.ip.replace(/:/g, ".")}/${ep.port}`)

/** The chain names of one service port (proxier.go newServiceInfo). */
export interface NftServiceChains {
  readonly cluster: string
  readonly local: string
  readonly external: string
  readonly firewall: string
}

const chainsOf = new WeakMap<ServicePortInfo, NftServiceChains>()
const endpointNamesOf = new WeakMap<ServicePortInfo, Map<string, { chain: string; affinity: string }>>()

export const nftChainsFor = (svc: ServicePortInfo): NftServiceChains => {
  let c = chainsOf.get(svc)
  if (c === undefined) {
    const base = servicePortChainNameBase(svc)
    c = { cluster: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` }
    chainsOf.set(svc, c)
  }
  return c
}

/** proxier.go newEndpointInfo: `endpoint-<base>` chain and `affinity-<base>` set. */
export const nftEndpointNames = (svc: ServicePortInfo, ep: Endpoint): { chain: string; affinity: string } => {
  let m = endpointNamesOf.get(svc)
  if (m === undefined) endpointNamesOf.set(svc, (m = new Map()))
  let n = m.get(ep.text)
  if (n === undefined) {
    const base = servicePortEndpointChainNameBase(svc, ep)
    m.set(ep.text, (n = { chain: `endpoint-${base}`, affinity: `affinity-${base}` }))
  }
  return n
}

const SERVICE_CHAIN = /^(service|local|external|firewall|endpoint)-[A-Z2-7]{8}-/

/**
 * proxier.go isServiceChainName: the per-service chains kube-proxy flushes and deletes when stale — a prefix,
 * then the 8-character hash and a dash (so `service-endpoints-check` and `firewall-check` are not among them).
 */
export const isNftServiceChainName = (chain: string): boolean => SERVICE_CHAIN.test(chain)

/** proxier.go isAffinitySetName. */
export const isAffinitySetName = (set: string): boolean => set.startsWith("affinity-")
