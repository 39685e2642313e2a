import { ClusterZoneIndex } from "./cluster-zone-index"
import type { DnsAnswer, DnsQuestion } from "./dns-message"
import { FALLTHROUGH, KubernetesPlugin, type KubernetesPluginConfig, kubeadmKubernetesStanza } from "./kubernetes-plugin"
import { UpstreamZone } from "./upstream-zone"

/** Anything that answers a question: the upstream the `forward` plugin relays to. */
export interface DnsResponder {
  answer(q: DnsQuestion): DnsAnswer
}

/**
 * One CoreDNS server block as kubeadm configures it: the `kubernetes` plugin for the cluster domain and the
 * reverse zones, then `forward . /etc/resolv.conf` for everything else and for what the plugin lets fall
 * through. CNAMEs of ExternalName Services are chased through this whole chain, as the plugin's `upstream`
 * does (coredns `plugin/pkg/upstream/upstream.go`). `cache` and `loadbalance` act on the replies of a served
 * CoreDNS pod (apps/dns-server.ts with `coredns-cache.ts`, `loadbalance.ts`); this in-memory chain has neither.
 */
export class CorednsServer {
  readonly plugin: KubernetesPlugin

  constructor(
    readonly index: ClusterZoneIndex = new ClusterZoneIndex(),
    config: KubernetesPluginConfig = kubeadmKubernetesStanza(),
    readonly upstream: DnsResponder = new UpstreamZone(),
  ) {
    this.plugin = new KubernetesPlugin(index, config)
  }

  private readonly lookup = (q: DnsQuestion): DnsAnswer => this.answer(q)

  answer(q: DnsQuestion): DnsAnswer {
    const a = this.plugin.serve(q, this.lookup)
    if (a !== FALLTHROUGH) return a
    return this.upstream.answer(q)
  }
}
