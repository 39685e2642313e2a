import { NANOS_PER_MICRO, type Nanos, type Simulation } from "../../sim/index"
import type { EndpointSliceView, ServiceView } from "./api-view"
import { BoundedFrequencyRunner } from "./bounded-frequency-runner"
import type { UdpConntrackTargets } from "./conntrack-cleanup"
import type { IptablesProxierConfig } from "./iptables/config"
import { FULL_SYNC_PERIOD, IptablesProxier, type IptablesSyncResult } from "./iptables/iptables-proxier"
import type { JumpRule } from "./iptables/jump-chains"
import type { IptablesRenderCache } from "./iptables/render-cache"
import { NftablesProxier, type NftablesProxierConfig, type NftablesRuleSink, type NftablesSyncResult } from "./nftables/nftables-proxier"

/**
 * The node side of kube-proxy: where its restore payloads land. `apply` is called when the restore completes
 * (at the end of the sync's simulated duration), which is when the new rules start to matter; until then
 * packets follow the old rules. The netfilter layer implements it with
 * `applyRestore(ruleset, payload, { noflush: true })` after ensuring `jumpRules`.
 */
export interface KubeProxyNode {
  apply(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined): void
  /** Service chains present in the node's nat table (iptables-save -t nat); optional. */
  natChains?(): Iterable<string>
  /** UDP conntrack reconciliation after a sync (conntrack/cleanup.go); optional. */
  cleanConntrack?(targets: UdpConntrackTargets): void
  /** Validates a payload before the sync commits to it; throw to make the restore fail (e.g. a parse error). */
  check?(payload: string): void
}

/**
 * The node side of kube-proxy's nftables mode: `run` applies a transaction as `nft -f` (when the sync's simulated
 * duration ends); `check` is `nft -c -f` against the current kernel state, throwing if it would be refused.
 */
export interface NftKubeProxyNode extends Omit<NftablesRuleSink, "run"> {
  run(transaction: string): void
  check(transaction: string): void
}

/** How long a sync takes in simulated time: a fixed part plus a cost per restore line (iptables-restore scales with input). */
export interface SyncCostModel {
  readonly base: Nanos
  readonly perLine: Nanos
}

/** A modest default: 5 ms plus 2 µs per payload line (so 100k lines take ≈ 0.2 s). */
export const DEFAULT_SYNC_COST: SyncCostModel = { base: 5_000 * NANOS_PER_MICRO, perLine: 2 * NANOS_PER_MICRO }

export interface KubeProxyOptions {
  readonly node: KubeProxyNode
  /** nftables mode: transactions go here and `node` is left alone (default: iptables mode). */
  readonly nftNode?: NftKubeProxyNode
  readonly cost?: SyncCostModel
  readonly renderCache?: IptablesRenderCache
  /** Observes every sync (for records and metrics). */
  readonly onSync?: (result: IptablesSyncResult | NftablesSyncResult, start: Nanos, end: Nanos) => void
}

interface PendingApply {
  readonly proxy: KubeProxy
  readonly payload: string
  readonly jumpRules: ReadonlyArray<JumpRule> | undefined
  /** nftables mode: the sync's transactions, in order (stale-chain deletion, then the sync's own). */
  readonly nft: ReadonlyArray<string> | null
}

/**
 * One node's kube-proxy (iptables mode, or nftables mode with `nftNode`) on the simulation kernel: informer callbacks feed the proxier's change
 * trackers; syncs go through the BoundedFrequencyRunner (minSyncPeriod, burst 2, maxInterval FullSyncPeriod,
 * as proxier.go NewProxier); each sync takes simulated time and its payload reaches the node when it ends.
 */
export class KubeProxy {
  readonly proxier: IptablesProxier | NftablesProxier
  readonly runner: BoundedFrequencyRunner
  private readonly cost: SyncCostModel
  private readonly applyKind

  constructor(
    private readonly sim: Simulation,
    config: IptablesProxierConfig | NftablesProxierConfig,
    private readonly options: KubeProxyOptions,
  ) {
    this.cost = options.cost ?? DEFAULT_SYNC_COST
    this.applyKind = sim.defineKind<PendingApply>(`kube-proxy-restore:${config.nodeName}`, (p) =>
      p.nft !== null ? p.nft.forEach((tx) => p.proxy.options.nftNode?.run(tx)) : p.proxy.options.node.apply(p.payload, p.jumpRules),
    )
    let pendingPayload: PendingApply | undefined
    const node = options.node
    const nftNode = options.nftNode
    const hooks = {
      now: () => sim.now,
      requestSync: () => this.runner.run(),
      syncNow: () => void syncOnce(),
      retryAfter: (after: Nanos) => this.runner.retryAfter(after),
    }
    this.proxier = nftNode !== undefined ? new NftablesProxier(config, {
      ...hooks,
      sink: {
        run: (tx) => {
          // Checked against the kernel as it will be: after this sync's earlier transactions, if any.
          if (pendingPayload?.nft == null) nftNode.check(tx)
          else nftNode.check(pendingPayload.nft.join("") + tx)
          pendingPayload = { proxy: this, payload: (pendingPayload?.payload ?? "") + tx, jumpRules: undefined, nft: [...(pendingPayload?.nft ?? []), tx] }
        },
        ...(nftNode.listChains !== undefined ? { listChains: () => (nftNode.listChains as () => Iterable<string>)() } : {}),
        ...(nftNode.listSets !== undefined ? { listSets: () => (nftNode.listSets as () => Iterable<string>)() } : {}),
        ...(nftNode.cleanConntrack !== undefined ? { cleanConntrack: (t: UdpConntrackTargets) => nftNode.cleanConntrack?.(t) } : {}),
      },
    }) : new IptablesProxier(config, {
      ...hooks,
      renderCache: options.renderCache,
      sink: {
        restore: (payload, jumpRules) => {
          node.check?.(payload)
          pendingPayload = { proxy: this, payload, jumpRules, nft: null }
        },
        natChains: node.natChains === undefined ? undefined : () => (node.natChains as () => Iterable<string>)(),
        cleanConntrack: node.cleanConntrack === undefined ? undefined : (t) => node.cleanConntrack?.(t),
      },
    })
    // The runner's function: sync, then land the payload when the (simulated) restore finishes.
    const syncOnce = (): Nanos => {
      const start = sim.now
      pendingPayload = undefined
      const result: IptablesSyncResult | NftablesSyncResult | undefined = this.proxier.syncProxyRules()
      if (result === undefined) return 0
      const lines = countLines(result.payload)
      const duration = this.cost.base + this.cost.perLine * lines
      const applied = pendingPayload as PendingApply | undefined
      if (applied !== undefined) sim.after(duration, this.applyKind, applied)
      this.options.onSync?.(result, start, start + duration)
      return duration
    }
    this.runner = new BoundedFrequencyRunner(sim, `sync-runner:${config.nodeName}`, syncOnce, this.proxier.config.minSyncPeriod, FULL_SYNC_PERIOD, 2)
  }

  /** Starts the runner loop (SyncLoop). Call once; the first sync happens when both informers have synced. */
  start(): void {
    this.runner.loop()
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
