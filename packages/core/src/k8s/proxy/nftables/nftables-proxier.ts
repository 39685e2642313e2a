import { NANOS_PER_SECOND, type Nanos } from "../../../sim/index"
import { applyEndpointsChanges } from "../endpoints-change-tracker"
import { parseIpv4Cidr } from "../ip"
import { resolveIptablesConfig, ProxyConfigError, type IptablesProxierConfig, type ResolvedIptablesConfig } from "../iptables/config"
import { ProxierCore, type ProxierConntrackSink, type ProxierRunnerHooks, type ProxierSyncFigures } from "../proxier-informer-handlers"
import { applyServiceChanges } from "../service-change-tracker"
import { setupNFTables } from "./base-rules"
import { isAffinitySetName, isNftServiceChainName, KUBE_PROXY_TABLE } from "./names"
import { renderNftServicePort } from "./service-rules"

/** The nftables proxier's configuration: the iptables one's fields plus the Service CIDRs. */
export interface NftablesProxierConfig extends IptablesProxierConfig {
  /** The cluster's Service CIDRs (ServiceCIDR objects), for cluster-ips-check's drop of unallocated ClusterIPs. */
  readonly serviceCIDRs?: ReadonlyArray<string>
}

/** Where the transaction goes: `nft -f -` on the node. Throws if the kernel rejects it (then a full sync follows). */
export interface NftablesRuleSink extends ProxierConntrackSink {
  run(transaction: string): void
  /** `nft list chains` / `nft list sets` names in table ip kube-proxy; if absent the proxier remembers its own. */
  listChains?(): Iterable<string>
  listSets?(): Iterable<string>
}

export interface NftablesSyncResult extends ProxierSyncFigures {
  /** What this sync ran with `nft -f`: the stale-chain deletion transaction (if any), then the sync's transaction. */
  readonly payload: string
  /** Service ports whose chains this transaction rewrote. */
  readonly servicesWritten: number
  /** Rules written (`add rule` lines). */
  readonly rulesWritten: number
  /** Map and set elements added plus deleted. */
  readonly elementsChanged: number
}

/** The runner hooks (requestSync, syncNow, retryAfter) are ProxierCore's. */
export interface NftablesProxierOptions extends ProxierRunnerHooks {
  readonly now: () => Nanos
  readonly sink: NftablesRuleSink
}

// proxier.go: stale chains are flushed at once but deleted only a second later (kernels before 6.2 notice a
// map element's chain reference going away only after a while).
const STALE_CHAIN_DELAY = NANOS_PER_SECOND

const P = `ip ${KUBE_PROXY_TABLE}`

/**
 * kube-proxy's nftables mode for one node and the IPv4 family: pkg/proxy/nftables/proxier.go Proxier, on the
 * same change trackers and endpoint categorisation as the iptables proxier. Each sync is one `nft -f`
 * transaction: a full sync rewrites the table's fixed chains, every service's chains and every element; a
 * partial sync rewrites only the chains of services that changed and adds/deletes only the elements that
 * changed (proxier.go skipServiceUpdate, nftElementStorage).
 */
export class NftablesProxier extends ProxierCore<ResolvedIptablesConfig, Omit<NftablesSyncResult, "payload">> {
  readonly serviceCIDRs: ReadonlyArray<string>
  /** Elements believed to be in the kernel (`<set> { … }` text), as nftElementStorage keeps them. */
  private elements = new Set<string>()
  private readonly knownChains = new Set<string>()
  private readonly knownSets = new Set<string>()
  /** Chains flushed as stale, with when; deleted once STALE_CHAIN_DELAY has passed. */
  private readonly staleChains = new Map<string, Nanos>()

  constructor(config: NftablesProxierConfig, private readonly options: NftablesProxierOptions) {
    super(resolveIptablesConfig(config), options)
    const cidrs: string[] = []
    for (const s of config.serviceCIDRs ?? []) {
      const c = parseIpv4Cidr(s)
      if (c === undefined) {
        if (s.includes(":")) continue
        throw new ProxyConfigError(`serviceCIDRs: expected IPv4 CIDRs like 10.96.0.0/12, got "${s}"`)
      }
      cidrs.push(c.text)
    }
    this.serviceCIDRs = cidrs
  }

  /** proxier.go syncProxyRules. Undefined before both informers have synced. */
  syncProxyRules(): NftablesSyncResult | undefined {
    if (!this.initialized) return undefined
    const cfg = this.config
    const now = this.options.now()
    const doFullSync = this.fullSyncDue(now)
    const serviceUpdate = applyServiceChanges(this.svcPortMap, this.serviceChanges)
    const endpointUpdate = applyEndpointsChanges(this.endpointsMap, this.endpointsChanges)

    // Stale chains flushed at least a second ago go first, in a transaction of their own (proxier.go: if it
    // fails the chains stay, and are flushed again as stale by this sync).
    const deleted: string[] = []
    for (const [chain, since] of [...this.staleChains].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (now - since >= STALE_CHAIN_DELAY) deleted.push(chain)
    }
    let deletion = ""
    if (deleted.length > 0) {
      for (const chain of deleted) this.staleChains.delete(chain)
      const tx = deleted.map((c) => `delete chain ${P} ${c}\n`).join("")
      try {
        this.options.sink.run(tx)
        deletion = tx
        for (const c of deleted) this.knownChains.delete(c)
      } catch {
        deleted.length = 0
      }
    }

    const lines: string[] = []

    if (doFullSync) setupNFTables(lines, cfg, this.serviceCIDRs)

    const activeChains = new Set<string>()
    const activeSets = new Set<string>()
    const desired: string[] = []
    let totalEndpoints = 0
    let servicesWritten = 0
    let noLocalInternal = 0
    let noLocalExternal = 0
    for (const key of [...this.svcPortMap.keys()].sort()) {
      const svc = this.svcPortMap.get(key)
      if (svc === undefined) continue
      const eps = this.endpointsMap.get(key)
      totalEndpoints += eps?.length ?? 0
      const r = renderNftServicePort(svc, eps, cfg)
      if (r.noLocalInternal) noLocalInternal++
      if (r.noLocalExternal) noLocalExternal++
      for (const e of r.elements) desired.push(e)
      for (const c of r.chains) activeChains.add(c.name)
      for (const s of r.affinitySets) activeSets.add(s.name)
      const nn = `${svc.name.namespace}/${svc.name.name}`
      const changed = serviceUpdate.updatedServices.has(nn) || endpointUpdate.updatedServices.has(nn)
      if (!doFullSync && !changed) continue
      servicesWritten++
      for (const s of r.affinitySets) lines.push(`add set ${P} ${s.name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${s.timeoutSeconds}s ; }`)
      for (const c of r.chains) {
        lines.push(`add chain ${P} ${c.name}`, `flush chain ${P} ${c.name}`)
        for (const rule of c.rules) lines.push(`add rule ${P} ${c.name} ${rule}`)
      }
    }

    // Elements: on a full sync the maps were flushed, so add everything; else only the difference.
    const want = new Set(desired)
    let elementsChanged = 0
    if (doFullSync) {
      for (const e of want) lines.push(`add element ${P} ${e}`)
      elementsChanged = want.size
    } else {
      for (const e of [...this.elements].sort()) if (!want.has(e)) {
        lines.push(`delete element ${P} ${e.replace(/ comment "[^"]*"/, "").replace(/ : [^}]*}$/, " }")}`)
        elementsChanged++
      }
      for (const e of want) if (!this.elements.has(e)) {
        lines.push(`add element ${P} ${e}`)
        elementsChanged++
      }
    }

    // Chains no longer used: flush now, delete in a later sync (proxier.go staleChains).
    const existingChains = this.options.sink.listChains?.() ?? this.knownChains
    const newlyStale: string[] = []
    for (const chain of existingChains) {
      if (!isNftServiceChainName(chain)) continue
      if (activeChains.has(chain)) this.staleChains.delete(chain)
      else if (!this.staleChains.has(chain) && !(deletion !== "" && deleted.includes(chain))) newlyStale.push(chain)
    }
    newlyStale.sort()
    for (const chain of newlyStale) lines.push(`flush chain ${P} ${chain}`)
    // Stale affinity sets can go at once (their rules were flushed or rewritten above).
    const staleSets = [...(this.options.sink.listSets?.() ?? this.knownSets)].filter((s) => isAffinitySetName(s) && !activeSets.has(s)).sort()
    for (const s of staleSets) lines.push(`delete set ${P} ${s}`)

    const payload = lines.length === 0 ? "" : `${lines.join("\n")}\n`
    let success = false
    let error: string | undefined
    try {
      this.options.sink.run(payload)
      success = true
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    if (success) {
      this.elements = want
      for (const c of newlyStale) this.staleChains.set(c, now)
      for (const c of activeChains) this.knownChains.add(c)
      for (const s of staleSets) this.knownSets.delete(s)
      for (const s of activeSets) this.knownSets.add(s)
    }
    // As iptables': conntrack cleanup after the transaction ran; on failure the maps are flushed and refilled by
    // the full sync that follows (nftables/proxier.go).
    this.finishSync(success, doFullSync, now, endpointUpdate.conntrackCleanupRequired, this.options.sink)
    let rulesWritten = 0
    for (const l of lines) if (l.startsWith("add rule ")) rulesWritten++
    const result: NftablesSyncResult = {
      fullSync: doFullSync,
      payload: deletion + payload,
      success,
      error,
      servicePorts: this.svcPortMap.size,
      endpoints: totalEndpoints,
      servicesWritten,
      rulesWritten,
      elementsChanged,
      deletedChains: deleted.length,
      noLocalEndpointsInternal: noLocalInternal,
      noLocalEndpointsExternal: noLocalExternal,
    }
    const { payload: _p, ...figures } = result
    this.lastResult = figures
    return result
  }
}
