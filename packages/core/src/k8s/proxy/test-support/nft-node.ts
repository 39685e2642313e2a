import { applyNft, NftRuleset, renderNftRuleset } from "../../../net/index"
import { NftablesProxier, type NftablesProxierConfig, type NftablesRuleSink } from "../nftables/nftables-proxier"
import { FAKE_PROXIER_CONFIG } from "./fixtures"

/** Upstream's nftables NewFakeProxier (pkg/proxy/nftables/proxier_test.go): nodePortAddresses 192.168.0.2/32, serviceCIDRs 172.30.0.0/16. */
export const FAKE_NFT_CONFIG: NftablesProxierConfig = {
  ...FAKE_PROXIER_CONFIG,
  nodePortAddresses: ["192.168.0.2/32", "2001:db8::1/128"],
  serviceCIDRs: ["172.30.0.0/16"],
}

/** Tests only: every transaction lands in an NftRuleset through `nft -f` semantics (atomic, checked). */
export class NftSink implements NftablesRuleSink {
  readonly ruleset = new NftRuleset()
  readonly transactions: string[] = []
  failNext = false
  now = 0
  run(tx: string): void {
    if (this.failNext) {
      this.failNext = false
      throw new Error("nft: Error: Could not process rule (injected)")
    }
    applyNft(this.ruleset, tx, { now: this.now })
    this.transactions.push(tx)
  }
  listChains(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.chains.keys() ?? []
  }
  listSets(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.sets.keys() ?? []
  }
  get last(): string {
    const t = this.transactions[this.transactions.length - 1]
    if (t === undefined) throw new Error("no transaction yet")
    return t
  }
}

export const fakeNftProxier = (overrides: Partial<NftablesProxierConfig> = {}) => {
  const sink = new NftSink()
  const clock = { now: 0 }
  const proxier = new NftablesProxier({ ...FAKE_NFT_CONFIG, ...overrides }, { now: () => clock.now, sink })
  return { proxier, sink, clock }
}

// pkg/proxy/nftables/helpers_test.go objectOrder: higher sorts earlier.
const OBJECT_ORDER: Readonly<Record<string, number>> = { table: 10, chain: 9, rule: 8, set: 7, map: 6, element: 5 }

/**
 * helpers_test.go sortNFTablesTransaction: drop blank and `#` lines; sort by object type, then object name;
 * rules keep their order, other lines of one object sort as text.
 */
export const sortNFTablesTransaction = (tx: string): string => {
  const lines = tx.split("\n").filter((l) => l !== "" && !l.startsWith("#"))
  const decorated = lines.map((l, i) => ({ l, w: l.split(" "), i }))
  decorated.sort((a, b) => {
    if (a.w.length < 5 || b.w.length < 5) return a.i - b.i
    const ta = a.w[1] as string
    const tb = b.w[1] as string
    if (ta !== tb) return (OBJECT_ORDER[tb] ?? 0) - (OBJECT_ORDER[ta] ?? 0)
    const na = a.w[4] as string
    const nb = b.w[4] as string
    if (na !== nb) return na < nb ? -1 : 1
    if (ta === "rule") return a.i - b.i
    return a.l < b.l ? -1 : a.l > b.l ? 1 : 0
  })
  return decorated.map((d) => d.l).join("\n")
}

/**
 * The kube-proxy table's listing as a sorted list of its objects (listing order is creation order, which partial
 * syncs change), without empty per-service chains (stale ones wait a second to be deleted).
 */
export const settled = (rs: NftRuleset): string[] =>
  renderNftRuleset(rs, 0)
    .split(/\n(?=\t(?:set|map|chain) )/)
    .map((b) => b.replace(/\n+$/, "").replace(/\n\}$/, ""))
    .filter((b) => !/^\t chain (service|local|external|firewall|endpoint)-[A-Z2-7]{8}-[^ ]+ \{\n\t\}$/.test(b.replace("\tchain", "\t chain")))
    .sort()
