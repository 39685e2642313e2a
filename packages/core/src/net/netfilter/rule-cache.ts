import type { Counters, Rule } from "./model"
import { type RuleParseContext, parseRuleWords } from "./parse-rule"

interface Entry {
  /** The parsed rule; its counters are never handed out (every caller gets fresh ones). */
  readonly rule: Rule
  /** The chain-name questions the parse asked, with their answers: a hit must get the same answers. */
  readonly asked: ReadonlyArray<readonly [string, boolean]>
}

/** A copy of `s` that does not keep a larger string (a whole restore payload it was sliced from) alive. */
export const detach = (s: string): string => (s + " ").slice(0, -1)

/**
 * Parsed rules shared between rulesets: on a cluster, most nodes restore the same rule text (kube-proxy writes the
 * same KUBE-SVC/KUBE-SEP chains everywhere), so a rule is parsed once and every node's copy shares the parsed
 * parts (addresses, matches, target, the rule's text); only the counters — the kernel's per-rule `xt_counters` —
 * are the node's own. Per-node memory then grows with the number of rules by a small object each, not by a full
 * parse. Rules with an `nth` statistic match are never shared: the kernel keeps that match's packet count per
 * rule, and evaluation keys it by the match object.
 *
 * The parse of a rule depends on the table only through "is this name a chain?" (is `-j X` a jump or an
 * extension target): an entry remembers the answers its parse got and is reused only when they hold again.
 */
export class RuleParseCache {
  private readonly entries = new Map<string, Entry>()
  hits = 0
  misses = 0

  /** `parseRuleWords(words, ctx)` for the rule written as `text`, shared when possible; `counters` are the caller's. */
  parse(text: string, words: readonly string[], ctx: RuleParseContext, counters: Counters | null, keepText: boolean): Rule {
    const hit = this.entries.get(text)
    if (hit !== undefined && hit.asked.every(([name, answer]) => ctx.isChain(name) === answer)) {
      this.hits++
      return { ...hit.rule, counters: counters ?? { packets: 0, bytes: 0 }, restoreText: keepText ? hit.rule.restoreText : null }
    }
    this.misses++
    const asked: Array<readonly [string, boolean]> = []
    const parsed = parseRuleWords(words, {
      isChain: (name) => {
        const answer = ctx.isChain(name)
        asked.push([name, answer])
        return answer
      },
    })
    const own = detach(text)
    const rule: Rule = { ...parsed, restoreText: own }
    if (!parsed.matches.some((m) => m.kind === "statistic" && m.mode === "nth")) this.entries.set(own, { rule, asked })
    return { ...rule, counters: counters ?? parsed.counters, restoreText: keepText ? own : null }
  }

  /** Distinct rule texts held. */
  get size(): number {
    return this.entries.size
  }
}
