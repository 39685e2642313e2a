import type { EndpointSliceView, ServiceView } from "./api-view"

/**
 * What every data-plane mode implements (pkg/proxy/types.go Provider: the ServiceHandler and
 * EndpointSliceHandler callbacks, Sync and the periodic sync). iptables first; nftables and IPVS follow on the
 * same change trackers and endpoint categorisation.
 */
export interface Proxier {
  onServiceAdd(service: ServiceView): void
  onServiceUpdate(oldService: ServiceView, service: ServiceView): void
  onServiceDelete(service: ServiceView): void
  /** The initial list of Services has been delivered (informer synced). */
  onServiceSynced(): void
  onEndpointSliceAdd(slice: EndpointSliceView): void
  onEndpointSliceUpdate(oldSlice: EndpointSliceView, slice: EndpointSliceView): void
  onEndpointSliceDelete(slice: EndpointSliceView): void
  /** The initial list of EndpointSlices has been delivered. */
  onEndpointSlicesSynced(): void
  /** Asks for a sync as soon as the rate limit allows (proxier.go Sync → BoundedFrequencyRunner.Run). */
  sync(): void
  /** Writes the rules now (proxier.go syncProxyRules); the runner calls this. */
  syncProxyRules(): void
}
