import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { IptablesParseError } from "./errors"
import { applyRestore, renderRestore } from "./restore"
import { RuleParseCache } from "./rule-cache"
import { Ruleset } from "./ruleset"
import { renderSave } from "./save"

const fixture = readFileSync(join(__dirname, "fixtures", "overall-iptables-rules.restore"), "utf8")

describe("RuleParseCache: rulesets restoring the same text share parsed rules, not counters", () => {
  test("kube-proxy's overall fixture restored on three nodes through one cache equals three separate restores; counters stay per node", () => {
    const cache = new RuleParseCache()
    const shared = [new Ruleset(), new Ruleset(), new Ruleset()]
    for (const rs of shared) applyRestore(rs, fixture, { noflush: true, ruleCache: cache })
    const alone = new Ruleset()
    applyRestore(alone, fixture, { noflush: true })
    for (const rs of shared) {
      expect(renderSave(rs)).toBe(renderSave(alone))
      expect(renderRestore(rs)).toBe(renderRestore(alone))
    }
    expect(cache.misses).toBe(cache.size)
    expect(cache.hits).toBe(2 * cache.size)
    const [a, b] = shared.map((rs) => rs.chain("nat", "KUBE-SERVICES")?.rules[0])
    expect(a?.matches).toBe(b?.matches)
    expect(a?.counters).not.toBe(b?.counters)
    if (a !== undefined) a.counters.packets++
    expect(b?.counters.packets).toBe(0)
  })

  test("a cached parse is reused only when the table answers 'is this a chain?' as it did; nth statistic rules are never shared", () => {
    const cache = new RuleParseCache()
    const withChain = new Ruleset()
    applyRestore(withChain, "*filter\n:FOO - [0:0]\n-A INPUT -j FOO\nCOMMIT\n", { noflush: true, ruleCache: cache })
    // Without a FOO chain, `-j FOO` is an unknown target: the cached jump must not be handed out.
    const without = new Ruleset()
    expect(() => applyRestore(without, "*filter\n-A INPUT -j FOO\nCOMMIT\n", { noflush: true, ruleCache: cache })).toThrow(IptablesParseError)
    const nth = "*nat\n-A OUTPUT -m statistic --mode nth --every 2 --packet 0 -j ACCEPT\nCOMMIT\n"
    const x = new Ruleset()
    const y = new Ruleset()
    applyRestore(x, nth, { noflush: true, ruleCache: cache })
    applyRestore(y, nth, { noflush: true, ruleCache: cache })
    expect(x.chain("nat", "OUTPUT")?.rules[0]?.matches[0]).not.toBe(y.chain("nat", "OUTPUT")?.rules[0]?.matches[0])
  })
})
