import type { Nanos } from "../../sim/index"
import { ClusterZoneIndex, CorednsServer, UpstreamZone, kubeadmKubernetesStanza, parseUpstreamRecords } from "../../dns/index"
import type { ApiStore } from "../store/index"

/**
 * CoreDNS' view of the cluster: one `ClusterZoneIndex` fed by watches on Namespaces, Services, EndpointSlices and
 * Pods (CoreDNS' informers, with their lag), behind kubeadm's Corefile (`kubernetes cluster.local in-addr.arpa
 * ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`, then `forward . /etc/resolv.conf`).
 * Every CoreDNS replica answers from this one view (each real replica has its own informers; with one lag they
 * hold the same state).
 */
export const clusterDns = (store: ApiStore, watchDelay: Nanos, clusterDomain: string, upstreamZone: string): { server: CorednsServer; upstream: UpstreamZone } => {
  const index = new ClusterZoneIndex()
  const upstream = new UpstreamZone(parseUpstreamRecords(upstreamZone, "upstreamDns.zone"))
  const server = new CorednsServer(index, kubeadmKubernetesStanza(clusterDomain), upstream)
  const secs = (): number => Math.floor(store.sim.now / 1e9)
  const o = { delay: watchDelay, sendInitialEvents: true }
  store.watch("Namespace", (e) => (e.type === "DELETED" ? index.deleteNamespace(e.object.metadata.name, secs()) : index.setNamespace(e.object.metadata.name, secs())), o)
  store.watch("Service", (e) => (e.type === "DELETED" ? index.deleteService(e.object.metadata.namespace ?? "default", e.object.metadata.name, secs()) : index.setService(e.object, secs())), o)
  store.watch(
    "EndpointSlice",
    (e) => (e.type === "DELETED" ? index.deleteEndpointSlice(e.object.metadata.namespace ?? "default", e.object.metadata.name, secs()) : index.setEndpointSlice(e.object, secs())),
    o,
  )
  store.watch("Pod", (e) => (e.type === "DELETED" ? index.deletePod(e.object.metadata.namespace ?? "default", e.object.metadata.name, secs()) : index.setPod(e.object, secs())), o)
  return { server, upstream }
}
