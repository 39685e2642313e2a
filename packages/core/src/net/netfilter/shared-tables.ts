import type { Chain, Counters, Rule, TableName } from "./model"
import type { SharedPlan } from "./chain-share"
import type { ChainCounters, Ruleset } from "./ruleset"

const PLAN_MEMO = 16

/**
 * Chains that several rulesets' tables may hold at once (a restore result handed to every node that restored the
 * same payload onto the same table). They are never changed in place and their own counters stay zero: each
 * ruleset counts on the side (`Ruleset.sharedCounters`, through `countRule` / `countPolicy`), and a restore that
 * writes to one works on a copy with that ruleset's counters (`ownCopy`, from restore.ts `Staging.writable`).
 * So a node that forwards traffic keeps holding the same chains and chain maps as the others.
 */
export const sharedChains = new WeakSet<Chain>()

/** A table's chain map that is shared between rulesets, with its id in memo keys. */
const sharedMaps = new WeakMap<Map<string, Chain>, number>()

/** Whether a table's chain map is held by several rulesets (then it is never changed in place). */
export const isSharedMap = (chains: Map<string, Chain>): boolean => sharedMaps.has(chains)

const ZERO: Counters = Object.freeze({ packets: 0, bytes: 0 })

/** A rule's counters in `ruleset`: its own, or for a shared chain the namespace's side counters. */
export const ruleCounters = (ruleset: Ruleset, chain: Chain, index: number): Counters =>
  sharedChains.has(chain) ? (ruleset.sharedCounters.get(chain)?.rules[index] ?? ZERO) : (chain.rules[index] as Rule).counters

/** A built-in chain's policy counters in `ruleset` (as `ruleCounters`). */
export const policyCounters = (ruleset: Ruleset, chain: Chain): Counters =>
  sharedChains.has(chain) ? (ruleset.sharedCounters.get(chain)?.policy ?? ZERO) : chain.policyCounters

const sideOf = (ruleset: Ruleset, chain: Chain): ChainCounters => {
  let side = ruleset.sharedCounters.get(chain)
  if (side === undefined) ruleset.sharedCounters.set(chain, (side = { policy: { packets: 0, bytes: 0 }, rules: [] }))
  return side
}

/** A packet matched rule `index` of `chain` in `ruleset` (ipt_do_table's ADD_COUNTER). */
export const countRule = (ruleset: Ruleset, chain: Chain, index: number, bytes: number): void => {
  let c: Counters
  if (sharedChains.has(chain)) {
    const side = sideOf(ruleset, chain)
    c = side.rules[index] ??= { packets: 0, bytes: 0 }
  } else c = (chain.rules[index] as Rule).counters
  c.packets++
  c.bytes += bytes
}

/** A packet took `chain`'s policy in `ruleset`. */
export const countPolicy = (ruleset: Ruleset, chain: Chain, bytes: number): void => {
  const c = sharedChains.has(chain) ? sideOf(ruleset, chain).policy : chain.policyCounters
  c.packets++
  c.bytes += bytes
}

/** `chain` as a chain of `ruleset`'s own, with the counters it has there (a restore about to change it). */
export const ownCopy = (ruleset: Ruleset, chain: Chain): Chain => {
  const shared = sharedChains.has(chain)
  const rules = shared ? chain.rules.map((r, i) => withCounters(r, ruleCounters(ruleset, chain, i))) : chain.rules.slice()
  return { ...chain, policyCounters: { ...policyCounters(ruleset, chain) }, rules, version: chain.version + 1 }
}

const withCounters = (r: Rule, c: Counters): Rule => ({ ...r, counters: { packets: c.packets, bytes: c.bytes } })

/**
 * The set of chain names a table's chain map holds, as a value: maps known to hold the same names share one
 * (issue 13: whether a shared restore fits a node depends on its table's chain names only, so it is decided
 * once per name set, not once per node). A map gets a fresh one when first asked (no sharing, still exact);
 * the shared restore moves a map it changed in place to the name set its plan leads to (`namesAfter`), the same
 * one for every map that started from the same set. It is the only path that changes a map's names in place;
 * every other restore builds a new map.
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

interface Outcome {
  readonly tables: ReadonlyArray<readonly [TableName, Map<string, Chain>]>
  /** The chains the payload wrote, per table (null: any), for the restore's `onWritten`. */
  readonly written: ReadonlyMap<TableName, ReadonlySet<string> | null>
}

/** What a restore payload's text says before it is parsed (memoised per text: every node restores the same). */
export interface PayloadFacts {
  /** The tables its `*table` lines name, in order. */
  readonly tables: ReadonlyArray<TableName>
  /** It has an nth statistic match (whose packet count the kernel keeps per rule: never shared). */
  readonly nth: boolean
  /** The chains it changes in place (`inPlaceWrites`). */
  readonly writes: ReadonlyArray<readonly [TableName, string | null]>
}

type OutcomesByText = Map<string, Map<string, Outcome>>

const pristine = (ruleset: Ruleset, chains: Map<string, Chain>): boolean => {
  for (const c of chains.values()) {
    if (c.rules.length > 0) return false
    const p = policyCounters(ruleset, c)
    if (p.packets !== 0 || p.bytes !== 0) return false
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
  // Outcomes by state, then by state key and flags, then by payload text: the text is the very string every node
  // restores (its hash is computed once), never a copy concatenated per lookup.
  private readonly bySharedState = new WeakMap<Map<string, Chain>, OutcomesByText>()
  private readonly byPristineState: OutcomesByText = new Map()
  /** Shared-chain plans of recent payloads (chain-share.ts), most recently used last. */
  private readonly plans = new Map<string, SharedPlan | null>()
  /** What recent payloads say (`facts`), oldest first (the oldest is dropped when full). */
  private readonly payloadFacts = new Map<string, PayloadFacts>()
  /**
   * The same answers by a payload's identity (`RestoreOptions.textId`): a long string is a poor Map key (V8 hashes
   * a string over 16,383 characters by its length alone, so payloads of one length collide and each lookup
   * compares their text), so callers that restore one text object again and again say which it is.
   */
  private readonly factsById = new WeakMap<object, PayloadFacts>()
  private readonly plansById = new WeakMap<object, SharedPlan | null>()
  private readonly outcomesById = new WeakMap<object, Map<string, Outcome>>()
  hits = 0
  misses = 0
  /** Restores that installed shared chains (chain-share.ts), and payloads planned for it. */
  planHits = 0
  planMisses = 0

  /** The shared-chain plan of `text` (built by `build`, against the first ruleset to restore it), or null if it has none. */
  plan(text: string, build: () => SharedPlan | null, id?: object): SharedPlan | null {
    if (id !== undefined) {
      const byId = this.plansById.get(id)
      if (byId !== undefined) return byId
      const plan = this.plan(text, build)
      this.plansById.set(id, plan)
      return plan
    }
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

  /**
   * Whether restoring `text` would carry counters `ruleset` keeps on the side into the result: it changes in
   * place (appends to, inserts into, deletes from, flushes, sets the policy of) a chain it does not declare first,
   * and `ruleset` has counted on that chain. Such a result holds this ruleset's counts: it is not shared.
   */
  carriesCounters(ruleset: Ruleset, facts: PayloadFacts): boolean {
    for (const [table, name] of facts.writes) {
      const chains = ruleset.table(table)?.chains
      if (chains === undefined) continue
      if (name === null) {
        for (const c of chains.values()) if (ruleset.sharedCounters.has(c)) return true
        continue
      }
      const c = chains.get(name)
      if (c !== undefined && ruleset.sharedCounters.has(c)) return true
    }
    return false
  }

  /** What `text` says before it is parsed (read once per distinct payload). */
  facts(text: string, id?: object): PayloadFacts {
    if (id !== undefined) {
      const byId = this.factsById.get(id)
      if (byId !== undefined) return byId
      const facts = this.facts(text)
      this.factsById.set(id, facts)
      return facts
    }
    const known = this.payloadFacts.get(text)
    if (known !== undefined) return known
    if (this.payloadFacts.size >= PLAN_MEMO) this.payloadFacts.delete(this.payloadFacts.keys().next().value as string)
    const facts: PayloadFacts = { tables: payloadTables(text), nth: text.includes("--mode nth"), writes: inPlaceWrites(text) }
    this.payloadFacts.set(text, facts)
    return facts
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
      } else if (pristine(ruleset, chains)) {
        key += `${name}:${[...chains.values()].map((c) => `${c.name}/${c.policy ?? "-"}`).join(",")};`
      } else return null
    }
    return { anchor, key }
  }

  lookup(state: { readonly anchor: Map<string, Chain> | null; readonly key: string }, flags: string, text: string, id?: object): Outcome | undefined {
    // A state key names its shared maps by id (or a pristine table by its chains): unique to the state.
    const key = `${state.key}\n${flags}`
    if (id !== undefined) {
      const byId = this.outcomesById.get(id)?.get(key)
      if (byId !== undefined) {
        this.hits++
        return byId
      }
    }
    const byText = state.anchor === null ? this.byPristineState : this.bySharedState.get(state.anchor)
    const hit = byText?.get(key)?.get(text)
    if (hit !== undefined && id !== undefined) this.rememberById(id, key, hit)
    if (hit !== undefined) this.hits++
    else this.misses++
    return hit
  }

  /** Marks the restored tables of `ruleset` shared and remembers them as the outcome of `text` on `state`. */
  remember(
    state: { readonly anchor: Map<string, Chain> | null; readonly key: string },
    flags: string,
    text: string,
    ruleset: Ruleset,
    names: ReadonlyArray<TableName>,
    written: ReadonlyMap<TableName, ReadonlySet<string> | null>,
    id?: object,
  ): void {
    const tables: Array<readonly [TableName, Map<string, Chain>]> = []
    for (const name of names) {
      const t = ruleset.table(name)
      if (t === undefined) continue
      if (!sharedMaps.has(t.chains)) sharedMaps.set(t.chains, this.nextId++)
      for (const c of t.chains.values()) sharedChains.add(c)
      tables.push([name, t.chains])
    }
    let byText: OutcomesByText | undefined = this.byPristineState
    if (state.anchor !== null) {
      byText = this.bySharedState.get(state.anchor)
      if (byText === undefined) this.bySharedState.set(state.anchor, (byText = new Map()))
    }
    const key = `${state.key}\n${flags}`
    let outcomes = byText.get(key)
    if (outcomes === undefined) byText.set(key, (outcomes = new Map()))
    const outcome = { tables, written }
    outcomes.set(text, outcome)
    if (id !== undefined) this.rememberById(id, key, outcome)
  }

  private rememberById(id: object, key: string, outcome: Outcome): void {
    let byKey = this.outcomesById.get(id)
    if (byKey === undefined) this.outcomesById.set(id, (byKey = new Map()))
    byKey.set(key, outcome)
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

const TABLE_NAMES: ReadonlySet<string> = new Set(["raw", "mangle", "filter", "nat"])

/**
 * The chains a restore payload changes in place (table, chain; null: every chain of the table), read from its
 * lines without parsing rules: `-A/-I/-D/-R/-P` on, or `-F` of, a chain the section has not declared (`:NAME -`
 * or `-N`) before, and every built-in chain declaration (`:NAME POLICY` keeps its rules). A line it cannot read
 * counts as changing every chain of its table (the answer only ever errs towards not sharing).
 */
export const inPlaceWrites = (text: string): ReadonlyArray<readonly [TableName, string | null]> => {
  const out: Array<readonly [TableName, string | null]> = []
  let table: TableName = "filter"
  let declared = new Set<string>()
  // Only each line's first two words are read (a payload is restored per sync round: no word arrays per rule).
  for (const raw of text.split("\n")) {
    const line = (raw.charCodeAt(0) === 91 /* [ */ ? raw.replace(COUNTERS_PREFIX, "") : raw).trim()
    if (line === "" || line.charCodeAt(0) === 35 /* # */ || line === "COMMIT") continue
    const words = FIRST_TWO_WORDS.exec(line) as RegExpExecArray
    const op = words[1] as string
    const name = words[2]
    if (op.startsWith("*")) {
      const t = op.slice(1)
      if (TABLE_NAMES.has(t)) table = t as TableName
      declared = new Set()
    } else if (op.startsWith(":")) {
      const policy = words[2]
      if (policy === "-") declared.add(op.slice(1))
      else out.push([table, op.slice(1)])
    } else if (op === "-N" || op === "--new-chain") {
      if (name !== undefined) declared.add(name)
    } else if (op === "-X" || op === "--delete-chain") {
      continue
    } else if (op === "-F" || op === "--flush") {
      if (name === undefined || name.startsWith("-")) out.push([table, null])
      else if (!declared.has(name)) out.push([table, name])
    } else if (IN_PLACE_OPS.has(op) && name !== undefined) {
      if (!declared.has(name)) out.push([table, name])
    } else out.push([table, null])
  }
  return out
}

const COUNTERS_PREFIX = /^\[\d+:\d+\]\s+/
/** A trimmed, non-empty line's first word and second word (if any), as `line.split(/\s+/)` would give them. */
const FIRST_TWO_WORDS = /^(\S+)(?:\s+(\S+))?/
const IN_PLACE_OPS: ReadonlySet<string> = new Set(["-A", "--append", "-I", "--insert", "-D", "--delete", "-R", "--replace", "-P", "--policy"])
