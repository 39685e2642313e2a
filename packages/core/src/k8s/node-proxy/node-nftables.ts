import { applyNft, type Host, type NftRuleset } from "../../net/index"
import type { NftKubeProxyNode, UdpConntrackTargets } from "../proxy/index"
import type { NodeRuleset } from "./node-ruleset"

/**
 * The node side of kube-proxy's nftables mode: each sync's transaction is checked against the kernel (`nft -c`)
 * when kube-proxy writes it and applied (`nft -f`, atomic) when its simulated duration ends. UDP conntrack
 * entries pointing at a Service frontend but no longer at a serving endpoint are deleted after a sync, as in
 * iptables mode (pkg/proxy/conntrack/cleanup.go is shared by both proxiers).
 */
export class NodeNftables implements NftKubeProxyNode {
  /** Transactions applied. */
  transactions = 0

  constructor(
    readonly host: Host,
    readonly ruleset: NftRuleset,
    /** The node's iptables side, whose UDP conntrack cleanup (and count) serves both modes. */
    private readonly conntrack: NodeRuleset,
  ) {}

  /** The last transaction that passed `check`, and the ruleset generation it passed against. */
  private checked: { readonly tx: string; readonly generation: number } | null = null

  check(tx: string): void {
    applyNft(this.ruleset, tx, { now: this.host.net.sim.now, dryRun: true })
    this.checked = { tx, generation: this.ruleset.generation }
  }

  run(tx: string): void {
    // A transaction checked against this same state need not be checked again (the checks walk the whole table).
    const c = this.checked
    const same = c !== null && c.tx === tx
    applyNft(this.ruleset, tx, { now: this.host.net.sim.now, ...(same ? { checkedAtGeneration: c.generation } : {}) })
    this.checked = null
    this.transactions++
  }

  listChains(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.chains.keys() ?? []
  }

  listSets(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.sets.keys() ?? []
  }

  /** UDP conntrack cleanup is the mode-independent part (conntrack/cleanup.go): the node's iptables side does it. */
  cleanConntrack(targets: UdpConntrackTargets): void {
    this.conntrack.cleanConntrack(targets)
  }
}
