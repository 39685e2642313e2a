import type { Nanos } from "../../../sim/index"
import { ProxierCore, type ProxierConntrackSink, type ProxierRunnerHooks, type ProxierSyncFigures } from "../proxier-informer-handlers"
import type { ProxyState, ProxyTransition } from "../shared-state"
import { isServiceChainName } from "./chain-names"
import { staleServiceChains } from "./stale-chains"
import { resolveIptablesConfig, type IptablesProxierConfig, type ResolvedIptablesConfig } from "./config"
import { IPTABLES_JUMP_RULES, type JumpRule } from "./jump-chains"
import { IptablesRenderCache } from "./render-cache"
import { buildPayload, payloadFingerprint, stateRules, type SyncPayload } from "./sync-payload"

export { LARGE_CLUSTER_ENDPOINTS_THRESHOLD } from "./sync-payload"
/** pkg/proxy/util FullSyncPeriod (kept exported here for existing importers). */
export { FULL_SYNC_PERIOD } from "../proxier-informer-handlers"

/**
 * Where the proxier's output goes: the node's netfilter. `restore` applies the payload as
 * `iptables-restore --noflush --counters` would (and, on full syncs, first ensures `jumpRules`); it throws if
 * the kernel rejects the payload, which makes the proxier retry after syncPeriod with a full sync.
 */
export interface IptablesRuleSink extends ProxierConntrackSink {
  /** `payloadId` stands for `payload`: the same object only ever with the same text (nodes in step share it). */
  restore(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined, payloadId?: object): void
  /** `iptables-save -t nat` chain names; if absent the proxier remembers what it created. */
  natChains?(): Iterable<string>
  /**
   * An object that is the same exactly while `natChains` yields the same names (net/netfilter `chainNamesOf`),
   * so nodes in step find their stale chains once; optional.
   */
  natChainNames?(): object
}

/** What one syncProxyRules call did. */
export interface IptablesSyncResult extends ProxierSyncFigures {
  /** The restore payload (both tables), as kube-proxy hands it to iptables-restore. */
  readonly payload: string
  /** Its line count (what the sync cost model charges for). */
  readonly payloadLines: number
  readonly largeClusterMode: boolean
  /** sync_proxy_rules_iptables_last{table="filter"} / {table="nat"}. */
  readonly filterRulesLast: number
  readonly natRulesLast: number
  /** sync_proxy_rules_iptables_total{table="nat"}: rules in the table after this sync. */
  readonly natRulesTotal: number
}

/** The runner hooks (requestSync, syncNow, retryAfter) are ProxierCore's. */
export interface IptablesProxierOptions extends ProxierRunnerHooks {
  /** The simulated clock, for FullSyncPeriod and the large-cluster stale-chain GC interval. */
  readonly now: () => Nanos
  readonly sink: IptablesRuleSink
  /** Share rendered rules between the proxiers of many nodes (default: a private cache). */
  readonly renderCache?: IptablesRenderCache
}

/**
 * kube-proxy's iptables mode for one node and the IPv4 family: pkg/proxy/iptables/proxier.go Proxier.
 * Output (the restore payload) is byte-identical to upstream's, modulo the order of services, which upstream
 * takes from Go map iteration (random) and this proxier from the sorted ServicePortName (deterministic).
 */
export class IptablesProxier extends ProxierCore<ResolvedIptablesConfig, Omit<IptablesSyncResult, "payload">> {
  private lastIPTablesCleanup = -Infinity
  /** Service chains believed to exist in the kernel's nat table (when the sink cannot list them). */
  private readonly knownNatChains = new Set<string>()
  private readonly cache: IptablesRenderCache
  /** What of the configuration shapes the payload (nodes alike in it share payloads). */
  private readonly fingerprint: string

  constructor(config: IptablesProxierConfig, private readonly options: IptablesProxierOptions) {
    const cache = options.renderCache ?? new IptablesRenderCache()
    super(resolveIptablesConfig(config), options, cache.states)
    this.cache = cache
    this.fingerprint = payloadFingerprint(this.config)
  }

  /** proxier.go forceSyncProxyRules: the canary chain vanished or node topology changed. */
  forceSyncProxyRules(): void {
    this.needFullSync = true
    this.syncProxyRules()
  }

  /**
   * proxier.go syncProxyRules. Returns undefined before both informers have synced (no rules are written).
   * The payload is a function of the shared state, the step to it (which services changed), the node's class
   * and the stale chains found: nodes alike in all four share one payload, built by the first of them
   * (sync-payload.ts), so a sync costs a node what is its own, not the cluster's Service count.
   */
  syncProxyRules(): IptablesSyncResult | undefined {
    if (!this.initialized) return undefined
    const cfg = this.config
    const now = this.options.now()
    const doFullSync = this.fullSyncDue(now)

    const { serviceUpdate, endpointUpdate } = this.applyChanges()
    const state = this.state as ProxyState
    const rendered = stateRules(state, cfg, this.fingerprint, this.cache)

    // Delete chains no longer in use; in large clusters at most once per syncPeriod (iptables-save is slow there).
    let deleted: ReadonlyArray<string> = []
    if (!rendered.largeClusterMode || now - this.lastIPTablesCleanup > cfg.syncPeriod) {
      const sink = this.options.sink
      const listed = sink.natChains?.()
      deleted = listed === undefined ? staleServiceChains(this.knownNatChains, rendered.active, undefined) : staleServiceChains(listed, rendered.active, sink.natChainNames?.())
      this.lastIPTablesCleanup = now
    }

    const memo = doFullSync ? state.memo : (this.transition as ProxyTransition).memo
    const memoKey = `iptables:payload:${doFullSync ? "full" : "partial"}|${rendered.key}|${deleted.join(" ")}`
    let built = memo.get(memoKey) as SyncPayload | undefined
    if (built === undefined) {
      built = buildPayload(rendered, cfg, doFullSync ? undefined : { services: serviceUpdate, endpoints: endpointUpdate }, deleted)
      memo.set(memoKey, built)
    }

    let success = false
    let error: string | undefined
    try {
      this.options.sink.restore(built.payload, doFullSync ? IPTABLES_JUMP_RULES : undefined, built)
      success = true
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    if (success && this.options.sink.natChains === undefined) {
      for (const chain of deleted) this.knownNatChains.delete(chain)
      for (const chain of rendered.active) if (isServiceChainName(chain)) this.knownNatChains.add(chain)
    }
    this.finishSync(success, doFullSync, now, endpointUpdate.conntrackCleanupRequired, this.options.sink)
    const result: IptablesSyncResult = {
      fullSync: doFullSync,
      payload: built.payload,
      payloadLines: built.lines,
      success,
      error,
      largeClusterMode: rendered.largeClusterMode,
      servicePorts: state.svcPortMap.size,
      endpoints: rendered.totalEndpoints,
      filterRulesLast: built.filterRulesLast,
      natRulesLast: built.natRuleLines - deleted.length,
      natRulesTotal: built.natRuleLines + built.skippedNatRules - deleted.length,
      deletedChains: deleted.length,
      noLocalEndpointsInternal: rendered.noLocalInternal,
      noLocalEndpointsExternal: rendered.noLocalExternal,
    }
    const { payload: _payload, ...figures } = result
    this.lastResult = figures
    return result
  }
}
