import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { ruleText } from "./arbitraries.test-support"
import { type Rule, Ruleset, applyRestore, parseRestore, parseSave, renderPayload, renderRestore, renderSave } from "./index"

const payloadOf = (a: readonly string[], b: readonly string[]): string =>
  [
    "*filter",
    ":KUBE-A - [0:0]",
    ":KUBE-B - [0:0]",
    ...a.map((t) => `-A KUBE-A ${t}`),
    ...b.map((t) => `-A KUBE-B ${t}`),
    "COMMIT",
    "*nat",
    ":KUBE-A - [0:0]",
    ":KUBE-B - [0:0]",
    ...a.map((t) => `-A KUBE-A ${t}`),
    "COMMIT",
    "",
  ].join("\n")

const structure = (rs: Ruleset): unknown =>
  [...rs.tables.values()].map((t) => [
    t.name,
    [...t.chains.values()]
      .filter((c) => !c.builtin || c.rules.length > 0)
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map((c) => [c.name, c.policy, c.rules.map((r: Rule) => ({ ...r, restoreText: null }))]),
  ])

describe("round trips", () => {
  it("restore form: text → ruleset → text is the identity; the payload renders back verbatim", () => {
    fc.assert(
      fc.property(fc.array(ruleText, { maxLength: 8 }), fc.array(ruleText, { maxLength: 4 }), (a, b) => {
        const text = payloadOf(a, b)
        expect(renderPayload(parseRestore(text))).toBe(text)
        const rs = new Ruleset({ tables: [] })
        applyRestore(rs, text, { noflush: true })
        const back = renderRestore(rs)
        expect(back).toBe(text)
        const rs2 = new Ruleset({ tables: [] })
        applyRestore(rs2, back, { noflush: true })
        expect(structure(rs2)).toEqual(structure(rs))
      }),
      { numRuns: runs(150) },
    )
  })

  it("save form: render(parse(render(r))) == render(r) and parse(render(r)) equals r", () => {
    fc.assert(
      fc.property(fc.array(ruleText, { maxLength: 8 }), fc.array(ruleText, { maxLength: 4 }), (a, b) => {
        const rs = new Ruleset({ tables: [] })
        applyRestore(rs, payloadOf(a, b), { noflush: true })
        const save = renderSave(rs)
        const parsed = parseSave(save)
        expect(renderSave(parsed)).toBe(save)
        expect(structure(parsed)).toEqual(structure(rs))
      }),
      { numRuns: runs(150) },
    )
  })

  it("counters survive iptables-save -c and iptables-restore --counters", () => {
    const rs = new Ruleset()
    applyRestore(rs, "*filter\n:INPUT DROP [7:700]\n[3:180] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n", { noflush: false, counters: true })
    const save = renderSave(rs, { counters: true, tables: ["filter"] })
    expect(save).toBe("*filter\n:INPUT DROP [7:700]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[3:180] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n")
    expect(renderSave(parseSave(save), { counters: true })).toBe(save)
  })
})
