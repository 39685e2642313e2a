import type { NftChain, NftSet, NftTable } from "./model"

/**
 * One network namespace's nftables state (what `nft list ruleset` shows): tables by `family name`, in
 * creation order. Changed only through `applyNft` (an atomic `nft -f` transaction).
 */
export class NftRuleset {
  readonly tables = new Map<string, NftTable>()
  /** Bumped by every committed transaction; evaluators cache base-chain lists against it. */
  generation = 0

  table(name: string): NftTable | undefined {
    return this.tables.get(`ip ${name}`)
  }

  chain(table: string, chain: string): NftChain | undefined {
    return this.table(table)?.chains.get(chain)
  }

  set(table: string, set: string): NftSet | undefined {
    return this.table(table)?.sets.get(set)
  }

  /** Rules in all chains of all tables (the cost of a full listing). */
  ruleCount(): number {
    let n = 0
    for (const t of this.tables.values()) for (const c of t.chains.values()) n += c.rules.length
    return n
  }
}
