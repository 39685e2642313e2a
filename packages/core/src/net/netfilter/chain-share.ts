import { RuleSyntaxError } from "./errors"
import type { Chain, Rule, TableName } from "./model"
import { newChain } from "./model"
import { parseRuleWords } from "./parse-rule"
import type { RestorePayload } from "./restore"
import { detach } from "./rule-cache"
import type { Ruleset } from "./ruleset"
import { chainNamesOf, sharedChains } from "./shared-tables"

/**
 * Restores that install whole shared chains (issue 13: a sync costs a node what changed, not the cluster's rule
 * count). kube-proxy's payloads only declare user chains (`:KUBE-SVC-… - [0:0]`, which creates or flushes
 * them), append to chains they declared, and delete chains they declared (`-X`). Each such chain's content is a
 * function of the payload alone, so it is built once, marked shared (each ruleset counts its packets on the side,
 * shared-tables.ts `countRule`) and installed by reference into every ruleset that restores the payload.
 *
 * A ruleset's outcome still depends on its own table in three ways, checked per ruleset before anything changes:
 * (1) a rule's `-j NAME` parses as a jump only if NAME is a chain at that point (the questions about names the
 * payload did not declare are recorded with their answers and asked again); (2) every jump target of the
 * installed chains must exist afterwards; (3) a deleted chain must not be referenced by a chain the payload
 * leaves in place. Any mismatch, and any payload of another shape, takes the ordinary restore (which then
 * gives the kernel's exact error or result). Rules naming ipsets are not shared (the ordinary restore checks
 * every rule of the table against the namespace's sets).
 */
export interface SharedSection {
  readonly table: TableName
  /** In payload order: install a chain under its name (Map order as the ordinary restore leaves it) or delete one. */
  readonly steps: ReadonlyArray<{ readonly name: string; readonly chain: Chain | null }>
  /** Chains the section leaves in place: name → the installed chain. */
  readonly installed: ReadonlyMap<string, Chain>
  readonly deleted: ReadonlySet<string>
  /** Every chain the section declares or deletes (what a ruleset's table changes in). */
  readonly written: ReadonlySet<string>
  /** "Is NAME a chain?" asked of the ruleset's table during parsing, with the answer the shared parse got. */
  readonly asked: ReadonlyArray<readonly [string, boolean]>
  /** Jump targets of the installed chains that the section itself does not leave in place. */
  readonly outsideTargets: ReadonlyArray<string>
  /** The installed chains carry xt_recent matches (the ruleset's recent lists must be re-derived). */
  readonly recent: boolean
}

export interface SharedPlan {
  readonly sections: ReadonlyArray<SharedSection>
}

/**
 * The shared plan of a parsed payload, built against `ruleset` (the first to restore it), or null when the
 * payload does something else than declare, append to and delete its own user chains, or fails to parse.
 */
export const planSharedRestore = (ruleset: Ruleset, payload: RestorePayload): SharedPlan | null => {
  const sections: SharedSection[] = []
  const seenTables = new Set<TableName>()
  for (const section of payload.sections) {
    // Two sections for one table see each other's staging: left to the ordinary restore.
    if (seenTables.has(section.table)) return null
    seenTables.add(section.table)
    const table = ruleset.table(section.table)
    const own = new Map<string, Chain | null>()
    const steps: Array<{ name: string; chain: Chain | null }> = []
    const asked: Array<readonly [string, boolean]> = []
    const askedNames = new Set<string>()
    const ctx = {
      isChain: (name: string): boolean => {
        const mine = own.get(name)
        if (mine !== undefined) return mine !== null
        const answer = table?.chains.has(name) ?? false
        if (!askedNames.has(name)) {
          askedNames.add(name)
          asked.push([name, answer])
        }
        return answer
      },
    }
    for (const c of section.commands) {
      switch (c.op) {
        case "chain": {
          // (A user chain's counters in the payload are ignored: it starts empty.)
          if (c.policy !== null) return null
          // A name asked about before the payload declared it: the answer depended on the ruleset.
          if (askedNames.has(c.chain) && !own.has(c.chain)) return null
          const fresh = newChain(c.chain, false, null)
          own.set(c.chain, fresh)
          steps.push({ name: c.chain, chain: fresh })
          break
        }
        case "append": {
          const ch = own.get(c.chain)
          // (`[p:b]` rule counters count only with --counters, which takes the ordinary restore.)
          if (ch === undefined || ch === null) return null
          let rule: Rule
          try {
            rule = parseRuleWords(c.words, ctx)
          } catch (e) {
            if (e instanceof RuleSyntaxError) return null
            throw e
          }
          // The kernel keeps an nth match's count and a set match's binding per rule: not shared.
          if (rule.matches.some((m) => (m.kind === "statistic" && m.mode === "nth") || m.kind === "set")) return null
          ch.rules.push({ ...rule, counters: { packets: 0, bytes: 0 }, restoreText: detach(c.text) })
          break
        }
        case "delete-chain": {
          const ch = own.get(c.chain)
          if (ch === undefined || ch === null || ch.rules.length > 0) return null
          own.set(c.chain, null)
          steps.push({ name: c.chain, chain: null })
          break
        }
        default:
          return null
      }
    }
    const installed = new Map<string, Chain>()
    const deleted = new Set<string>()
    for (const [name, ch] of own) {
      if (ch === null) deleted.add(name)
      else installed.set(name, ch)
    }
    // Steps name each chain with its final object (a chain declared twice ends as the second declaration).
    const finalSteps = steps.map((s) => ({ name: s.name, chain: s.chain === null ? null : (installed.get(s.name) ?? null) }))
    const outside = new Set<string>()
    let recent = false
    for (const ch of installed.values()) {
      sharedChains.add(ch)
      for (const r of ch.rules) {
        if (r.target.kind === "chain" && !installed.has(r.target.chain)) {
          // A jump to a chain this very payload deletes: the ordinary restore reports it.
          if (deleted.has(r.target.chain)) return null
          outside.add(r.target.chain)
        }
        if (!recent && r.matches.some((m) => m.kind === "recent")) recent = true
      }
    }
    sections.push({ table: section.table, steps: finalSteps, installed, deleted, written: new Set(own.keys()), asked, outsideTargets: [...outside], recent })
  }
  return { sections }
}

/**
 * Whether `plan` gives `ruleset` what the ordinary restore would: the parse's questions get the same answers,
 * the outside jump targets exist, and no chain left in place jumps to a deleted one.
 */
export const planFits = (ruleset: Ruleset, plan: SharedPlan): boolean => {
  for (const s of plan.sections) {
    const chains = ruleset.table(s.table)?.chains
    if (chains === undefined) {
      if (!namesFit(undefined, s)) return false
    } else {
      // The name questions are about the table's name set: answered once per name set (a partial sync's
      // KUBE-SERVICES asks about every Service's chain, so per node it would cost the cluster's size).
      const names = chainNamesOf(chains)
      let fits = names.fits.get(s)
      if (fits === undefined) names.fits.set(s, (fits = namesFit(chains, s)))
      if (!fits) return false
    }
    if (s.deleted.size > 0 && chains !== undefined) {
      for (const ch of chains.values()) {
        if (s.installed.has(ch.name) || s.deleted.has(ch.name)) continue
        for (const r of ch.rules) if (r.target.kind === "chain" && s.deleted.has(r.target.chain)) return false
      }
    }
  }
  return true
}

/** The parse's questions get the recorded answers and the outside jump targets exist, in a table with `chains`. */
const namesFit = (chains: ReadonlyMap<string, Chain> | undefined, s: SharedSection): boolean => {
  for (const [name, answer] of s.asked) if ((chains?.has(name) ?? false) !== answer) return false
  for (const name of s.outsideTargets) if (chains === undefined || !chains.has(name)) return false
  return true
}
