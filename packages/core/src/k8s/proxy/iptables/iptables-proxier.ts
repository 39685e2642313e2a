import type { Nanos } from "../../../sim/index"
import { applyEndpointsChanges } from "../endpoints-change-tracker"
import { ProxierCore, type ProxierConntrackSink, type ProxierRunnerHooks, type ProxierSyncFigures } from "../proxier-informer-handlers"
import { applyServiceChanges } from "../service-change-tracker"
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
/** pkg/proxy/util FullSyncPeriod (kept exported here for existing importers). */
export { FULL_SYNC_PERIOD } from "../proxier-informer-handlers"

/**
 * Where the proxier's output goes: the node's netfilter. `restore` applies the payload as
 * `iptables-restore --noflush --counters` would (and, on full syncs, first ensures `jumpRules`); it throws if
 * the kernel rejects the payload, which makes the proxier retry after syncPeriod with a full sync.
 */
export interface IptablesRuleSink extends ProxierConntrackSink {
  restore(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined): void
  /** `iptables-save -t nat` chain names; if absent the proxier remembers what it created. */
  natChains?(): Iterable<string>
}

/** What one syncProxyRules call did. */
export interface IptablesSyncResult extends ProxierSyncFigures {
  /** The restore payload (both tables), as kube-proxy hands it to iptables-restore. */
  readonly payload: string
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
  private sortedKeys: string[] | undefined = []
  private lastIPTablesCleanup = -Infinity
  /** Service chains believed to exist in the kernel's nat table (when the sink cannot list them). */
  private readonly knownNatChains = new Set<string>()
  private readonly cache: IptablesRenderCache

  constructor(config: IptablesProxierConfig, private readonly options: IptablesProxierOptions) {
    super(resolveIptablesConfig(config), options)
    this.cache = options.renderCache ?? new IptablesRenderCache()
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
    const doFullSync = this.fullSyncDue(now)

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
      for (const chain of deleted) this.knownNatChains.delete(chain)
      for (const chain of active) if (isServiceChainName(chain)) this.knownNatChains.add(chain)
    }
    this.finishSync(success, doFullSync, now, endpointUpdate.conntrackCleanupRequired, this.options.sink)
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

  /** Service port keys in sorted order (cached until the set of services changes). */
  private serviceKeys(): ReadonlyArray<string> {
    if (this.sortedKeys === undefined) this.sortedKeys = [...this.svcPortMap.keys()].sort()
    return this.sortedKeys
  }
}

const joinLines = (lines: ReadonlyArray<string>): string => (lines.length === 0 ? "" : lines.join("\n") + "\n")
