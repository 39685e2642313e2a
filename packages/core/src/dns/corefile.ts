import { type CorednsCacheConfig, corefileCache } from "./coredns-cache"
import { type KubernetesPluginConfig, kubeadmKubernetesStanza } from "./kubernetes-plugin"

/** The parts of a CoreDNS server block that shape answers: the `kubernetes` stanza, `cache`, `loadbalance`. */
export interface Corefile {
  readonly kubernetes: KubernetesPluginConfig
  /** null: no `cache` plugin. */
  readonly cache: CorednsCacheConfig | null
  /** `loadbalance` (policy round_robin). */
  readonly loadbalance: boolean
}

/**
 * The kubeadm release whose CoreDNS kubesim runs: kubeadm 1.29 and 1.30 install coredns v1.11.1 (kubesim's
 * `corednsImage`; 1.31 moved to v1.11.3).
 */
export const KUBEADM_MINOR = 30

/**
 * kubeadm's default Corefile (kubernetes cmd/kubeadm/app/phases/addons/dns/manifests.go `CoreDNSConfigMap`):
 * `kubernetes <domain> in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`,
 * `forward . /etc/resolv.conf`, `cache 30`, `loadbalance`. From kubeadm 1.32 (kubernetes/kubernetes#128359) the
 * cache block holds `disable success <domain>` and `disable denial <domain>`: the cluster domain's answers are no
 * longer cached; before it they were, for up to 30 s per CoreDNS replica.
 */
export const kubeadmCorefile = (clusterDomain = "cluster.local", kubeadmMinor = KUBEADM_MINOR): Corefile => ({
  kubernetes: kubeadmKubernetesStanza(clusterDomain),
  cache: corefileCache(30, kubeadmMinor >= 32 ? [clusterDomain] : []),
  loadbalance: true,
})
