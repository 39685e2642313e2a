import { NANOS_PER_HOUR, type Nanos } from "../../../sim/index"
import type { EndpointSliceView, ServiceView } from "../api-view"
import { udpConntrackTargets, type UdpConntrackTargets } from "../conntrack-cleanup"
import { applyEndpointsChanges, EndpointsChangeTracker, type EndpointsMap } from "../endpoints-change-tracker"
import type { Proxier } from "../proxier"
import { applyServiceChanges, ServiceChangeTracker, type ServicePortMap } from "../service-change-tracker"
import {
  isServiceChainName,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from "./chain-names"
import { resolveIptablesConfig, type IptablesProxierConfig, type ResolvedIptablesConfig } from "./config"
import { IPTABLES_JUMP_RULES, type JumpRule } from "./jump-chains"
import { IptablesRenderCache } from "./render-cache"
import { chainLine } from "./service-rules"

/** proxier.go largeClusterEndpointsThreshold. */
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000
/** pkg/proxy/util FullSyncPeriod: a full resync at least hourly. */
export const FULL_SYNC_PERIOD: Nanos = NANOS_PER_HOUR

/**
 * Where the proxier's output goes: the node's netfilter. `restore` applies the payload as
 * `iptables-restore --noflush --counters` would (and, on full syncs, first ensures `jumpRules`); it throws if
 * the kernel rejects the payload, which makes the proxier retry after syncPeriod with a full sync.
 */
export interface IptablesRuleSink {
  restore(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined): void
  /** `iptables-save -t nat` chain names; if absent the proxier remembers what it created. */
  natChains?(): Iterable<string>
  /**
   * Called after a successful restore when a UDP service port's endpoints changed
   * (UpdateEndpointsMapResult.ConntrackCleanupRequired): reconcile UDP conntrack (conntrack/cleanup.go).
   */
  cleanConntrack?(targets: UdpConntrackTargets): void
}

/** What one syncProxyRules call did. */
export interface IptablesSyncResult {
  readonly fullSync: boolean
  /** The restore payload (both tables), as kube-proxy hands it to iptables-restore. */
  readonly payload: string
  readonly success: boolean
  readonly error: string | undefined
  readonly largeClusterMode: boolean
  readonly servicePorts: number
  readonly endpoints: number
  /** sync_proxy_rules_iptables_last{table="filter"} / {table="nat"}. */
  readonly filterRulesLast: number
  readonly natRulesLast: number
  /** sync_proxy_rules_iptables_total{table="nat"}: rules in the table after this sync. */
  readonly natRulesTotal: number
  readonly deletedChains: number
  readonly noLocalEndpointsInternal: number
  readonly noLocalEndpointsExternal: number
}

export interface IptablesProxierOptions {
  /** The simulated clock, for FullSyncPeriod and the large-cluster stale-chain GC interval. */
  readonly now: () => Nanos
  readonly sink: IptablesRuleSink
  /** Share rendered rules between the proxiers of many nodes (default: a private cache). */
  readonly renderCache?: IptablesRenderCache
  /** Called when a change needs a sync (the kube-proxy process routes it to its BoundedFrequencyRunner). */
  readonly requestSync?: () => void
  /**
   * How the informers' synced callbacks run their one direct sync (default: syncProxyRules here and now); the
   * kube-proxy process routes it through its timing model.
   */
  readonly syncNow?: () => void
  /** Called when a sync failed: retry no later than `after` (BoundedFrequencyRunner.RetryAfter). */
  readonly retryAfter?: (after: Nanos) => void
}

/**
 * kube-proxy's iptables mode for one node and the IPv4 family: pkg/proxy/iptables/proxier.go Proxier.
 * Output (the restore payload) is byte-identical to upstream's, modulo the order of services, which upstream
 * takes from Go map iteration (random) and this proxier from the sorted ServicePortName (deterministic).
 */
export class IptablesProxier implements Proxier {
  readonly config: ResolvedIptablesConfig
  private readonly serviceChanges = new ServiceChangeTracker()
  private readonly endpointsChanges: EndpointsChangeTracker
  readonly svcPortMap: ServicePortMap = new Map()
  readonly endpointsMap: EndpointsMap = new Map()
  private sortedKeys: string[] | undefined = []
  private servicesSynced = false
  private endpointSlicesSynced = false
  private needFullSync = true
  private lastFullSync = -Infinity
  private lastIPTablesCleanup = -Infinity
  /** Service chains believed to exist in the kernel's nat table (when the sink cannot list them). */
  private readonly knownNatChains = new Set<string>()
  private readonly cache: IptablesRenderCache
  /** The last sync's figures (without its payload, which can be megabytes per node). */
  lastResult: Omit<IptablesSyncResult, "payload"> | undefined

  constructor(config: IptablesProxierConfig, private readonly options: IptablesProxierOptions) {
    this.config = resolveIptablesConfig(config)
    this.endpointsChanges = new EndpointsChangeTracker(this.config.nodeName)
    this.cache = options.renderCache ?? new IptablesRenderCache()
  }

  get initialized(): boolean {
    return this.servicesSynced && this.endpointSlicesSynced
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
    if (this.serviceChanges.update(previous, current) && this.initialized) this.sync()
  }
  onServiceSynced(): void {
    this.servicesSynced = true
    // Synced callbacks sync unconditionally, once per lifetime.
    this.syncDirect()
  }
  onEndpointSliceAdd(slice: EndpointSliceView): void {
    if (this.endpointsChanges.endpointSliceUpdate(slice, false) && this.initialized) this.sync()
  }
  onEndpointSliceUpdate(_oldSlice: EndpointSliceView, slice: EndpointSliceView): void {
    if (this.endpointsChanges.endpointSliceUpdate(slice, false) && this.initialized) this.sync()
  }
  onEndpointSliceDelete(slice: EndpointSliceView): void {
    if (this.endpointsChanges.endpointSliceUpdate(slice, true) && this.initialized) this.sync()
  }
  onEndpointSlicesSynced(): void {
    this.endpointSlicesSynced = true
    this.syncDirect()
  }

  private syncDirect(): void {
    if (this.options.syncNow !== undefined) this.options.syncNow()
    else this.syncProxyRules()
  }

  sync(): void {
    this.options.requestSync?.()
  }

  /** proxier.go forceSyncProxyRules: the canary chain vanished or node topology changed. */
  forceSyncProxyRules(): void {
    this.needFullSync = true
    this.syncProxyRules()
  }

  /** proxier.go syncProxyRules. Returns undefined before both informers have synced (no rules are written). */
  syncProxyRules(): IptablesSyncResult | undefined {
    if (!this.initialized) return undefined
    const cfg = this.config
    const now = this.options.now()
    const doFullSync = this.needFullSync || now - this.lastFullSync > FULL_SYNC_PERIOD

    const serviceUpdate = applyServiceChanges(this.svcPortMap, this.serviceChanges)
    const endpointUpdate = applyEndpointsChanges(this.endpointsMap, this.endpointsChanges)
    if (serviceUpdate.updatedServices.size > 0) this.sortedKeys = undefined

    const filterChains: string[] = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL].map(chainLine)
    const filterRules: string[] = []
    const natChains: string[] = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ].map(chainLine)
    const natRules: string[] = []
    const mark = cfg.masqueradeMark

    // The kubernetes-specific postrouting and mark chains, whole, so a mark change is one flush away.
    natRules.push(`-A ${KUBE_POSTROUTING} -m mark ! --mark ${mark}/${mark} -j RETURN`)
    // Clear the mark so a packet re-traversing the stack is not masqueraded twice.
    natRules.push(`-A ${KUBE_POSTROUTING} -j MARK --xor-mark ${mark}`)
    natRules.push(
      `-A ${KUBE_POSTROUTING} -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${cfg.randomFully ? " --random-fully" : ""}`,
    )
    natRules.push(`-A ${KUBE_MARK_MASQ} -j MARK --or-mark ${mark}`)

    if (cfg.localhostNodePorts) {
      // route_localnet=1 (needed for localhost NodePorts) opens a hole (kubernetes#90259); this rule closes it.
      filterChains.push(chainLine(KUBE_FIREWALL))
      filterRules.push(
        `-A ${KUBE_FIREWALL} -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
      )
    }

    const active = new Set<string>()
    let totalEndpoints = 0
    for (const key of this.svcPortMap.keys()) totalEndpoints += this.endpointsMap.get(key)?.length ?? 0
    const largeClusterMode = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD

    let skippedNatRules = 0
    let noLocalInternal = 0
    let noLocalExternal = 0
    for (const key of this.serviceKeys()) {
      const svc = this.svcPortMap.get(key)
      if (svc === undefined) continue
      const rules = this.cache.rules(svc, this.endpointsMap.get(key), cfg, largeClusterMode)
      if (rules.noLocalInternal) noLocalInternal++
      if (rules.noLocalExternal) noLocalExternal++
      for (const line of rules.filterRules) filterRules.push(line)
      for (const line of rules.natFrontRules) natRules.push(line)
      for (const chain of rules.activeChains) active.add(chain)
      const nn = `${svc.name.namespace}/${svc.name.name}`
      if (!doFullSync && !serviceUpdate.updatedServices.has(nn) && !endpointUpdate.updatedServices.has(nn)) {
        // Unchanged since the last sync: its chains are already right in the kernel.
        skippedNatRules += rules.natRules.length
        continue
      }
      for (const line of rules.natChains) natChains.push(line)
      for (const line of rules.natRules) natRules.push(line)
    }

    // Delete chains no longer in use; in large clusters at most once per syncPeriod (iptables-save is slow there).
    let deletedChains = 0
    const deleted: string[] = []
    if (!largeClusterMode || now - this.lastIPTablesCleanup > cfg.syncPeriod) {
      const existing = this.options.sink.natChains?.() ?? this.knownNatChains
      for (const chain of existing) if (!active.has(chain) && isServiceChainName(chain)) deleted.push(chain)
      // Upstream walks a Go set (random order); sorted here for a deterministic payload.
      deleted.sort()
      for (const chain of deleted) {
        natChains.push(chainLine(chain))
        natRules.push(`-X ${chain}`)
      }
      deletedChains = deleted.length
      this.lastIPTablesCleanup = now
    }

    // Finally, tail-call to the nodePorts chain; this must be after all other service portal rules.
    const lastComment = `-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"`
    if (cfg.nodePortMatchAll) {
      // Block localhost NodePorts unless route_localnet was set for them.
      const dst = cfg.localhostNodePorts ? "-m addrtype --dst-type LOCAL" : "-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8"
      natRules.push(`-A ${KUBE_SERVICES} ${lastComment} ${dst} -j ${KUBE_NODEPORTS}`)
    } else {
      for (const ip of cfg.nodePortIPs) {
        if (ip.startsWith("127.") && !cfg.localhostNodePorts) continue
        natRules.push(`-A ${KUBE_SERVICES} ${lastComment} -d ${ip} -j ${KUBE_NODEPORTS}`)
      }
    }

    // Drop INVALID packets, which would otherwise reset connections (kubernetes#74839), unless conntrack is liberal.
    if (!cfg.conntrackTCPLiberal) {
      const nfacct = cfg.nfacct ? " -m nfacct --nfacct-name ct_state_invalid_dropped_pkts" : ""
      filterRules.push(`-A ${KUBE_FORWARD} -m conntrack --ctstate INVALID${nfacct} -j DROP`)
    }
    // Forward marked traffic even when the FORWARD policy is not ACCEPT, and the rest of its connection.
    filterRules.push(`-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`)
    filterRules.push(
      `-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    )

    const payload =
      "*filter\n" +
      joinLines(filterChains) +
      joinLines(filterRules) +
      "COMMIT\n*nat\n" +
      joinLines(natChains) +
      joinLines(natRules) +
      "COMMIT\n"

    let success = false
    let error: string | undefined
    try {
      this.options.sink.restore(payload, doFullSync ? IPTABLES_JUMP_RULES : undefined)
      success = true
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    if (success) {
      this.needFullSync = false
      if (doFullSync) this.lastFullSync = now
      for (const chain of deleted) this.knownNatChains.delete(chain)
      for (const chain of active) if (isServiceChainName(chain)) this.knownNatChains.add(chain)
      // proxier.go: `if endpointUpdateResult.ConntrackCleanupRequired { conntrack.CleanStaleEntries(...) }`, the
      // sync's last step, after RestoreAll; a Service change alone does not clean (flows keep their endpoint).
      if (endpointUpdate.conntrackCleanupRequired) {
        this.options.sink.cleanConntrack?.(udpConntrackTargets(this.svcPortMap, this.endpointsMap))
      }
    } else {
      // The change trackers are already drained: only a full sync can recover.
      this.needFullSync = true
      this.options.retryAfter?.(cfg.syncPeriod)
    }
    const natRuleLines = natRules.length
    const result: IptablesSyncResult = {
      fullSync: doFullSync,
      payload,
      success,
      error,
      largeClusterMode,
      servicePorts: this.svcPortMap.size,
      endpoints: totalEndpoints,
      filterRulesLast: filterRules.length,
      natRulesLast: natRuleLines - deletedChains,
      natRulesTotal: natRuleLines + skippedNatRules - deletedChains,
      deletedChains,
      noLocalEndpointsInternal: noLocalInternal,
      noLocalEndpointsExternal: noLocalExternal,
    }
    const { payload: _payload, ...figures } = result
    this.lastResult = figures
    return result
  }

  /**
   * The sink applies payloads later (as the simulated iptables-restore finishes) and the kernel refused this
   * one: the same recovery as a synchronous failure — the change trackers are drained, so the next sync is a
   * full one, and it runs within syncPeriod (proxier.go syncProxyRules: `proxier.syncRunner.RetryAfter(proxier.syncPeriod)`).
   */
  restoreFailed(error: string): void {
    this.needFullSync = true
    if (this.lastResult !== undefined) this.lastResult = { ...this.lastResult, success: false, error }
    this.options.retryAfter?.(this.config.syncPeriod)
  }

  /** Service port keys in sorted order (cached until the set of services changes). */
  private serviceKeys(): ReadonlyArray<string> {
    if (this.sortedKeys === undefined) this.sortedKeys = [...this.svcPortMap.keys()].sort()
    return this.sortedKeys
  }
}

const joinLines = (lines: ReadonlyArray<string>): string => (lines.length === 0 ? "" : lines.join("\n") + "\n")
