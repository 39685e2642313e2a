import { NANOS_PER_MICRO, type EventKind, type Nanos, type Simulation } from "../../sim/index"
import type { EndpointSliceView, ServiceView } from "./api-view"
import { BoundedFrequencyRunner } from "./bounded-frequency-runner"
import type { UdpConntrackTargets } from "./conntrack-cleanup"
import type { IptablesProxierConfig } from "./iptables/config"
import { FULL_SYNC_PERIOD, IptablesProxier, type IptablesSyncResult } from "./iptables/iptables-proxier"
import type { JumpRule } from "./iptables/jump-chains"
import type { IptablesRenderCache } from "./iptables/render-cache"
import { NftablesProxier, type NftablesProxierConfig, type NftablesRuleSink, type NftablesSyncResult } from "./nftables/nftables-proxier"
import { RS_CHECK_DELETE_INTERVAL } from "./ipvs/graceful-termination"
import { IpvsProxier, type IpvsProxierConfig, type IpvsSyncResult } from "./ipvs/ipvs-proxier"
import type { IpvsKubeProxyNode } from "./ipvs/ipvs-node"

/** What a sync of any mode returns. */
export type SyncResult = IptablesSyncResult | NftablesSyncResult | IpvsSyncResult

/**
 * The node side of kube-proxy: where its restore payloads land. `apply` is called when the restore completes
 * (at the end of the sync's simulated duration), which is when the new rules start to matter; until then
 * packets follow the old rules. The netfilter layer implements it with
 * `applyRestore(ruleset, payload, { noflush: true })` after ensuring `jumpRules`; it throws when the kernel
 * rejects the payload (the table is then unchanged, as iptables-restore's commit is all or nothing).
 */
export interface KubeProxyNode {
  /** `payloadId`: an object that stands for `payload` (the same only with the same text), for the node's memos. */
  apply(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined, payloadId?: object): void
  /** Service chains present in the node's nat table (iptables-save -t nat); optional. */
  natChains?(): Iterable<string>
  /** The same object exactly while `natChains` yields the same names (net/netfilter `chainNamesOf`); optional. */
  natChainNames?(): object
  /** UDP conntrack reconciliation after a successful restore (conntrack/cleanup.go); optional. */
  cleanConntrack?(targets: UdpConntrackTargets): void
}

/**
 * The node side of kube-proxy's nftables mode: `run` applies a transaction as `nft -f` (when the sync's simulated
 * duration ends), throwing if the kernel refuses it (nothing of it is applied); `check` is `nft -c -f` against the
 * current kernel state, throwing if it would be refused.
 */
export interface NftKubeProxyNode extends Omit<NftablesRuleSink, "run"> {
  run(transaction: string): void
  check(transaction: string): void
}

/**
 * How long a sync takes in simulated time: a fixed part plus a cost per restore line (iptables-restore scales with
 * input). In IPVS mode each kernel call the sync made (ipvsadm, ipset, address bind) costs a line too.
 */
export interface SyncCostModel {
  readonly base: Nanos
  readonly perLine: Nanos
}

/** A modest default: 5 ms plus 2 µs per payload line (so 100k lines take ≈ 0.2 s). */
export const DEFAULT_SYNC_COST: SyncCostModel = { base: 5_000 * NANOS_PER_MICRO, perLine: 2 * NANOS_PER_MICRO }

/** How a sync's restore ended, when it ended. */
export interface RestoreOutcome {
  readonly result: SyncResult
  readonly start: Nanos
  readonly end: Nanos
  /** The kernel's refusal (then the next sync is a full one, within syncPeriod); undefined when the rules are in. */
  readonly error: string | undefined
}

export interface KubeProxyOptions {
  readonly node: KubeProxyNode
  /** nftables mode: transactions go here and `node` is left alone (default: iptables mode). */
  readonly nftNode?: NftKubeProxyNode
  /** IPVS mode: the node's IPVS table, ipsets and kube-ipvs0; the iptables payload still goes to `node`. */
  readonly ipvsNode?: IpvsKubeProxyNode
  readonly cost?: SyncCostModel
  readonly renderCache?: IptablesRenderCache
  /** Observes every sync when it starts (for metrics): the payload is computed, not yet restored. */
  readonly onSync?: (result: SyncResult, start: Nanos, end: Nanos) => void
  /** Observes every restore when it ends: applied, or rejected by the kernel. */
  readonly onRestore?: (outcome: RestoreOutcome) => void
}

interface PendingApply {
  readonly proxy: KubeProxy
  readonly result: SyncResult
  readonly jumpRules: ReadonlyArray<JumpRule> | undefined
  /** What stands for the payload's text (iptables mode: the proxier's memoised payload record). */
  readonly payloadId: object | undefined
  /** nftables mode: the sync's transactions, in order (stale-chain deletion, then the sync's own); null in iptables mode. */
  readonly nft: ReadonlyArray<string> | null
  readonly start: Nanos
  readonly end: Nanos
  /** UDP conntrack cleanup the sync asked for, run only once the restore succeeded (proxier.go: after RestoreAll). */
  readonly conntrack: UdpConntrackTargets | undefined
}

/**
 * One node's kube-proxy (iptables mode, or nftables mode with `nftNode`) on the simulation kernel: informer callbacks feed the proxier's change
 * trackers; syncs go through the BoundedFrequencyRunner (minSyncPeriod, burst 2, maxInterval FullSyncPeriod,
 * as proxier.go NewProxier); each sync takes simulated time and its payload reaches the node when it ends.
 *
 * Syncs never overlap: upstream's syncProxyRules holds the proxier's mutex through iptables-restore, so a sync
 * (from the runner or an informer's synced callback) that starts while another's restore is running waits for it.
 * Without that, a second sync would list the nat chains before the first one's payload landed and delete chains
 * the first payload's rules still jump to (kubesim issue 14).
 */
export class KubeProxy {
  readonly proxier: IptablesProxier | NftablesProxier | IpvsProxier
  readonly runner: BoundedFrequencyRunner
  private readonly cost: SyncCostModel
  private readonly applyKind: EventKind<PendingApply>
  private readonly directKind: EventKind<KubeProxy>
  private readonly gracefulKind: EventKind<KubeProxy> | null = null
  private readonly syncOnce: () => Nanos
  /** What the sync in progress handed to its sink (restore, then possibly conntrack cleanup). */
  private stash: { readonly jumpRules: ReadonlyArray<JumpRule> | undefined; readonly payloadId?: object | undefined; readonly nft: string[] | null; conntrack: UdpConntrackTargets | undefined } | undefined

  constructor(
    private readonly sim: Simulation,
    config: IptablesProxierConfig | NftablesProxierConfig | IpvsProxierConfig,
    private readonly options: KubeProxyOptions,
  ) {
    this.cost = options.cost ?? DEFAULT_SYNC_COST
    this.applyKind = sim.defineKind<PendingApply>(`kube-proxy-restore:${config.nodeName}`, (p) => p.proxy.land(p))
    this.directKind = sim.defineKind<KubeProxy>(`kube-proxy-direct-sync:${config.nodeName}`, (kp) => kp.syncDirect())
    const node = options.node
    const nftNode = options.nftNode
    const hooks = {
      now: () => sim.now,
      requestSync: () => this.runner.run(),
      syncNow: () => this.syncDirect(),
      retryAfter: (after: Nanos) => this.runner.retryAfter(after),
      quietUntil: () => this.runner.quietUntil(),
    }
    const stashConntrack = (targets: UdpConntrackTargets): void => {
      if (this.stash !== undefined) this.stash.conntrack = targets
    }
    const ipvsNode = options.ipvsNode
    if (ipvsNode !== undefined) {
      // graceful_termination.go Run: tryDeleteRs every rsCheckDeleteInterval.
      this.gracefulKind = sim.defineKind<KubeProxy>(`kube-proxy-ipvs-graceful:${config.nodeName}`, (kp) => kp.gracefulTick())
    }
    this.proxier = ipvsNode !== undefined ? new IpvsProxier(config, {
      ...hooks,
      kernel: {
        ipvs: ipvsNode.ipvs,
        ipsets: ipvsNode.ipsets,
        dummyAddresses: () => ipvsNode.dummyAddresses(),
        nodeAddresses: () => ipvsNode.nodeAddresses(),
        bindAddress: (ip) => ipvsNode.bindAddress(ip),
        unbindAddress: (ip) => ipvsNode.unbindAddress(ip),
        // The ipvsadm/ipset/netlink calls take effect during the sync; the iptables-restore lands when it ends.
        restore: (_payload, jumpRules) => {
          this.stash = { jumpRules, nft: null, conntrack: undefined }
        },
        cleanConntrack: stashConntrack,
      },
    }) : nftNode !== undefined ? new NftablesProxier(config, {
      ...hooks,
      sink: {
        // nft -f runs for the sync's duration; the kernel state it will meet is the current one plus this sync's
        // earlier transactions (syncs never overlap), so `nft -c` now tells whether it will be refused. A refused
        // transaction throws here (the proxier's failure path: full sync within syncPeriod) and is never run.
        run: (tx) => {
          const earlier = this.stash?.nft ?? []
          nftNode.check(earlier.length === 0 ? tx : earlier.join("") + tx)
          if (this.stash === undefined) this.stash = { jumpRules: undefined, nft: [tx], conntrack: undefined }
          else this.stash.nft?.push(tx)
        },
        ...(nftNode.listChains !== undefined ? { listChains: () => (nftNode.listChains as () => Iterable<string>)() } : {}),
        ...(nftNode.listSets !== undefined ? { listSets: () => (nftNode.listSets as () => Iterable<string>)() } : {}),
        cleanConntrack: stashConntrack,
      },
    }) : new IptablesProxier(config, {
      ...hooks,
      renderCache: options.renderCache,
      sink: {
        // The restore runs for the sync's duration; whether the kernel takes it is known when it lands.
        restore: (_payload, jumpRules, payloadId) => {
          this.stash = { jumpRules, payloadId, nft: null, conntrack: undefined }
        },
        natChains: node.natChains === undefined ? undefined : () => (node.natChains as () => Iterable<string>)(),
        ...(node.natChainNames !== undefined ? { natChainNames: () => (node.natChainNames as () => object)() } : {}),
        cleanConntrack: stashConntrack,
      },
    })
    // The runner's function: sync, then land the payload when the (simulated) restore finishes.
    this.syncOnce = (): Nanos => {
      const start = sim.now
      this.stash = undefined
      const result: SyncResult | undefined = this.proxier.syncProxyRules()
      if (result === undefined) return 0
      // iptables mode counts its payload's lines as it builds it; IPVS adds its kernel (ipvsadm-like) operations.
      const lines = ("payloadLines" in result ? result.payloadLines : countLines(result.payload)) + ("operations" in result ? result.operations : 0)
      const duration = this.cost.base + this.cost.perLine * lines
      const s = this.takeStash()
      if (s !== undefined || !result.success) {
        // A transaction refused by `nft -c` is reported when its sync would have landed, like a refused restore.
        const pending: PendingApply = { proxy: this, result, jumpRules: s?.jumpRules, payloadId: s?.payloadId, nft: s !== undefined ? s.nft : this.options.nftNode !== undefined ? [] : null, start, end: start + duration, conntrack: s?.conntrack }
        sim.after(duration, this.applyKind, pending)
      }
      this.options.onSync?.(result, start, start + duration)
      return duration
    }
    // ipvs/proxier.go NewProxier: maxInterval is syncPeriod (every IPVS sync is a full one); the others use FullSyncPeriod.
    const maxInterval = ipvsNode !== undefined ? this.proxier.config.syncPeriod : FULL_SYNC_PERIOD
    this.runner = new BoundedFrequencyRunner(sim, `sync-runner:${config.nodeName}`, this.syncOnce, this.proxier.config.minSyncPeriod, maxInterval, 2)
  }

  private takeStash(): KubeProxy["stash"] {
    const s = this.stash
    this.stash = undefined
    return s
  }

  /** A direct syncProxyRules call (the informers' synced callbacks): waits for a sync in progress, then runs. */
  private syncDirect(): void {
    if (this.runner.busy) {
      this.sim.at(this.runner.freeAt, this.directKind, this)
      return
    }
    this.runner.hold(this.sim.now + this.syncOnce())
    this.proxier.rearm()
  }

  /** The restore finishes: the kernel takes the payload whole or refuses it (then: full sync on retry). */
  private land(p: PendingApply): void {
    let error: string | undefined
    try {
      // nftables mode: the transactions that passed `nft -c` (a stale-chain deletion may precede a refused one).
      if (p.nft !== null) for (const tx of p.nft) this.options.nftNode?.run(tx)
      else this.options.node.apply(p.result.payload, p.jumpRules, p.payloadId)
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    if (!p.result.success) {
      // nftables mode: the sync's transaction was refused by `nft -c`; the proxier already took its failure path.
      error = p.result.error
    } else if (error === undefined) {
      // proxier.go: conntrack.CleanStaleEntries runs after RestoreAll succeeded, never before the new rules are in
      // (nftables/proxier.go: after the nft transaction ran).
      if (p.conntrack !== undefined) {
        if (p.nft !== null) this.options.nftNode?.cleanConntrack?.(p.conntrack)
        else this.options.node.cleanConntrack?.(p.conntrack)
      }
    } else {
      this.proxier.restoreFailed(error)
    }
    this.options.onRestore?.({ result: p.result, start: p.start, end: p.end, error })
  }

  /** Starts the runner loop (SyncLoop). Call once; the first sync happens when both informers have synced. */
  start(): void {
    this.runner.loop()
    if (this.gracefulKind !== null) this.sim.after(RS_CHECK_DELETE_INTERVAL, this.gracefulKind, this)
  }

  /** IPVS mode: one pass of the graceful termination list, then the next in rsCheckDeleteInterval. */
  private gracefulTick(): void {
    if (this.proxier instanceof IpvsProxier) this.proxier.tryDeleteRs()
    if (this.gracefulKind !== null) this.sim.after(RS_CHECK_DELETE_INTERVAL, this.gracefulKind, this)
  }

  /** Informer callbacks (pkg/proxy/config ServiceConfig / EndpointSliceConfig). */
  onServiceAdd(s: ServiceView): void {
    this.proxier.onServiceAdd(s)
  }
  onServiceUpdate(old: ServiceView, s: ServiceView): void {
    this.proxier.onServiceUpdate(old, s)
  }
  onServiceDelete(s: ServiceView): void {
    this.proxier.onServiceDelete(s)
  }
  onEndpointSliceAdd(s: EndpointSliceView): void {
    this.proxier.onEndpointSliceAdd(s)
  }
  onEndpointSliceUpdate(old: EndpointSliceView, s: EndpointSliceView): void {
    this.proxier.onEndpointSliceUpdate(old, s)
  }
  onEndpointSliceDelete(s: EndpointSliceView): void {
    this.proxier.onEndpointSliceDelete(s)
  }
  /** Both informers have delivered their initial lists: each synced callback syncs directly (the second one writes). */
  onSynced(): void {
    this.proxier.onServiceSynced()
    this.proxier.onEndpointSlicesSynced()
  }
}

const countLines = (s: string): number => {
  let n = 0
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++
  return n
}
