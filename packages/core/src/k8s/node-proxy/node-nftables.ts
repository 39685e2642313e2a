import { applyNft, formatIpv4, PROTO_UDP, type Host, type NftRuleset } from "../../net/index"
import { isStaleUdpEntry, type NftKubeProxyNode, type UdpConntrackTargets } from "../proxy/index"

/**
 * The node side of kube-proxy's nftables mode: each sync's transaction is checked against the kernel (`nft -c`)
 * when kube-proxy writes it and applied (`nft -f`, atomic) when its simulated duration ends. UDP conntrack
 * entries pointing at a Service frontend but no longer at a serving endpoint are deleted after a sync, as in
 * iptables mode (pkg/proxy/conntrack/cleanup.go is shared by both proxiers).
 */
export class NodeNftables implements NftKubeProxyNode {
  /** Transactions applied. */
  transactions = 0
  conntrackCleared = 0

  constructor(
    readonly host: Host,
    readonly ruleset: NftRuleset,
  ) {}

  check(tx: string): void {
    applyNft(this.ruleset, tx, { now: this.host.net.sim.now, dryRun: true })
  }

  run(tx: string): void {
    applyNft(this.ruleset, tx, { now: this.host.net.sim.now })
    this.transactions++
  }

  listChains(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.chains.keys() ?? []
  }

  listSets(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.sets.keys() ?? []
  }

  cleanConntrack(targets: UdpConntrackTargets): void {
    const ct = this.host.conntrack
    if (ct === null || (targets.serviceIPs.size === 0 && targets.nodePorts.size === 0)) return
    this.conntrackCleared += ct.deleteWhere(
      (e) =>
        e.proto === PROTO_UDP &&
        isStaleUdpEntry({ protocol: "udp", origDstIP: formatIpv4(e.origDst), origDstPort: e.origDport, replySrcIP: formatIpv4(e.replySrc) }, targets),
      this.host.net.sim.now,
    )
  }
}
