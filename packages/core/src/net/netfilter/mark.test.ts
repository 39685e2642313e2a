import { describe, expect, it } from "vitest"
import { Ruleset, applyRestore, parseSave, renderRestore, renderSave } from "./index"

// kube-proxy writes its mark with Go's `%#08x` (0x00004000); iptables parses it with strtoul and prints the
// kernel's (mark, mask) with `0x%x` (libxt_MARK.c mark_tg_save, libxt_mark.c print_mark), as on real nodes.
describe("zero-padded marks as kube-proxy writes them", () => {
  const payload = [
    "*nat",
    ":KUBE-MARK-MASQ - [0:0]",
    ":KUBE-POSTROUTING - [0:0]",
    "-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000",
    "-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN",
    "-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000",
    "COMMIT",
    "",
  ].join("\n")

  it("parses, keeps the text in restore form and prints iptables-save's form", () => {
    const rs = new Ruleset()
    applyRestore(rs, payload, { noflush: true })
    expect(rs.chain("nat", "KUBE-MARK-MASQ")?.rules[0]?.target).toEqual({ kind: "MARK", mark: 0x4000, mask: 0x4000 })
    expect(renderRestore(rs, { tables: ["nat"] })).toBe(payload)
    const save = renderSave(rs, { tables: ["nat"] })
    expect(save).toContain("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n")
    expect(save).toContain("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n")
    expect(save).toContain("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n")
    expect(renderSave(parseSave(save), { tables: ["nat"] })).toBe(save)
  })
})
