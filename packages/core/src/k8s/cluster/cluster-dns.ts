import type { Nanos } from "../../sim/index"
import { ClusterZoneIndex, type Corefile, CorednsCache, CorednsServer, UpstreamZone, kubeadmCorefile, parseUpstreamRecords } from "../../dns/index"
import type { ApiStore, Watch } from "../store/index"
import { later } from "../kubelet/index"

/** One CoreDNS process: its own informers' view, its own `cache`; `stop` ends its watches. */
export interface CorednsReplica {
  readonly server: CorednsServer
  readonly cache: CorednsCache | null
  readonly corefile: Corefile
  stop(): void
}

/** CoreDNS for the cluster: the shared view `kubesim exec … nslookup` asks, and a factory of per-pod replicas. */
export interface ClusterDns {
  /** A view fed from the start of the run (the answers `exec nslookup` gives; no cache). */
  readonly server: CorednsServer
  readonly upstream: UpstreamZone
  readonly corefile: Corefile
  /** Starts a CoreDNS process (a `coredns` container): new informers listing everything, after the watch lag. */
  startReplica(): CorednsReplica
}

/**
 * CoreDNS' view of the cluster: a `ClusterZoneIndex` fed by watches on Namespaces, Services, EndpointSlices and
 * Pods (CoreDNS' informers, with their lag), behind kubeadm's Corefile (`kubeadmCorefile`). Each CoreDNS pod is
 * its own process with its own informers (started when its container starts: a fresh list, then the watch) and
 * its own cache, as real replicas are: right after a change, or after a replica restarts, replicas can disagree.
 * Until its informers have listed, a replica's plugin is unsynced (SERVFAIL instead of NXDOMAIN, handler.go).
 */
export const clusterDns = (store: ApiStore, watchDelay: Nanos, clusterDomain: string, upstreamZone: string): ClusterDns => {
  const upstream = new UpstreamZone(parseUpstreamRecords(upstreamZone, "upstreamDns.zone"))
  const corefile = kubeadmCorefile(clusterDomain)
  const view = (): { index: ClusterZoneIndex; watches: Watch[] } => {
    const index = new ClusterZoneIndex()
    const secs = (): number => Math.floor(store.sim.now / 1e9)
    const o = { delay: watchDelay, sendInitialEvents: true }
    const watches = [
      store.watch("Namespace", (e) => (e.type === "DELETED" ? index.deleteNamespace(e.object.metadata.name, secs()) : index.setNamespace(e.object.metadata.name, secs())), o),
      store.watch("Service", (e) => (e.type === "DELETED" ? index.deleteService(e.object.metadata.namespace ?? "default", e.object.metadata.name, secs()) : index.setService(e.object, secs())), o),
      store.watch(
        "EndpointSlice",
        (e) => (e.type === "DELETED" ? index.deleteEndpointSlice(e.object.metadata.namespace ?? "default", e.object.metadata.name, secs()) : index.setEndpointSlice(e.object, secs())),
        o,
      ),
      store.watch("Pod", (e) => (e.type === "DELETED" ? index.deletePod(e.object.metadata.namespace ?? "default", e.object.metadata.name, secs()) : index.setPod(e.object, secs())), o),
    ]
    return { index, watches }
  }
  const shared = view()
  return {
    server: new CorednsServer(shared.index, corefile.kubernetes, upstream),
    upstream,
    corefile,
    startReplica: () => {
      const { index, watches } = view()
      const server = new CorednsServer(index, corefile.kubernetes, upstream)
      // The initial lists arrive `watchDelay` from now; this timer, scheduled after them, runs after them.
      server.plugin.setSynced(false)
      const synced = later(store.sim, watchDelay, () => server.plugin.setSynced(true))
      return {
        server,
        cache: corefile.cache === null ? null : new CorednsCache(corefile.cache),
        corefile,
        stop: () => {
          store.sim.cancel(synced)
          for (const w of watches) w.stop()
        },
      }
    },
  }
}
