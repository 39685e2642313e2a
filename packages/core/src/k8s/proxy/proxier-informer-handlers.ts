import { NANOS_PER_HOUR, type Nanos } from "../../sim/index"
import type { EndpointSliceView, ServiceView } from "./api-view"
import { udpConntrackTargets, type UdpConntrackTargets } from "./conntrack-cleanup"
import type { ProxyChangeFeed, Subscription } from "./change-feed"
import { applyEndpointsChanges, EndpointsChangeTracker, type EndpointsChangeSource, type EndpointsMap, type UpdateEndpointsMapResult } from "./endpoints-change-tracker"
import type { Proxier } from "./proxier"
import { applyServiceChanges, ServiceChangeTracker, type ServiceChangeSource, type ServicePortMap, type UpdateServiceMapResult } from "./service-change-tracker"
import type { ProxyState, ProxyStateStore, ProxyTransition } from "./shared-state"

/** pkg/proxy/util FullSyncPeriod: a full resync at least hourly. */
export const FULL_SYNC_PERIOD: Nanos = NANOS_PER_HOUR

/** How a proxier reaches the kube-proxy process's sync runner (BoundedFrequencyRunner). */
export interface ProxierRunnerHooks {
  /** Called when a change needs a sync (the kube-proxy process routes it to its BoundedFrequencyRunner). */
  readonly requestSync?: () => void
  /** How the informers' synced callbacks run their one direct sync (default: syncProxyRules here and now). */
  readonly syncNow?: () => void
  /** Called when a sync failed: retry no later than `after` (BoundedFrequencyRunner.RetryAfter). */
  readonly retryAfter?: (after: Nanos) => void
  /** Until when another `requestSync` would do nothing (BoundedFrequencyRunner.quietUntil); default: never quiet. */
  readonly quietUntil?: () => Nanos
}

/** The configuration fields the shared part reads. */
export interface ProxierCoreConfig {
  readonly nodeName: string
  readonly syncPeriod: Nanos
}

/** What every mode's sink offers besides writing rules. */
export interface ProxierConntrackSink {
  /**
   * Called after a successful sync when a UDP service port's endpoints changed
   * (UpdateEndpointsMapResult.ConntrackCleanupRequired): reconcile UDP conntrack (conntrack/cleanup.go).
   */
  cleanConntrack?(targets: UdpConntrackTargets): void
}

/** What one syncProxyRules call did, in every mode (each mode's result adds its payload and own figures). */
export interface ProxierSyncFigures {
  readonly fullSync: boolean
  readonly success: boolean
  readonly error: string | undefined
  readonly servicePorts: number
  readonly endpoints: number
  readonly deletedChains: number
  readonly noLocalEndpointsInternal: number
  readonly noLocalEndpointsExternal: number
}

/**
 * What the iptables and nftables proxiers share: the informer callbacks and the change trackers they feed.
 * Upstream each mode has its own copy of these handlers (pkg/proxy/iptables/proxier.go and
 * pkg/proxy/nftables/proxier.go: OnServiceAdd/Update/Delete, OnServiceSynced, OnEndpointSlice*,
 * OnEndpointSlicesSynced, isInitialized, Sync), all on pkg/proxy's ServiceChangeTracker and
 * EndpointsChangeTracker; here they are written once. A mode supplies syncProxyRules.
 */
export abstract class ProxierCore<Config extends ProxierCoreConfig, Figures extends ProxierSyncFigures> implements Proxier {
  /** The proxier's own trackers, fed by its informer callbacks (unless it is a member of a shared feed). */
  private ownServiceChanges = new ServiceChangeTracker()
  private ownEndpointsChanges: EndpointsChangeTracker
  /** Where syncProxyRules checks changes out of: the own trackers, or the shared feed. */
  protected serviceChanges: ServiceChangeSource
  protected endpointsChanges: EndpointsChangeSource
  private subscription: Subscription | undefined
  private readonly ownSvcPortMap: ServicePortMap = new Map()
  private readonly ownEndpointsMap: EndpointsMap = new Map()
  /** With a shared store: the state this proxier's last sync applied (its maps are the store's, immutable). */
  protected state: ProxyState | undefined
  /** With a shared store: the step the last sync took (its memo holds what the sync derived from it). */
  protected transition: ProxyTransition | undefined
  private servicesSynced = false
  private endpointSlicesSynced = false
  /** proxier.go needFullSync: the first sync, and any after a failed one, rewrites everything. */
  protected needFullSync = true
  protected lastFullSync = -Infinity
  /** The last sync's figures (without its payload, which can be megabytes per node). */
  lastResult: Figures | undefined

  constructor(
    readonly config: Config,
    private readonly hooks: ProxierRunnerHooks,
    /** Share the ServicePortMap / EndpointsMap (and what a mode derives from them) with other nodes' proxiers. */
    private readonly stateStore?: ProxyStateStore,
  ) {
    this.ownEndpointsChanges = new EndpointsChangeTracker(config.nodeName)
    this.serviceChanges = this.ownServiceChanges
    this.endpointsChanges = this.ownEndpointsChanges
    if (stateStore !== undefined) {
      this.state = stateStore.empty
      stateStore.move(undefined, this.state)
    }
  }

  /** All ports of all Services as of the last sync (ServicePortMap); read-only. */
  get svcPortMap(): ServicePortMap {
    return this.state?.svcPortMap ?? this.ownSvcPortMap
  }
  /** The endpoints of every service port as of the last sync (EndpointsMap); read-only. */
  get endpointsMap(): EndpointsMap {
    return this.state?.endpointsMap ?? this.ownEndpointsMap
  }

  /** The keys of `svcPortMap` in sorted order (shared by every proxier in the same state). */
  get sortedServiceKeys(): ReadonlyArray<string> {
    return this.state?.sortedKeys ?? [...this.ownSvcPortMap.keys()].sort()
  }

  /**
   * The start of syncProxyRules: `serviceUpdateResult := proxier.svcPortMap.Update(proxier.serviceChanges)` and
   * `endpointUpdateResult := proxier.endpointsMap.Update(proxier.endpointsChanges)`; with a shared store the
   * step is taken once for every proxier making it (`this.state` / `this.transition` then say where it led).
   */
  protected applyChanges(): { readonly serviceUpdate: UpdateServiceMapResult; readonly endpointUpdate: UpdateEndpointsMapResult } {
    const store = this.stateStore
    const from = this.state
    if (store === undefined || from === undefined) {
      return {
        serviceUpdate: applyServiceChanges(this.ownSvcPortMap, this.serviceChanges),
        endpointUpdate: applyEndpointsChanges(this.ownEndpointsMap, this.endpointsChanges),
      }
    }
    const t = store.advance(from, this.serviceChanges.checkout(), this.endpointsChanges.checkout())
    store.move(from, t.to)
    this.state = t.to
    this.transition = t
    return t
  }

  /** proxier.go syncProxyRules: a mode writes its rules from svcPortMap and endpointsMap. */
  abstract syncProxyRules(): unknown

  /** proxier.go isInitialized: both informers have delivered their initial lists. */
  get initialized(): boolean {
    return this.servicesSynced && this.endpointSlicesSynced
  }

  /**
   * From now on the changes come from `feed` (shared with the other nodes hearing the same events) instead of this
   * proxier's informer callbacks. Call before any callback has been delivered.
   */
  joinFeed(feed: ProxyChangeFeed): void {
    if (this.subscription !== undefined) return
    const quiet = this.hooks.quietUntil
    const sub = feed.join({
      nodeName: this.config.nodeName,
      changed: () => {
        if (!this.initialized) return -Infinity
        this.sync()
        return quiet === undefined ? -Infinity : quiet()
      },
    })
    this.subscription = sub
    this.serviceChanges = sub.services
    this.endpointsChanges = sub.endpoints
  }

  /** The runner was held outside its loop (a direct sync): the feed must ask this proxier again on every change. */
  rearm(): void {
    this.subscription?.arm()
  }

  /** Leaves the feed: the proxier's own trackers take over what it has not synced yet. */
  leaveFeed(feed: ProxyChangeFeed): void {
    const sub = this.subscription
    if (sub === undefined) return
    this.subscription = undefined
    const own = feed.leave(sub)
    this.ownServiceChanges = own.services
    this.ownEndpointsChanges = own.endpoints
    this.serviceChanges = own.services
    this.endpointsChanges = own.endpoints
  }

  onServiceAdd(service: ServiceView): void {
    this.serviceUpdate(undefined, service)
  }
  onServiceUpdate(oldService: ServiceView, service: ServiceView): void {
    this.serviceUpdate(oldService, service)
  }
  onServiceDelete(service: ServiceView): void {
    this.serviceUpdate(service, undefined)
  }
  private serviceUpdate(previous: ServiceView | undefined, current: ServiceView | undefined): void {
    if (this.ownServiceChanges.update(previous, current) && this.initialized) this.sync()
  }
  onServiceSynced(): void {
    this.servicesSynced = true
    // Synced callbacks sync unconditionally, once per lifetime.
    this.syncDirect()
  }
  onEndpointSliceAdd(slice: EndpointSliceView): void {
    if (this.ownEndpointsChanges.endpointSliceUpdate(slice, false) && this.initialized) this.sync()
  }
  onEndpointSliceUpdate(_oldSlice: EndpointSliceView, slice: EndpointSliceView): void {
    if (this.ownEndpointsChanges.endpointSliceUpdate(slice, false) && this.initialized) this.sync()
  }
  onEndpointSliceDelete(slice: EndpointSliceView): void {
    if (this.ownEndpointsChanges.endpointSliceUpdate(slice, true) && this.initialized) this.sync()
  }
  onEndpointSlicesSynced(): void {
    this.endpointSlicesSynced = true
    this.syncDirect()
  }

  private syncDirect(): void {
    if (this.hooks.syncNow !== undefined) this.hooks.syncNow()
    else this.syncProxyRules()
  }

  /** proxier.go Sync: ask the runner for a sync as soon as its rate limit allows. */
  sync(): void {
    this.hooks.requestSync?.()
  }

  /** proxier.go syncProxyRules: `doFullSync := proxier.needFullSync || (time.Since(proxier.lastFullSync) > proxyutil.FullSyncPeriod)`. */
  protected fullSyncDue(now: Nanos): boolean {
    return this.needFullSync || now - this.lastFullSync > FULL_SYNC_PERIOD
  }

  /**
   * The end of syncProxyRules, after the mode's own bookkeeping. On success: `if
   * endpointUpdateResult.ConntrackCleanupRequired { conntrack.CleanStaleEntries(...) }` after the kernel took the
   * rules (a Service change alone does not clean: flows keep their endpoint). On failure the change trackers are
   * already drained, so only a full sync can recover, within syncPeriod
   * (`proxier.syncRunner.RetryAfter(proxier.syncPeriod)`).
   */
  protected finishSync(
    success: boolean,
    doFullSync: boolean,
    now: Nanos,
    conntrackCleanupRequired: boolean,
    sink: ProxierConntrackSink,
  ): void {
    if (success) {
      this.needFullSync = false
      if (doFullSync) this.lastFullSync = now
      if (conntrackCleanupRequired) sink.cleanConntrack?.(udpConntrackTargets(this.svcPortMap, this.endpointsMap))
    } else {
      this.needFullSync = true
      this.hooks.retryAfter?.(this.config.syncPeriod)
    }
  }

  /**
   * The sink applies payloads later (as the simulated iptables-restore / nft finishes) and the kernel refused
   * this one: the same recovery as a refusal at sync time — the next sync is a full one, within syncPeriod
   * (proxier.go syncProxyRules: `proxier.syncRunner.RetryAfter(proxier.syncPeriod)`).
   */
  restoreFailed(error: string): void {
    this.needFullSync = true
    if (this.lastResult !== undefined) this.lastResult = { ...this.lastResult, success: false, error }
    this.hooks.retryAfter?.(this.config.syncPeriod)
  }
}
