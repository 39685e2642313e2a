import { createHash } from "node:crypto"

/** Chain names kube-proxy's iptables mode uses (pkg/proxy/iptables/proxier.go constants). */
export const KUBE_SERVICES = "KUBE-SERVICES"
export const KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES"
export const KUBE_NODEPORTS = "KUBE-NODEPORTS"
export const KUBE_POSTROUTING = "KUBE-POSTROUTING"
export const KUBE_MARK_MASQ = "KUBE-MARK-MASQ"
export const KUBE_FORWARD = "KUBE-FORWARD"
export const KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL"
export const KUBE_PROXY_CANARY = "KUBE-PROXY-CANARY"
/** kubelet's firewall chain, duplicated by kube-proxy (proxier.go kubeletFirewallChain). */
export const KUBE_FIREWALL = "KUBE-FIREWALL"

const SVC = "KUBE-SVC-"
const SVL = "KUBE-SVL-"
const FW = "KUBE-FW-"
const EXT = "KUBE-EXT-"
const SEP = "KUBE-SEP-"

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/**
 * The first 16 characters of RFC 4648 base32 (standard alphabet) of SHA-256(s): proxier.go portProtoHash.
 * 16 base32 characters are exactly the first 80 bits (10 bytes) of the digest, so no padding is involved.
 */
export const hash16 = (s: string): string => {
  const d = createHash("sha256").update(s, "utf8").digest()
  let out = ""
  let buffer = 0
  let bits = 0
  for (let i = 0; i < 10; i++) {
    buffer = ((buffer << 8) | (d[i] as number)) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += BASE32[(buffer >> bits) & 31]
    }
  }
  return out
}

/** The four per-service-port chain names, which share one hash of `<ServicePortName><protocol>`. */
export interface ServicePortChains {
  /** KUBE-SVC-*: Cluster-policy endpoints (proxier.go servicePortPolicyClusterChain). */
  readonly cluster: string
  /** KUBE-SVL-*: Local-policy endpoints (servicePortPolicyLocalChainName). */
  readonly local: string
  /** KUBE-FW-*: loadBalancerSourceRanges filter (serviceFirewallChainName). */
  readonly firewall: string
  /** KUBE-EXT-*: external destinations (serviceExternalChainName). */
  readonly external: string
}

/** proxier.go newServiceInfo: chain names from `ns/name:port` + lower-case protocol. */
export const servicePortChains = (servicePortName: string, protocolLower: string): ServicePortChains => {
  const h = hash16(servicePortName + protocolLower)
  return { cluster: SVC + h, local: SVL + h, firewall: FW + h, external: EXT + h }
}

/** proxier.go servicePortEndpointChainName: KUBE-SEP- + hash of `<ServicePortName><protocol><ip:port>`. */
export const servicePortEndpointChain = (servicePortName: string, protocolLower: string, endpoint: string): string =>
  SEP + hash16(servicePortName + protocolLower + endpoint)

/** proxier.go isServiceChainName: the chains kube-proxy owns per service, deleted when stale. */
export const isServiceChainName = (chain: string): boolean =>
  chain.startsWith(SVC) || chain.startsWith(SVL) || chain.startsWith(SEP) || chain.startsWith(FW) || chain.startsWith(EXT)
