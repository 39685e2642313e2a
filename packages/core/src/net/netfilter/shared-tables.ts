import type { Chain, Rule, Table, TableName } from "./model"
import type { SharedPlan } from "./chain-share"
import type { Ruleset } from "./ruleset"

const PLAN_MEMO = 16

/**
 * Chains that several rulesets' tables may hold at once (a restore result handed to every node that restored the
 * same payload onto the same table). They are never changed in place: evaluation copies one into the counting
 * ruleset before bumping a counter (`ownChain`), and a restore that writes to one works on a copy (restore.ts
 * `Staging.writable`, which then also copies the rules' counters).
 */
export const sharedChains = new WeakSet<Chain>()

/** A table's chain map that is shared between rulesets, with its id in memo keys. */
const sharedMaps = new WeakMap<Map<string, Chain>, number>()

/** Whether a table's chain map is held by several rulesets (then it is never changed in place). */
export const isSharedMap = (chains: Map<string, Chain>): boolean => sharedMaps.has(chains)

/**
 * The calling ruleset's own copy of a shared chain of table `t`, put in its place (the table's map copied first
 * when the map itself is shared), with its own counters starting from the shared chain's. Returns the copy
 * already made if an earlier count did this.
 */
export const ownChain = (t: Table, chain: Chain): Chain => {
  const mine = t.chains.get(chain.name)
  if (mine !== undefined && mine !== chain && !sharedChains.has(mine)) return mine
  if (sharedMaps.has(t.chains)) {
    const names = namesOf.get(t.chains)
    t.chains = new Map(t.chains)
    if (names !== undefined) namesOf.set(t.chains, names)
  }
  const copy: Chain = { ...chain, policyCounters: { ...chain.policyCounters }, rules: chain.rules.map(withOwnCounters) }
  // A copy replaces the chain under its name (the name set stays); a name new to the table changes it.
  if (mine === undefined) namesOf.delete(t.chains)
  t.chains.set(chain.name, copy)
  return copy
}

/**
 * The set of chain names a table's chain map holds, as a value: maps known to hold the same names share one
 * (issue 13: whether a shared restore fits a node depends on its table's chain names only, so it is decided
 * once per name set, not once per node). A map gets a fresh one when first asked (no sharing, still exact);
 * the shared restore moves a map it changed in place to the name set its plan leads to (`namesAfter`), the same
 * one for every map that started from the same set; a copy of a map keeps its names. Only those two paths
 * change a map's names in place; every other restore builds a new map.
 */
export class ChainNames {
  /** A shared section applied to this name set: the name set it leads to. */
  readonly after = new WeakMap<object, ChainNames>()
  /** Whether a shared section's questions about names get the answers its plan recorded, here. */
  readonly fits = new WeakMap<object, boolean>()
}
const namesOf = new WeakMap<Map<string, Chain>, ChainNames>()

/** The name set of a chain map. */
export const chainNamesOf = (chains: Map<string, Chain>): ChainNames => {
  let n = namesOf.get(chains)
  if (n === undefined) namesOf.set(chains, (n = new ChainNames()))
  return n
}

/** `chains` (changed in place by `section`, from name set `before`) now holds the names `section` leads to. */
export const namesAfter = (chains: Map<string, Chain>, before: ChainNames, section: object): void => {
  let next = before.after.get(section)
  if (next === undefined) before.after.set(section, (next = new ChainNames()))
  namesOf.set(chains, next)
}

export const withOwnCounters = (r: Rule): Rule => ({ ...r, counters: { packets: r.counters.packets, bytes: r.counters.bytes } })

interface Outcome {
  readonly tables: ReadonlyArray<readonly [TableName, Map<string, Chain>]>
}

const pristine = (chains: Map<string, Chain>): boolean => {
  for (const c of chains.values()) {
    if (c.rules.length > 0 || c.policyCounters.packets !== 0 || c.policyCounters.bytes !== 0) return false
  }
  return true
}

/**
 * Memoised restores (issue 13 "rules shared across nodes"): `(table state, payload text) → table state`. Most
 * nodes' kube-proxies write the same payloads at the same moments onto the same tables, so the first node to
 * restore a payload onto a given state builds the result and every other node in that state takes the same
 * chains — per-node memory then grows with what is node-specific (rules written only there, chains that
 * counted packets there), not with the cluster's rule count. A state is a shared chain map (by identity) or a
 * pristine table (no rules, zero policy counters: by name and policies); a ruleset whose table has chains of its
 * own (it counted packets, or restored something no other node did) restores on its own, as before.
 * Exactness: a hit installs what applying the payload to an identical table produced; chains stay immutable
 * while shared (see `sharedChains`); errors are never memoised (every node re-parses and fails alike).
 */
export class TableShareCache {
  private nextId = 1
  private readonly bySharedState = new WeakMap<Map<string, Chain>, Map<string, Outcome>>()
  private readonly byPristineState = new Map<string, Outcome>()
  /** Shared-chain plans of recent payloads (chain-share.ts), most recently used last. */
  private readonly plans = new Map<string, SharedPlan | null>()
  hits = 0
  misses = 0
  /** Restores that installed shared chains (chain-share.ts), and payloads planned for it. */
  planHits = 0
  planMisses = 0

  /** The shared-chain plan of `text` (built by `build`, against the first ruleset to restore it), or null if it has none. */
  plan(text: string, build: () => SharedPlan | null): SharedPlan | null {
    const known = this.plans.get(text)
    if (known !== undefined) {
      this.plans.delete(text)
      this.plans.set(text, known)
      return known
    }
    this.planMisses++
    const plan = build()
    // The nodes of a cluster restore a handful of distinct payloads at a time; the keys are whole payloads.
    if (this.plans.size >= PLAN_MEMO) this.plans.delete(this.plans.keys().next().value as string)
    this.plans.set(text, plan)
    return plan
  }

  /** The memo key of `ruleset`'s current state for the tables `names`, or null when it has chains of its own. */
  stateKey(ruleset: Ruleset, names: ReadonlyArray<TableName>): { readonly anchor: Map<string, Chain> | null; readonly key: string } | null {
    let anchor: Map<string, Chain> | null = null
    let key = ""
    for (const name of names) {
      const chains = ruleset.table(name)?.chains
      if (chains === undefined) {
        key += `${name}:absent;`
        continue
      }
      const id = sharedMaps.get(chains)
      if (id !== undefined) {
        anchor ??= chains
        key += `${name}:#${id};`
      } else if (pristine(chains)) {
        key += `${name}:${[...chains.values()].map((c) => `${c.name}/${c.policy ?? "-"}`).join(",")};`
      } else return null
    }
    return { anchor, key }
  }

  lookup(state: { readonly anchor: Map<string, Chain> | null; readonly key: string }, text: string): Outcome | undefined {
    const hit = state.anchor === null ? this.byPristineState.get(`${state.key}\n${text}`) : this.bySharedState.get(state.anchor)?.get(`${state.key}\n${text}`)
    if (hit !== undefined) this.hits++
    else this.misses++
    return hit
  }

  /** Marks the restored tables of `ruleset` shared and remembers them as the outcome of `text` on `state`. */
  remember(state: { readonly anchor: Map<string, Chain> | null; readonly key: string }, text: string, ruleset: Ruleset, names: ReadonlyArray<TableName>): void {
    const tables: Array<readonly [TableName, Map<string, Chain>]> = []
    for (const name of names) {
      const t = ruleset.table(name)
      if (t === undefined) continue
      if (!sharedMaps.has(t.chains)) sharedMaps.set(t.chains, this.nextId++)
      for (const c of t.chains.values()) sharedChains.add(c)
      tables.push([name, t.chains])
    }
    const outcome: Outcome = { tables }
    if (state.anchor === null) this.byPristineState.set(`${state.key}\n${text}`, outcome)
    else {
      let m = this.bySharedState.get(state.anchor)
      if (m === undefined) this.bySharedState.set(state.anchor, (m = new Map()))
      m.set(`${state.key}\n${text}`, outcome)
    }
  }
}

/** The tables a restore payload's `*table` lines name, in order (without parsing the rest). */
export const payloadTables = (text: string): TableName[] => {
  const out: TableName[] = []
  for (const m of text.matchAll(/^\*(raw|mangle|filter|nat)\s*$/gm)) {
    const name = m[1] as TableName
    if (!out.includes(name)) out.push(name)
  }
  return out
}
