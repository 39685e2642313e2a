import { applyRestore, chainNamesOf, formatIpv4, PROTO_UDP, type Host, type RestoreOptions, type RuleParseCache, type Ruleset, type TableShareCache } from "../../net/index"
import { isStaleUdpEntry, type JumpRule, type KubeProxyNode, type UdpConntrackTargets } from "../proxy/index"

const NO_NAT_TABLE: object = Object.freeze({})

/**
 * The node side of kube-proxy's iptables mode: where a sync's restore payload lands on the node's kernel.
 *
 * As pkg/proxy/iptables/proxier.go syncProxyRules does on a full sync: EnsureChain + EnsureRule(Prepend) for each
 * jump rule from a built-in chain (pkg/util/iptables/iptables.go: `-N`, `-C`, else `-I`), then
 * `iptables-restore --noflush` with the payload. UDP conntrack entries pointing at a Service frontend but no
 * longer at one of its serving endpoints are deleted after the sync (pkg/proxy/conntrack/cleanup.go).
 */
export class NodeRuleset implements KubeProxyNode {
  /** Restores applied (one per sync that wrote rules). */
  restores = 0
  /** UDP conntrack entries deleted by cleanup, over the run. */
  conntrackCleared = 0
  /**
   * The sets of nat chains restores may have changed since `takeWrittenNat` (null: any of them). The sets are the
   * restores' own (shared by every node restoring the same payload), so nodes in step hold the same ones.
   */
  private writtenNat: Array<ReadonlySet<string>> | null = null

  constructor(
    readonly host: Host,
    readonly ruleset: Ruleset,
    /** Parsed rules and whole restore results shared with the other nodes' kube-proxies (most restore the same text). */
    private readonly shared: { readonly rules?: RuleParseCache; readonly tables?: TableShareCache } = {},
  ) {}

  private readonly onWritten = (table: string, chains: ReadonlySet<string> | null): void => {
    if (table !== "nat" || this.writtenNat === null) return
    if (chains === null) this.writtenNat = null
    else this.writtenNat.push(chains)
  }

  /** The nat chains restores may have changed since the last call (null: unknown, any), then forgets them. */
  takeWrittenNat(): ReadonlyArray<ReadonlySet<string>> | null {
    const out = this.writtenNat
    this.writtenNat = []
    return out
  }

  private options: RestoreOptions | undefined
  private get restoreOptions(): RestoreOptions {
    return (this.options ??= {
      noflush: true,
      onWritten: this.onWritten,
      ...(this.shared.rules !== undefined ? { ruleCache: this.shared.rules } : {}),
      ...(this.shared.tables !== undefined ? { tableCache: this.shared.tables } : {}),
    })
  }

  apply(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined, payloadId?: object): void {
    if (jumpRules !== undefined) this.ensureJumpRules(jumpRules)
    applyRestore(this.ruleset, payload, payloadId === undefined ? this.restoreOptions : { ...this.restoreOptions, textId: payloadId })
    this.restores++
  }

  /** `iptables-save -t nat` chain names (what the proxier lists to find stale service chains). */
  natChains(): Iterable<string> {
    return this.ruleset.table("nat")?.chains.keys() ?? []
  }

  /** What identifies the names `natChains` yields (nodes in step hold the same): stale chains are found once. */
  natChainNames(): object {
    const t = this.ruleset.table("nat")
    return t === undefined ? NO_NAT_TABLE : chainNamesOf(t.chains)
  }

  cleanConntrack(targets: UdpConntrackTargets): void {
    const ct = this.host.conntrack
    if (ct === null || (targets.serviceIPs.size === 0 && targets.nodePorts.size === 0)) return
    const now = this.host.net.sim.now
    // conntrack/cleanup.go CleanStaleEntries: filter UDP entries by original destination and reply source.
    this.conntrackCleared += ct.deleteWhere(
      (e) =>
        e.proto === PROTO_UDP &&
        isStaleUdpEntry({ protocol: "udp", origDstIP: formatIpv4(e.origDst), origDstPort: e.origDport, replySrcIP: formatIpv4(e.replySrc) }, targets),
      now,
    )
  }

  /** EnsureChain for each jump target, then EnsureRule(Prepend): `-I` only when the exact rule is absent. */
  private ensureJumpRules(jumps: ReadonlyArray<JumpRule>): void {
    const byTable = new Map<string, string[]>()
    for (const j of jumps) {
      const lines = byTable.get(j.table) ?? []
      const exists = this.ruleset.chain(j.table, j.dstChain) !== undefined
      if (!exists && !lines.includes(`:${j.dstChain} - [0:0]`)) lines.unshift(`:${j.dstChain} - [0:0]`)
      const present = this.ruleset.chain(j.table, j.srcChain)?.rules.some((r) => r.restoreText === j.args) ?? false
      if (!present) lines.push(`-I ${j.srcChain} ${j.args}`)
      byTable.set(j.table, lines)
    }
    let text = ""
    for (const [table, lines] of byTable) if (lines.length > 0) text += `*${table}\n${lines.join("\n")}\nCOMMIT\n`
    if (text !== "") applyRestore(this.ruleset, text, this.restoreOptions)
  }
}
