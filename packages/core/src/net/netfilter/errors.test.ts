import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { makeRng } from "../../sim/index"
import { ruleText } from "./arbitraries.test-support"
import { IptablesParseError, NetfilterEvalError, RecentTables, Ruleset, applyRestore, evaluateHook, packetMeta, parseSave, renderSave } from "./index"

const expectParseError = (text: string, line: number, token: string | RegExp) => {
  try {
    parseSave(text)
  } catch (e) {
    expect(e).toBeInstanceOf(IptablesParseError)
    const pe = e as IptablesParseError
    expect(pe.line).toBe(line)
    if (typeof token === "string") expect(pe.token).toBe(token)
    else expect(pe.message).toMatch(token)
    return
  }
  throw new Error(`no error for ${JSON.stringify(text)}`)
}

describe("bad input", () => {
  it("names the line and token", () => {
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -p tcp --dport 80 -j BAR\nCOMMIT\n", 3, "BAR")
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -m statistic --mode random --probability 1.5 -j ACCEPT\nCOMMIT\n", 3, "1.5")
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -m tcp --dport 80 -j ACCEPT\nCOMMIT\n", 3, "-m tcp")
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -s 10.0.0.300 -j ACCEPT\nCOMMIT\n", 3, "10.0.0.300")
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -m comment --comment \"open\nCOMMIT\n", 3, /unterminated/)
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -j DNAT --to-destination nowhere\nCOMMIT\n", 3, "nowhere")
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -m recent --name X --set --seconds 5 -j ACCEPT\nCOMMIT\n", 3, "--set")
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO --frobnicate -j ACCEPT\nCOMMIT\n", 3, "--frobnicate")
    expectParseError("*bogus\nCOMMIT\n", 1, "*bogus")
    expectParseError(":FOO - [0:0]\n", 1, ":FOO")
    expectParseError("*nat\n:PREROUTING FOO [0:0]\nCOMMIT\n", 2, "FOO")
    // Truncated dump: no COMMIT.
    expectParseError("*nat\n:FOO - [0:0]\n-A FOO -j ACCEPT\n", 4, /without COMMIT/)
  })

  it("applies nothing when any line fails (all or nothing)", () => {
    const rs = new Ruleset()
    applyRestore(rs, "*filter\n:KUBE-X - [0:0]\n-A KUBE-X -j ACCEPT\nCOMMIT\n", { noflush: true })
    const before = renderSave(rs)
    expect(() =>
      applyRestore(rs, "*filter\n:KUBE-X - [0:0]\n-A KUBE-X -j DROP\nCOMMIT\n*nat\n-A NOPE -j ACCEPT\nCOMMIT\n", { noflush: true }),
    ).toThrow(/line 6: no chain named NOPE/)
    expect(renderSave(rs)).toBe(before)
  })

  it("refuses to delete a chain that a rule written earlier, in another restore, still jumps to", () => {
    const rs = new Ruleset()
    applyRestore(rs, "*nat\n:KUBE-SVC-A - [0:0]\n:KUBE-SEP-A - [0:0]\n-A KUBE-SVC-A -j KUBE-SEP-A\nCOMMIT\n", { noflush: true })
    applyRestore(rs, "*nat\n-A OUTPUT -j KUBE-SVC-A\nCOMMIT\n", { noflush: true })
    const before = renderSave(rs)
    // Neither OUTPUT nor KUBE-SVC-A is written by the restore that deletes what they jump to.
    expect(() => applyRestore(rs, "*nat\n:KUBE-SVC-A - [0:0]\n-X KUBE-SVC-A\nCOMMIT\n", { noflush: true })).toThrow(
      /line 3: chain KUBE-SVC-A is deleted but still referenced from chain OUTPUT/,
    )
    expect(() => applyRestore(rs, "*nat\n:KUBE-SEP-A - [0:0]\n-X KUBE-SEP-A\nCOMMIT\n", { noflush: true })).toThrow(
      /line 3: chain KUBE-SEP-A is deleted but still referenced from chain KUBE-SVC-A/,
    )
    expect(renderSave(rs)).toBe(before)
  })

  it("random text, truncated dumps and corrupted words give a clear error, never another exception", () => {
    const isClear = (text: string): boolean => {
      try {
        parseSave(text)
        return true
      } catch (e) {
        return e instanceof IptablesParseError && /line \d+/.test(e.message)
      }
    }
    fc.assert(fc.property(fc.string({ maxLength: 200 }), isClear), { numRuns: runs(300) })
    fc.assert(
      fc.property(fc.array(ruleText, { minLength: 1, maxLength: 6 }), fc.nat(), fc.nat(), (rules, cut, k) => {
        const text = `*filter\n:KUBE-B - [0:0]\n${rules.map((r) => `-A INPUT ${r}`).join("\n")}\nCOMMIT\n`
        const truncated = text.slice(0, cut % text.length)
        const words = text.split(" ")
        const i = k % words.length
        words[i] = (words[i] as string).slice(0, Math.max(0, (words[i] as string).length - 2))
        return isClear(truncated) && isClear(words.join(" "))
      }),
      { numRuns: runs(200) },
    )
  })

  it("unknown matches fail only when a packet evaluates them", () => {
    const rs = new Ruleset()
    applyRestore(rs, "*filter\n-A INPUT -p udp -j ACCEPT\n-A INPUT -m nfacct --nfacct-name x -j DROP\nCOMMIT\n", { noflush: true })
    const ctx = { now: 0, rng: makeRng(1, "n"), isLocal: () => false, recent: new RecentTables() }
    expect(evaluateHook(rs, "filter", "INPUT", packetMeta({ proto: 17 }), ctx).verdict).toBe("ACCEPT")
    expect(() => evaluateHook(rs, "filter", "INPUT", packetMeta({ proto: 6 }), ctx)).toThrow(NetfilterEvalError)
    expect(() => evaluateHook(rs, "filter", "INPUT", packetMeta({ proto: 6 }), ctx)).toThrow(/filter\/INPUT rule 2: .*-m nfacct --nfacct-name x/)
  })
})
