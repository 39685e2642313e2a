import { IptablesParseError, RuleSyntaxError } from "./errors"
import type { Rule } from "./model"
import { parseRuleWords } from "./parse-rule"
import { tokenize } from "./tokenize"

/**
 * Parses one rule specification (`-m tcp -p tcp -d 10.0.0.1 --dport 80 -j KUBE-SVC-…`) on its own;
 * `chains` are the user chains a `-j` may name. The rule remembers `text` for restore-form rendering.
 */
export const parseRule = (text: string, chains: Iterable<string> = []): Rule => {
  const known = new Set(chains)
  try {
    return { ...parseRuleWords(tokenize(text), { isChain: (n) => known.has(n) }), restoreText: text }
  } catch (e) {
    if (e instanceof RuleSyntaxError) throw new IptablesParseError(0, e.token, e.detail)
    throw e
  }
}
