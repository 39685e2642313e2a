import { type RecentOptions, RecentTables } from "./recent"
import { IpSets } from "./ipset"
import { type Chain, type Counters, type Table, type TableName, newTable } from "./model"

/**
 * One network namespace's iptables state: the loaded tables and the xt_recent lists their rules use.
 * Tables exist once created (a fresh host has filter and nat, as after kube-proxy's first run); only existing
 * tables are printed by iptables-save.
 */
export class Ruleset {
  readonly tables = new Map<TableName, Table>()
  readonly recent: RecentTables
  /** The namespace's ipsets (kube-proxy's IPVS mode keeps its Service addresses and ports in them). */
  readonly ipsets = new IpSets()
  /**
   * This namespace's counters for the shared chains its tables hold (shared-tables.ts): a chain other
   * namespaces hold too carries zeros, and each namespace counts on the side, so counting never copies it.
   */
  readonly sharedCounters = new WeakMap<Chain, ChainCounters>()

  constructor(options: { tables?: readonly TableName[]; recent?: RecentOptions } = {}) {
    for (const t of options.tables ?? ["filter", "nat"]) this.tables.set(t, newTable(t))
    this.recent = new RecentTables(options.recent)
  }

  table(name: TableName): Table | undefined {
    return this.tables.get(name)
  }

  /** The table, created empty (built-in chains, ACCEPT policies) if it does not exist yet. */
  ensureTable(name: TableName): Table {
    let t = this.tables.get(name)
    if (t === undefined) {
      t = newTable(name)
      this.tables.set(name, t)
    }
    return t
  }

  chain(table: TableName, chain: string): Chain | undefined {
    return this.tables.get(table)?.chains.get(chain)
  }

  /** Total number of rules in a table (kube-proxy's `sync_proxy_rules_iptables_total`). */
  ruleCount(table: TableName): number {
    let n = 0
    for (const c of this.tables.get(table)?.chains.values() ?? []) n += c.rules.length
    return n
  }
}

/** A namespace's counters for one shared chain: its policy's, and its rules' by position (absent: zero). */
export interface ChainCounters {
  readonly policy: Counters
  readonly rules: Array<Counters | undefined>
}
