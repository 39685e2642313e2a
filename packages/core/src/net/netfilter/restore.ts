import { IptablesParseError, RuleSyntaxError } from "./errors"
import { type Chain, type Counters, type Policy, type RecentMatch, type Rule, type Table, type TableName, isBuiltinChain, isTableName, newChain, newTable, TABLE_ORDER } from "./model"
import { parseRuleWords } from "./parse-rule"
import { renderRuleSave } from "./render-rule"
import { type RuleParseCache, detach } from "./rule-cache"
import { type TableShareCache, chainNamesOf, isSharedMap, namesAfter, ownCopy, payloadTables, policyCounters, ruleCounters } from "./shared-tables"
import { planFits, planSharedRestore } from "./chain-share"
import type { Ruleset } from "./ruleset"
import { tokenize } from "./tokenize"

/** One command of an iptables-restore payload, with the 1-based line it came from. */
export type RestoreCommand =
  | { readonly op: "chain"; readonly line: number; readonly chain: string; readonly policy: Policy | null; readonly counters: Counters | null }
  | { readonly op: "append"; readonly line: number; readonly chain: string; readonly text: string; readonly words: readonly string[]; readonly counters: Counters | null }
  | { readonly op: "insert"; readonly line: number; readonly chain: string; readonly position: number; readonly text: string; readonly words: readonly string[]; readonly counters: Counters | null }
  | { readonly op: "delete"; readonly line: number; readonly chain: string; readonly text: string; readonly words: readonly string[] }
  | { readonly op: "delete-chain"; readonly line: number; readonly chain: string }
  | { readonly op: "flush"; readonly line: number; readonly chain: string | null }
  | { readonly op: "new-chain"; readonly line: number; readonly chain: string }
  | { readonly op: "policy"; readonly line: number; readonly chain: string; readonly policy: Policy }

export interface RestoreSection {
  readonly table: TableName
  readonly line: number
  readonly commands: readonly RestoreCommand[]
}

/** A parsed iptables-restore payload (or iptables-save dump): its table sections in order. */
export interface RestorePayload {
  readonly sections: readonly RestoreSection[]
}

const CHAIN_NAME = /^[^\s!-][^\s]{0,28}$/
/** The first two / three words and the space after each (as many as there are, as a word-by-word strip would). */
const SKIP_TWO_WORDS = /^(?:\S+\s*){0,2}/
const SKIP_THREE_WORDS = /^(?:\S+\s*){0,3}/

const err = (line: number, token: string, detail: string): never => {
  throw new IptablesParseError(line, token, detail)
}

const parseCounters = (text: string, line: number): Counters => {
  const m = /^\[(\d+):(\d+)\]$/.exec(text)
  if (m === null) return err(line, text, "expected counters like [0:0]")
  return { packets: Number(m[1]), bytes: Number(m[2]) }
}

/**
 * Parses iptables-restore / iptables-save text into sections and commands (iptables/iptables-restore.c and
 * xtables-restore.c line grammar): `*table`, `:CHAIN POLICY [p:b]`, `[p:b] -A CHAIN rule…`, `-I CHAIN [n]
 * rule…`, `-D CHAIN rule…`, `-N`, `-X`, `-F`, `-P`, `COMMIT`, `#` comments and blank lines. Rule options are
 * checked when the payload is applied (they need the table's chains). Errors name the line and token.
 */
export const parseRestore = (text: string): RestorePayload => {
  const sections: RestoreSection[] = []
  let current: { table: TableName; line: number; commands: RestoreCommand[] } | null = null
  const lines = text.split("\n")
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1
    const raw = (lines[n] as string).replace(/\r$/, "")
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    if (line.startsWith("*")) {
      if (current !== null) err(lineNo, line, `table ${current.table} (line ${current.line}) has no COMMIT before the next table`)
      const name = line.slice(1)
      if (!isTableName(name)) err(lineNo, line, "unknown table (expected *filter, *nat, *mangle or *raw)")
      current = { table: name as TableName, line: lineNo, commands: [] }
      continue
    }
    if (current === null) return err(lineNo, line.split(/\s+/)[0] ?? line, "expected a table line like *nat before any command")
    if (line === "COMMIT") {
      sections.push(current)
      current = null
      continue
    }
    let words: string[]
    try {
      words = tokenize(line)
    } catch (e) {
      if (e instanceof RuleSyntaxError) return err(lineNo, e.token, e.detail)
      throw e
    }
    if (line.startsWith(":")) {
      const [head, policy, ctr, ...rest] = words
      const chain = (head as string).slice(1)
      if (!CHAIN_NAME.test(chain)) err(lineNo, head as string, "invalid chain name (at most 29 characters, no spaces, not starting with - or !)")
      if (policy === undefined) err(lineNo, head as string, "chain line needs a policy (ACCEPT, DROP or -)")
      if (rest.length > 0) err(lineNo, rest[0] as string, "unexpected text after the chain's counters")
      const builtin = isBuiltinChain(current.table, chain)
      if (builtin && policy !== "ACCEPT" && policy !== "DROP") err(lineNo, policy as string, `built-in chain ${chain} needs policy ACCEPT or DROP`)
      if (!builtin && policy !== "-") err(lineNo, policy as string, `user chain ${chain} cannot have a policy (write "-")`)
      current.commands.push({
        op: "chain",
        line: lineNo,
        chain,
        policy: builtin ? (policy as Policy) : null,
        counters: ctr === undefined ? null : parseCounters(ctr, lineNo),
      })
      continue
    }
    let counters: Counters | null = null
    let rest = line
    if (line.startsWith("[")) {
      const close = line.indexOf("]")
      counters = parseCounters(close < 0 ? line : line.slice(0, close + 1), lineNo)
      rest = line.slice(close + 1).trimStart()
      words = words.slice(1)
    }
    const [op, chain] = words
    if (chain === undefined && op !== "-F") err(lineNo, op ?? line, `${op ?? "command"} needs a chain name`)
    const ruleText = (skip: 2 | 3): string =>
      // The rule's option text exactly as written: everything after the op, chain (and position).
      rest.replace(skip === 2 ? SKIP_TWO_WORDS : SKIP_THREE_WORDS, "").trimEnd()
    const c = chain as string
    switch (op) {
      case "-A":
      case "--append":
        current.commands.push({ op: "append", line: lineNo, chain: c, text: ruleText(2), words: words.slice(2), counters })
        break
      case "-I":
      case "--insert": {
        const pos = words[2] !== undefined && /^\d+$/.test(words[2]) ? Number(words[2]) : null
        if (pos === 0) err(lineNo, "0", "rule positions start at 1")
        const skip = pos === null ? 2 : 3
        current.commands.push({ op: "insert", line: lineNo, chain: c, position: pos ?? 1, text: ruleText(skip), words: words.slice(skip), counters })
        break
      }
      case "-D":
      case "--delete":
        current.commands.push({ op: "delete", line: lineNo, chain: c, text: ruleText(2), words: words.slice(2) })
        break
      case "-X":
      case "--delete-chain":
        if (words.length > 2) err(lineNo, words[2] as string, "-X takes one chain name")
        current.commands.push({ op: "delete-chain", line: lineNo, chain: c })
        break
      case "-F":
      case "--flush":
        current.commands.push({ op: "flush", line: lineNo, chain: chain ?? null })
        break
      case "-N":
      case "--new-chain":
        if (!CHAIN_NAME.test(c)) err(lineNo, c, "invalid chain name")
        current.commands.push({ op: "new-chain", line: lineNo, chain: c })
        break
      case "-P":
      case "--policy": {
        const p = words[2]
        if (p !== "ACCEPT" && p !== "DROP") err(lineNo, p ?? c, "-P needs ACCEPT or DROP")
        current.commands.push({ op: "policy", line: lineNo, chain: c, policy: p as Policy })
        break
      }
      default:
        err(lineNo, op ?? line, "unknown command (expected -A, -I, -D, -N, -X, -F, -P, a :CHAIN line or COMMIT)")
    }
  }
  if (current !== null) err(lines.length, `*${current.table}`, `table ${current.table} (line ${current.line}) ends without COMMIT (truncated input?)`)
  return { sections }
}

/** Renders a parsed payload back to text (one canonical spelling per command; rules as written). */
export const renderPayload = (p: RestorePayload): string => {
  const out: string[] = []
  for (const s of p.sections) {
    out.push(`*${s.table}`)
    for (const c of s.commands) {
      const ctr = (x: Counters | null): string => (x === null ? "" : `[${x.packets}:${x.bytes}] `)
      switch (c.op) {
        case "chain":
          out.push(`:${c.chain} ${c.policy ?? "-"}${c.counters === null ? "" : ` [${c.counters.packets}:${c.counters.bytes}]`}`)
          break
        case "append":
          out.push(`${ctr(c.counters)}-A ${c.chain}${c.text === "" ? "" : ` ${c.text}`}`)
          break
        case "insert":
          out.push(`${ctr(c.counters)}-I ${c.chain} ${c.position}${c.text === "" ? "" : ` ${c.text}`}`)
          break
        case "delete":
          out.push(`-D ${c.chain}${c.text === "" ? "" : ` ${c.text}`}`)
          break
        case "delete-chain":
          out.push(`-X ${c.chain}`)
          break
        case "flush":
          out.push(c.chain === null ? "-F" : `-F ${c.chain}`)
          break
        case "new-chain":
          out.push(`-N ${c.chain}`)
          break
        case "policy":
          out.push(`-P ${c.chain} ${c.policy}`)
          break
      }
    }
    out.push("COMMIT")
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`
}

export interface RestoreOptions {
  /** iptables-restore --noflush: keep chains the payload does not mention (kube-proxy always uses it). */
  noflush: boolean
  /** iptables-restore --counters: take counters from `[p:b]` and `:CHAIN POLICY [p:b]`. */
  counters?: boolean
  /** Remember each rule's text for `renderRestore` (true for restore payloads, false for save dumps). */
  keepText?: boolean
  /** Share parsed rules with other rulesets restoring the same text (rule-cache.ts); counters stay per ruleset. */
  ruleCache?: RuleParseCache
  /**
   * Share whole restore results with other rulesets that restore the same text onto the same table state
   * (shared-tables.ts); counters stay per ruleset. `applyRestore` only (it needs the text).
   */
  tableCache?: TableShareCache
  /**
   * Told, after a successful restore, which chains of each table it may have changed: their names, or null
   * when it cannot say (a flush of the table, or a whole shared table installed). Chains not named are as before.
   */
  onWritten?: (table: TableName, chains: ReadonlySet<string> | null) => void
  /**
   * With `tableCache`: an object that stands for `text` (the same object only ever with the same text, e.g.
   * kube-proxy's memoised payload record), so the cache's memos find it by identity instead of by the text.
   */
  textId?: object
}

/**
 * The chain copies one section works on; originals stay untouched until every section has succeeded. `own`
 * holds the chains this restore created or copied (a later section of the same table goes on with them): the
 * only chains whose rules it wrote, so the checks after it look at them, not at the whole table.
 */
class Staging {
  readonly chains: Map<string, Chain>
  readonly own: Set<Chain>
  readonly deleted = new Map<string, number>()
  constructor(
    private readonly ruleset: Ruleset,
    readonly table: TableName,
    base: Table,
    flush: boolean,
    own?: Set<Chain>,
  ) {
    this.own = own ?? new Set()
    if (!flush) this.chains = new Map(base.chains)
    else {
      this.chains = new Map()
      for (const [name, c] of base.chains) if (c.builtin) this.chains.set(name, this.fresh(name, true, c.policy))
    }
  }
  /** The chains this restore wrote that the table still holds. */
  *written(): IterableIterator<Chain> {
    for (const c of this.own) if (this.chains.get(c.name) === c) yield c
  }
  fresh(name: string, builtin: boolean, policy: Policy | null): Chain {
    const c = newChain(name, builtin, policy)
    this.own.add(c)
    return c
  }
  /** A chain this section may modify (copied on first write). */
  writable(name: string, line: number): Chain {
    const c = this.chains.get(name) ?? err(line, name, `no chain named ${name} in table ${this.table}`)
    if (this.own.has(c)) return c
    // A chain other rulesets hold stays as it is: the copy takes this ruleset's counters.
    const copy = ownCopy(this.ruleset, c)
    this.own.add(copy)
    this.chains.set(name, copy)
    return copy
  }
}

/**
 * Applies an iptables-restore payload to `ruleset` with iptables-restore semantics: without `noflush` each
 * table in the payload is emptied first (user chains deleted); `:CHAIN` creates a user chain or flushes it,
 * and sets a built-in chain's policy; chains the payload does not name stay as they are. All or nothing: on any
 * error the ruleset is unchanged and an IptablesParseError names the line and token.
 */
export const applyRestore = (ruleset: Ruleset, text: string, options: RestoreOptions): void => {
  const cache = options.tableCache
  if (cache === undefined) return applyPayload(ruleset, parseRestore(text), options)
  const id = options.textId
  if (options.noflush && options.counters !== true && options.keepText !== false && restoreShared(ruleset, text, cache, options.onWritten, id)) return
  const facts = cache.facts(text, id)
  // The kernel keeps an nth statistic match's packet count per rule, and a restore that changes a chain in
  // place keeps this ruleset's counts on it: neither result is shared.
  const state = facts.nth || cache.carriesCounters(ruleset, facts) ? null : cache.stateKey(ruleset, facts.tables)
  const flags = `${options.noflush ? "N" : "F"}${options.counters === true ? "C" : "-"}${options.keepText === false ? "-" : "T"}`
  if (state !== null) {
    const hit = cache.lookup(state, flags, text, id)
    if (hit !== undefined) {
      for (const [name, chains] of hit.tables) ruleset.ensureTable(name).chains = chains
      if (options.onWritten !== undefined) for (const [name, chains] of hit.written) options.onWritten(name, chains)
      keepRecentLists(ruleset)
      return
    }
  }
  const payload = parseRestore(text)
  const { onWritten, ...rest } = options
  applyPayload(ruleset, payload, rest)
  // The same sets are reported to this ruleset and to every one that later takes the remembered outcome.
  const written = writtenBy(payload, options.noflush)
  if (state !== null) cache.remember(state, flags, text, ruleset, facts.tables, written, id)
  if (onWritten !== undefined) for (const [name, chains] of written) onWritten(name, chains)
}

export const applyPayload = (ruleset: Ruleset, payload: RestorePayload, options: RestoreOptions): void => {
  const keepText = options.keepText ?? true
  const staged = new Map<TableName, Staging>()
  for (const section of payload.sections) {
    const base = staged.get(section.table)
    const st = new Staging(
      ruleset,
      section.table,
      base === undefined ? (ruleset.table(section.table) ?? newTable(section.table)) : { name: section.table, chains: base.chains },
      !options.noflush,
      base?.own,
    )
    for (const c of section.commands) applyCommand(st, c, options.counters ?? false, keepText, options.ruleCache)
    validate(st)
    staged.set(section.table, st)
  }
  // libxt_set.c get_set_byname: a rule naming a set that does not exist fails the whole restore. Only the rules
  // written now are looked up: a rule already in the kernel holds a reference to its set (xt_set.c
  // ip_set_nfnl_get_byindex), which cannot be destroyed while in use.
  for (const st of staged.values()) {
    for (const c of st.written()) {
      for (const r of c.rules) for (const m of r.matches) if (m.kind === "set") {
        withSetRules.add(ruleset)
        if (ruleset.ipsets.get(m.name) === undefined) {
          err(0, m.name, `Set ${m.name} doesn't exist (chain ${c.name}: create it with ipset before the rules that use it)`)
        }
      }
    }
  }
  for (const [name, st] of staged) {
    const t = ruleset.ensureTable(name)
    const before = t.chains
    t.chains = st.chains
    carryRecentMatches(before, st)
  }
  keepRecentLists(ruleset)
  if (options.onWritten !== undefined) reportWritten(payload, options.noflush, options.onWritten)
}

/** The chains each section's commands name (a restore with noflush leaves every other chain as it was); null: any. */
const writtenBy = (payload: RestorePayload, noflush: boolean): Map<TableName, ReadonlySet<string> | null> => {
  const byTable = new Map<TableName, Set<string> | null>()
  for (const section of payload.sections) {
    let names = byTable.get(section.table)
    if (names === null) continue
    if (!noflush) {
      byTable.set(section.table, null)
      continue
    }
    if (names === undefined) byTable.set(section.table, (names = new Set()))
    for (const c of section.commands) {
      if (c.op === "flush" && c.chain === null) {
        byTable.set(section.table, null)
        break
      }
      names.add(c.chain as string)
    }
  }
  return byTable
}

const reportWritten = (payload: RestorePayload, noflush: boolean, report: NonNullable<RestoreOptions["onWritten"]>): void => {
  for (const [table, names] of writtenBy(payload, noflush)) report(table, names)
}

/** Rulesets whose tables have held rules naming ipsets: every restore re-checks those (the ordinary restore). */
const withSetRules = new WeakSet<Ruleset>()

/**
 * The shared-chain restore (chain-share.ts): when the payload only declares, fills and deletes its own user
 * chains and this ruleset's tables give its parse the same answers, install the shared chains by reference
 * (in place: the ruleset's own chain maps; a map other rulesets hold takes the ordinary path). False: not taken.
 */
const restoreShared = (ruleset: Ruleset, text: string, cache: TableShareCache, onWritten: RestoreOptions["onWritten"], id: object | undefined): boolean => {
  if (withSetRules.has(ruleset)) return false
  // A table other rulesets hold is never changed in place: such a restore goes through the (state, payload) memo,
  // and the payload need not be planned at all.
  for (const name of cache.facts(text, id).tables) {
    const t = ruleset.table(name)
    if (t !== undefined && isSharedMap(t.chains)) return false
  }
  const plan = cache.plan(text, () => {
    try {
      return planSharedRestore(ruleset, parseRestore(text))
    } catch (e) {
      if (e instanceof IptablesParseError) return null
      throw e
    }
  }, id)
  if (plan === null) return false
  for (const s of plan.sections) {
    const t = ruleset.table(s.table)
    if (t !== undefined && isSharedMap(t.chains)) return false
  }
  if (!planFits(ruleset, plan)) return false
  cache.planHits++
  let recent = false
  for (const s of plan.sections) {
    const t = ruleset.ensureTable(s.table)
    if (s.recent) recent = true
    const names = chainNamesOf(t.chains)
    for (const step of s.steps) {
      const old = t.chains.get(step.name)
      if (old !== undefined && !recent && hasRecent(old)) recent = true
      // A declared chain starts with zero counters (the same shared chain may come back with a repeated payload).
      if (old !== undefined) ruleset.sharedCounters.delete(old)
      if (step.chain === null) t.chains.delete(step.name)
      else {
        ruleset.sharedCounters.delete(step.chain)
        t.chains.set(step.name, step.chain)
      }
    }
    namesAfter(t.chains, names, s)
  }
  // Without xt_recent rules coming or going, the lists in use are the same ones.
  if (recent) {
    for (const s of plan.sections) {
      const chains = ruleset.table(s.table)?.chains
      if (chains !== undefined) recentByMap.delete(chains)
    }
    keepRecentLists(ruleset)
  }
  if (onWritten !== undefined) for (const s of plan.sections) onWritten(s.table, s.written)
  return true
}

const recentInChain = new WeakMap<Chain, boolean>()
const hasRecent = (c: Chain): boolean => {
  let v = recentInChain.get(c)
  if (v === undefined) recentInChain.set(c, (v = c.rules.some((r) => r.matches.some((m) => m.kind === "recent"))))
  return v
}

/**
 * The `recent` matches of a table's rules, remembered per chain map (maps are not changed once installed, except
 * by `restoreShared`, which drops the entry when it changes which chains hold recent matches).
 */
const recentByMap = new WeakMap<Map<string, Chain>, RecentMatch[]>()

const recentMatchesOf = (chains: Map<string, Chain>): RecentMatch[] => {
  let out = recentByMap.get(chains)
  if (out === undefined) {
    out = []
    for (const c of chains.values()) for (const r of c.rules) for (const m of r.matches) if (m.kind === "recent") out.push(m)
    recentByMap.set(chains, out)
  }
  return out
}

/**
 * A staged table's recent matches from the table it replaced, without walking the table: none when the old one had
 * none and no chain this restore wrote has any (kube-proxy's tables without session affinity); otherwise left to
 * `recentMatchesOf`, whose walk keeps the table's order.
 */
const carryRecentMatches = (before: Map<string, Chain>, st: Staging): void => {
  if (recentByMap.has(st.chains) || recentMatchesOf(before).length > 0) return
  for (const c of st.written()) if (hasRecent(c)) return
  recentByMap.set(st.chains, [])
}

/** xt_recent lists live while some rule refers to them (recent_mt_check / recent_mt_destroy). */
const keepRecentLists = (ruleset: Ruleset): void => {
  const names = new Set<string>()
  for (const t of ruleset.tables.values()) {
    for (const m of recentMatchesOf(t.chains)) {
      names.add(m.name)
      ruleset.recent.ensure(m)
    }
  }
  ruleset.recent.retainOnly(names)
}


const parseRule = (st: Staging, words: readonly string[], line: number, text: string, counters: Counters | null, keepText: boolean, cache?: RuleParseCache): Rule => {
  try {
    if (cache !== undefined) return cache.parse(text, words, { isChain: (n) => st.chains.has(n) }, counters, keepText)
    const r = parseRuleWords(words, { isChain: (n) => st.chains.has(n) })
    return { ...r, counters: counters ?? r.counters, restoreText: keepText ? detach(text) : null }
  } catch (e) {
    if (e instanceof RuleSyntaxError) return err(line, e.token, e.detail)
    throw e
  }
}

const applyCommand = (st: Staging, c: RestoreCommand, useCounters: boolean, keepText: boolean, cache: RuleParseCache | undefined): void => {
  switch (c.op) {
    case "chain": {
      const existing = st.chains.get(c.chain)
      if (c.policy !== null) {
        const ch = st.writable(c.chain, c.line)
        ch.policy = c.policy
        if (useCounters && c.counters !== null) {
          ch.policyCounters.packets = c.counters.packets
          ch.policyCounters.bytes = c.counters.bytes
        }
      } else {
        st.deleted.delete(c.chain)
        // Creating or flushing a user chain both leave it empty; keep its place in the table's order.
        if (existing !== undefined && existing.builtin) err(c.line, c.chain, "cannot redefine a built-in chain")
        const fresh = st.fresh(c.chain, false, null)
        if (existing !== undefined) fresh.version = existing.version + 1
        st.chains.set(c.chain, fresh)
      }
      return
    }
    case "new-chain":
      if (st.chains.has(c.chain)) err(c.line, c.chain, `chain ${c.chain} already exists`)
      st.deleted.delete(c.chain)
      st.chains.set(c.chain, st.fresh(c.chain, false, null))
      return
    case "append":
    case "insert": {
      const ch = st.writable(c.chain, c.line)
      const r = parseRule(st, c.words, c.line, c.text, useCounters ? c.counters : null, keepText, cache)
      if (c.op === "append") ch.rules.push(r)
      else {
        if (c.position > ch.rules.length + 1) err(c.line, String(c.position), `chain ${c.chain} has only ${ch.rules.length} rules`)
        ch.rules.splice(c.position - 1, 0, r)
      }
      return
    }
    case "delete": {
      const ch = st.writable(c.chain, c.line)
      const want = renderRuleSave(parseRule(st, c.words, c.line, c.text, null, false))
      const i = ch.rules.findIndex((r) => renderRuleSave(r) === want)
      if (i < 0) err(c.line, c.text, `no such rule in chain ${c.chain}`)
      ch.rules.splice(i, 1)
      return
    }
    case "delete-chain": {
      const ch = st.chains.get(c.chain) ?? err(c.line, c.chain, `no chain named ${c.chain} to delete`)
      if (ch.builtin) err(c.line, c.chain, "cannot delete a built-in chain")
      if (ch.rules.length > 0) err(c.line, c.chain, `chain ${c.chain} is not empty (flush it first)`)
      st.chains.delete(c.chain)
      st.deleted.set(c.chain, c.line)
      return
    }
    case "flush": {
      const names = c.chain === null ? [...st.chains.keys()] : [c.chain]
      for (const n of names) st.writable(n, c.line).rules.length = 0
      return
    }
    case "policy": {
      const ch = st.writable(c.chain, c.line)
      if (!ch.builtin) err(c.line, c.chain, "only built-in chains have a policy")
      ch.policy = c.policy
      return
    }
  }
}

/**
 * The kernel refuses a table whose rules jump to missing chains (libiptc TC_COMMIT; e.g. a chain deleted while
 * referenced). Without deletions only the chains written now can hold a new reference (the rest of the table was
 * checked when it was written, and every jump target was a chain when its rule was parsed); a deletion means
 * every chain is looked at.
 */
const validate = (st: Staging): void => {
  for (const c of st.deleted.size === 0 ? st.written() : st.chains.values()) {
    for (const r of c.rules) {
      if (r.target.kind === "chain" && !st.chains.has(r.target.chain)) {
        const line = st.deleted.get(r.target.chain) ?? 0
        err(line, r.target.chain, `chain ${r.target.chain} is deleted but still referenced from chain ${c.name}`)
      }
    }
  }
}

export interface RenderRestoreOptions {
  /** Print built-in chains too (an iptables-restore of the full state); default false, as kube-proxy writes. */
  builtins?: boolean
  /** Prefix rules with `[packets:bytes]` and chain lines with counters. */
  counters?: boolean
  tables?: readonly TableName[]
}

/**
 * Renders a ruleset as a restore payload: tables in iptables-save order, chains in table order (built-ins,
 * then user chains in creation order), each rule as it was written if it came from a payload.
 */
export const renderRestore = (ruleset: Ruleset, options: RenderRestoreOptions = {}): string => {
  const out: string[] = []
  for (const name of options.tables ?? TABLE_ORDER) {
    const t = ruleset.table(name)
    if (t === undefined) continue
    const chains = [...t.chains.values()].filter((c) => options.builtins === true || !c.builtin)
    out.push(`*${name}`)
    for (const c of chains) {
      const pc = policyCounters(ruleset, c)
      const ctr = options.counters === true ? ` [${pc.packets}:${pc.bytes}]` : " [0:0]"
      out.push(`:${c.name} ${c.policy ?? "-"}${ctr}`)
    }
    for (const c of chains) {
      for (let i = 0; i < c.rules.length; i++) {
        const r = c.rules[i] as Rule
        const body = r.restoreText ?? renderRuleSave(r)
        const rc = options.counters === true ? ruleCounters(ruleset, c, i) : undefined
        const prefix = rc !== undefined ? `[${rc.packets}:${rc.bytes}] ` : ""
        out.push(`${prefix}-A ${c.name}${body === "" ? "" : ` ${body}`}`)
      }
    }
    out.push("COMMIT")
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`
}

