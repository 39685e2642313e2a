import { formatDuration, type EventKind, type Nanos, type Simulation } from "../../sim/index"
import type { Host, NftRuleset, RuleParseCache, Ruleset, TableShareCache } from "../../net/index"
import type { RecordLog } from "../../records/index"
import type { ApiStore, Watch, WatchEvent } from "../store/index"
import {
  KubeProxy,
  type KubeProxyConntrackConfig,
  servicePortKeyOfChain,
  identityOf,
  type ServicePortMap,
  type EndpointSliceView, type IpvsProxierConfig, type IptablesRenderCache, type ServiceView, type SyncCostModel, type SyncResult } from "../proxy/index"
import { sameShares, SharesLedger } from "./endpoint-shares"
import { nftEndpointShares } from "./nft-endpoint-shares"
import { NodeNftables } from "./node-nftables"
import { ipvsEndpointShares } from "./ipvs-endpoint-shares"
import { NodeIpvs } from "./node-ipvs"
import { setupNodeConntrack } from "./node-conntrack"
import { dispatchToInformer, informerKeyOf, type SharedProxyInformers } from "./shared-informers"
import { NodeRuleset } from "./node-ruleset"

export interface NodeProxyAgentOptions {
  readonly nodeName: string
  readonly nodeIPs: ReadonlyArray<string>
  /** --cluster-cidr (the pod network); kind and kubeadm set it, so local traffic detection is by CIDR. */
  readonly clusterCIDR: string
  /** How long after an API write kube-proxy's informers see it. */
  readonly watchDelay: Nanos
  /** --iptables-min-sync-period; default 1 s (pkg/proxy/apis/config/v1alpha1/defaults.go). */
  readonly minSyncPeriod?: Nanos
  /** --iptables-sync-period; default 30 s. */
  readonly syncPeriod?: Nanos
  readonly cost?: SyncCostModel
  readonly renderCache?: IptablesRenderCache
  /** Parsed rules shared between nodes (net/netfilter rule-cache.ts). */
  readonly ruleCache?: RuleParseCache
  /** Restore results shared between nodes in the same table state (net/netfilter shared-tables.ts). */
  readonly tableCache?: TableShareCache
  /** Where `rules` records go; none written without. */
  readonly records?: RecordLog
  /**
   * kube-proxy's --proxy-mode (default iptables). nftables mode writes `nft` (the node's nftables ruleset); ipvs
   * mode loads the host's IPVS (`host.ipvs`), adds kube-ipvs0 and keeps its ipsets in `ruleset`.
   */
  readonly mode?: "iptables" | "nftables" | "ipvs"
  /** KubeProxyIPVSConfiguration (ipvs mode): scheduler and the `ipvsadm --set` timeouts (0: the kernel's). */
  readonly ipvs?: Pick<IpvsProxierConfig, "scheduler" | "tcpTimeout" | "tcpFinTimeout" | "udpTimeout">
  /** The node's nftables ruleset; required in nftables mode. */
  readonly nft?: NftRuleset
  /** --cluster's Service CIDRs (nftables mode drops traffic to unallocated ClusterIPs in them). */
  readonly serviceCIDRs?: ReadonlyArray<string>
  /** The node's CPU count (runtime.NumCPU() on the node), for --conntrack-max-per-core; default 8. */
  readonly cpus?: number
  /** kube-proxy's `conntrack` settings; default upstream's (maxPerCore 32768, min 131072, 24 h, 1 h). */
  readonly conntrack?: KubeProxyConntrackConfig
  /**
   * The node's topology.kubernetes.io/zone label, for topology hints (kube-proxy reads its Node's topology
   * labels: cmd/kube-proxy server.go, pkg/proxy/config NodeTopologyConfig). Node labels are static in kubesim.
   */
  readonly zone?: string
  /**
   * The cluster's shared kube-proxy informers: a kube-proxy that can (started with the others) is a member of
   * their change feed instead of listing and watching on its own, until it stops.
   */
  readonly informers?: SharedProxyInformers
}

/**
 * One node's kube-proxy (iptables mode, nftables mode with `mode: "nftables"`, IPVS mode with `mode: "ipvs"`), wired to the API store and the node's kernel: informers on Services and
 * EndpointSlices (watch with `watchDelay`, initial list first, as client-go's ListAndWatch), the proxy module's
 * `KubeProxy` (change trackers → BoundedFrequencyRunner with minSyncPeriod, burst 2 → syncProxyRules), the
 * payload restored into the node's Ruleset with `--noflush`, stale UDP conntrack cleared, and a `rules` record
 * per sync once its rules are in the kernel, with each endpoint's share computed from the installed rules.
 */
export class NodeProxyAgent {
  readonly kubeProxy: KubeProxy
  readonly node: NodeRuleset
  /** The nftables side in nftables mode (null in iptables mode). */
  readonly nftNode: NodeNftables | null
  /** The IPVS side in ipvs mode (null otherwise). */
  readonly ipvsNode: NodeIpvs | null
  /** Syncs whose rules have landed. */
  syncs = 0
  /** When the last sync that landed began (its rules hold what the informers had delivered by then); −1: none yet. */
  lastSyncStart: Nanos = -1
  private readonly watches: Watch[] = []
  /** The shared informers this kube-proxy is a member of (then it has no watches of its own). */
  private inFeed: SharedProxyInformers | undefined
  private readonly services = new Map<string, ServiceView>()
  private readonly slices = new Map<string, EndpointSliceView>()
  private started = false
  /** What this node's `rules` records have said per port (shared with the nodes in step). */
  private sharesLedger = SharesLedger.empty()
  /** The shares last written to a `rules` record, per service port. */
  private readonly recordedShares = new Map<string, Record<string, number>>()
  /** The informers have listed once: a later start() re-lists (client-go Reflector relist after a lost watch). */
  private listed = false
  /** During a re-list: the keys the new list delivered, so known objects missing from it are deleted. */
  private relist: { readonly services: Set<string>; readonly slices: Set<string> } | undefined

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly host: Host,
    readonly ruleset: Ruleset,
    readonly options: NodeProxyAgentOptions,
  ) {
    this.node = new NodeRuleset(host, ruleset, {
      ...(options.ruleCache !== undefined ? { rules: options.ruleCache } : {}),
      ...(options.tableCache !== undefined ? { tables: options.tableCache } : {}),
    })
    if (options.mode === "nftables" && options.nft === undefined) throw new Error(`node ${options.nodeName}: nftables mode needs the node's nftables ruleset`)
    this.nftNode = options.mode === "nftables" ? new NodeNftables(host, options.nft as NftRuleset, this.node) : null
    this.ipvsNode = options.mode === "ipvs" ? new NodeIpvs(host, ruleset.ipsets) : null
    setupNodeConntrack(host, { nodeName: options.nodeName, cpus: options.cpus, conntrack: options.conntrack, records: options.records })
    this.kubeProxy = new KubeProxy(
      sim,
      {
        nodeName: options.nodeName,
        nodeIPs: options.nodeIPs,
        clusterCIDR: options.clusterCIDR,
        ...(options.minSyncPeriod !== undefined ? { minSyncPeriod: options.minSyncPeriod } : {}),
        ...(options.syncPeriod !== undefined ? { syncPeriod: options.syncPeriod } : {}),
        nfacct: false,
        ...(options.serviceCIDRs !== undefined ? { serviceCIDRs: options.serviceCIDRs } : {}),
        ...(options.zone !== undefined ? { zone: options.zone } : {}),
        ...(options.ipvs ?? {}),
      },
      {
        node: this.node,
        ...(this.nftNode !== null ? { nftNode: this.nftNode } : {}),
        ...(this.ipvsNode !== null ? { ipvsNode: this.ipvsNode } : {}),
        ...(options.cost !== undefined ? { cost: options.cost } : {}),
        ...(options.renderCache !== undefined ? { renderCache: options.renderCache } : {}),
        onRestore: (outcome) => {
          if (outcome.error === undefined) {
            this.lastSyncStart = outcome.start
            this.onLanded(outcome.result)
          }
          else this.onRestoreFailed(outcome.error)
        },
      },
    )
  }

  /** Starts the informers and the sync loop. */
  start(): void {
    if (this.started) return
    this.started = true
    const delay = this.options.watchDelay
    const shared = this.options.informers
    if (!this.listed && shared !== undefined && shared.canJoin(delay)) {
      shared.start()
      this.kubeProxy.proxier.joinFeed(shared.changes)
      this.inFeed = shared
    } else {
      this.watches.push(this.store.watch("Service", (e) => this.onService(e), { delay, sendInitialEvents: true }))
      this.watches.push(this.store.watch("EndpointSlice", (e) => this.onSlice(e), { delay, sendInitialEvents: true }))
    }
    this.kubeProxy.start()
    if (this.listed) this.relist = { services: new Set(), slices: new Set() }
    // Both initial lists are delivered `delay` from now, before this (scheduled later at the same instant).
    this.sim.after(delay, this.syncedKind(), this)
  }

  /**
   * The initial lists are in. The first time, the informers' synced callbacks run (once per process, as
   * upstream's OnServiceSynced / OnEndpointSlicesSynced). After a re-list, objects the agent knew that the new
   * list lacks were deleted while it was not watching: client-go's DeltaFIFO.Replace delivers them as deletions.
   */
  private onListed(): void {
    if (!this.listed) {
      this.listed = true
      this.kubeProxy.onSynced()
      return
    }
    const seen = this.relist
    this.relist = undefined
    if (seen === undefined) return
    for (const key of [...this.services.keys()].filter((k) => !seen.services.has(k))) {
      const old = this.services.get(key) as ServiceView
      this.services.delete(key)
      this.kubeProxy.onServiceDelete(old)
    }
    for (const key of [...this.slices.keys()].filter((k) => !seen.slices.has(k))) {
      const old = this.slices.get(key) as EndpointSliceView
      this.slices.delete(key)
      this.kubeProxy.onEndpointSliceDelete(old)
    }
  }

  /** Stops watching (a failed node's kube-proxy no longer hears the API). Rules already in the kernel stay. */
  stop(): void {
    const shared = this.inFeed
    if (shared !== undefined) {
      // From here on this kube-proxy is on its own: the informer caches it had, and trackers holding what it
      // has not synced yet.
      this.inFeed = undefined
      this.kubeProxy.proxier.leaveFeed(shared.changes)
      for (const [k, v] of shared.services) this.services.set(k, v)
      for (const [k, v] of shared.slices) this.slices.set(k, v)
    }
    for (const w of this.watches) w.stop()
    this.watches.length = 0
    this.started = false
  }

  private syncedKind(): EventKind<NodeProxyAgent> {
    let k = syncedKinds.get(this.sim)
    if (k === undefined) {
      k = this.sim.defineKind<NodeProxyAgent>("node-proxy/informers-synced", (a) => a.onListed())
      syncedKinds.set(this.sim, k)
    }
    return k
  }

  // The informers' handlers, made once: every node hears every event, so a closure per event is garbage × nodes.
  private readonly serviceHandlers = {
    add: (o: ServiceView) => this.kubeProxy.onServiceAdd(o),
    update: (old: ServiceView, o: ServiceView) => this.kubeProxy.onServiceUpdate(old, o),
    remove: (o: ServiceView) => this.kubeProxy.onServiceDelete(o),
  }
  private readonly sliceHandlers = {
    add: (o: EndpointSliceView) => this.kubeProxy.onEndpointSliceAdd(o),
    update: (old: EndpointSliceView, o: EndpointSliceView) => this.kubeProxy.onEndpointSliceUpdate(old, o),
    remove: (o: EndpointSliceView) => this.kubeProxy.onEndpointSliceDelete(o),
  }

  private onService(e: WatchEvent<"Service">): void {
    if (e.type !== "DELETED") this.relist?.services.add(informerKeyOf(e.object))
    dispatchToInformer(e, this.services, this.serviceHandlers)
  }

  private onSlice(e: WatchEvent<"EndpointSlice">): void {
    if (e.type !== "DELETED") this.relist?.slices.add(informerKeyOf(e.object))
    dispatchToInformer(e, this.slices, this.sliceHandlers)
  }

  /**
   * The record's `shares`: the service ports whose shares differ from what this node's previous `rules` record
   * said (every port on the first), so a record costs what the sync changed, not the cluster's size. A port
   * left out keeps its last recorded shares (as a port without a KUBE-SVC chain always has been).
   */
  private changedShares(): Record<string, Record<string, number>> {
    const proxier = this.kubeProxy.proxier
    if (this.nftNode === null && this.ipvsNode === null) {
      // Only ports whose KUBE-SVC chain a restore rewrote can have new shares (an unchanged chain has unchanged
      // SEP targets): walk those, in key order; all of them when the restores could not say what they wrote.
      const written = this.node.takeWrittenNat()
      const services = proxier.svcPortMap
      const step = this.sharesLedger.record(this.ruleset, services, written, () => portsToWalk(written, services, proxier.sortedServiceKeys))
      this.sharesLedger = step.next
      return internShares(step.shares)
    }
    const all =
      this.nftNode !== null
        ? nftEndpointShares(this.nftNode.ruleset, proxier.svcPortMap)
        : ipvsEndpointShares((this.ipvsNode as NodeIpvs).ipvs, proxier.svcPortMap)
    const out: Record<string, Record<string, number>> = {}
    for (const port in all) {
      const entry = all[port] as Record<string, number>
      const last = this.recordedShares.get(port)
      if (last !== undefined && (last === entry || sameShares(last, entry))) continue
      this.recordedShares.set(port, entry)
      out[port] = entry
    }
    return out
  }

  /**
   * A refused restore: logged as upstream does, then retried with a full sync.
   * iptables/proxier.go: `klog.ErrorS(err, "Failed to execute iptables-restore")`; nftables/proxier.go:
   * `klog.ErrorS(err, "nftables sync failed")`; then RetryAfter(syncPeriod) with a full sync.
   */
  private onRestoreFailed(error: string): void {
    const node = this.options.nodeName
    const retry = this.kubeProxy.proxier.config.syncPeriod
    this.options.records?.append({
      kind: "action",
      t: this.sim.now,
      actor: `kube-proxy/${node}`,
      verb: "restore-failed",
      object: `Node ${node}`,
      detail: `${this.nftNode !== null ? "nftables sync failed" : "Failed to execute iptables-restore"}: ${error}; the next sync is a full sync, within ${formatDuration(retry)}`,
    })
  }

  private onLanded(result: SyncResult): void {
    this.syncs++
    const records = this.options.records
    if (records === undefined) return
    records.append({
      kind: "rules",
      t: this.sim.now,
      node: this.options.nodeName,
      mode: this.options.mode ?? "iptables",
      full: result.fullSync,
      services: result.servicePorts,
      rules: "rulesWritten" in result ? result.rulesWritten : result.filterRulesLast + result.natRulesLast,
      shares: this.changedShares(),
    })
  }
}

/**
 * The service ports (sorted keys) whose KUBE-SVC chain is among the nat chains restores wrote: all of them when
 * the restores could not say (`written` null) or wrote a chain of a port not known here.
 */
const portsToWalk = (written: ReadonlyArray<ReadonlySet<string>> | null, services: ServicePortMap, all: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (written === null) return all
  const keys = new Set<string>()
  for (const set of written) {
    for (const chain of set) {
      if (!chain.startsWith("KUBE-SVC-")) continue
      const key = servicePortKeyOfChain(chain)
      if (key === undefined) return all
      if (services.has(key)) keys.add(key)
    }
  }
  return [...keys].sort()
}

/**
 * One object for every node's identical `shares` (the same ports with the same, shared, entries): nodes in step
 * record the same changes at once, and records are kept for the run's end. Recent ones only (a small memo).
 */
const sharesSeen = new Map<string, Record<string, Record<string, number>>>()
const SHARES_MEMO = 64
/** The answer per `shares` object: nodes in step get the very same one from the ledger, so its key is built once. */
const internedShares = new WeakMap<object, Record<string, Record<string, number>>>()
const internShares = (shares: Record<string, Record<string, number>>): Record<string, Record<string, number>> => {
  const interned = internedShares.get(shares)
  if (interned !== undefined) return interned
  let key = ""
  for (const port in shares) key += `${port}=${identityOf(shares[port] as object)};`
  let known = sharesSeen.get(key)
  if (known === undefined) {
    if (sharesSeen.size >= SHARES_MEMO) sharesSeen.delete(sharesSeen.keys().next().value as string)
    sharesSeen.set(key, (known = shares))
  }
  internedShares.set(shares, known)
  return known
}

const syncedKinds = new WeakMap<Simulation, EventKind<NodeProxyAgent>>()
