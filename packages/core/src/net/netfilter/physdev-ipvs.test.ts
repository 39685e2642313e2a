import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseIpv4 } from "../addr/index"
import { runs } from "../../../../../test-support/runs"
import { parseRule } from "./parse-rule-text"
import { renderRuleSave } from "./render-rule"
import { evaluateHook } from "./evaluate"
import { applyRestore, packetMeta, RecentTables, Ruleset, type PacketMeta } from "./index"

const ctx = { now: 0, rng: { uint32: () => 0 } as never, isLocal: () => false, recent: new RecentTables() }
const verdictOf = (rule: string, pkt: PacketMeta): string => {
  const rs = new Ruleset()
  applyRestore(rs, `*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT ${rule}\nCOMMIT\n`, { noflush: true })
  return evaluateHook(rs, "filter", "OUTPUT", pkt, ctx).verdict
}

// kube-proxy's IPVS mode, proxier.go writeIptablesRules: external-IP traffic "not from a bridge".
describe("-m physdev (xt_physdev.c)", () => {
  it("prints as libxt_physdev.c physdev_save does and reads back", () => {
    const r = parseRule("-m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT")
    expect(renderRuleSave(r)).toBe("-m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT")
    const all = "-m physdev --physdev-in veth1 ! --physdev-out eth0 --physdev-is-in ! --physdev-is-out --physdev-is-bridged -j DROP"
    // physdev_save's fixed order, whatever order the options were given in.
    expect(renderRuleSave(parseRule("-m physdev --physdev-is-bridged ! --physdev-is-out --physdev-is-in ! --physdev-out eth0 --physdev-in veth1 -j DROP"))).toBe(all)
    expect(renderRuleSave(parseRule(all))).toBe(all)
  })

  it("without bridges (kind's veths), matches exactly when every given option is inverted (physdev_mt)", () => {
    const pkt = packetMeta({ src: parseIpv4("10.244.1.5"), dst: parseIpv4("203.0.113.7"), inIface: "veth1234" })
    expect(verdictOf("-m physdev ! --physdev-is-in -j DROP", pkt)).toBe("DROP")
    expect(verdictOf("-m physdev --physdev-is-in -j DROP", pkt)).toBe("ACCEPT")
    expect(verdictOf("-m physdev ! --physdev-is-in --physdev-is-bridged -j DROP", pkt)).toBe("ACCEPT")
    expect(verdictOf("-m physdev ! --physdev-in veth1234 ! --physdev-is-out -j DROP", pkt)).toBe("DROP")
    expect(verdictOf("-m physdev --physdev-in veth1234 -j DROP", pkt)).toBe("ACCEPT")
  })

  it("rejects a bare -m physdev", () => {
    expect(() => parseRule("-m physdev -j DROP")).toThrow(/needs at least one option/)
  })
})

// proxier.go writeIptablesRules: KUBE-IPVS-OUT-FILTER `-s lbIP -m ipvs --vaddr lbIP --vproto tcp --vport 80 -j DROP`.
describe("-m ipvs (xt_ipvs.c)", () => {
  it("prints as libxt_ipvs.c ipvs_mt_save does: protocol as a number, no /32, --ipvs only alone", () => {
    expect(renderRuleSave(parseRule("-s 1.2.3.4/32 -m ipvs --vaddr 1.2.3.4 --vproto tcp --vport 80 -j DROP"))).toBe(
      "-s 1.2.3.4/32 -m ipvs --vproto 6 --vaddr 1.2.3.4 --vport 80 -j DROP",
    )
    expect(renderRuleSave(parseRule("-m ipvs --ipvs -j ACCEPT"))).toBe("-m ipvs --ipvs -j ACCEPT")
    expect(renderRuleSave(parseRule("-m ipvs ! --ipvs -j ACCEPT"))).toBe("-m ipvs ! --ipvs -j ACCEPT")
    expect(renderRuleSave(parseRule("-m ipvs --vaddr 10.96.0.0/12 ! --vport 53 --vdir REPLY -j ACCEPT"))).toBe(
      "-m ipvs --vaddr 10.96.0.0/12 ! --vport 53 --vdir REPLY -j ACCEPT",
    )
    expect(() => parseRule("-m ipvs --vdir SIDEWAYS -j ACCEPT")).toThrow(/ORIGINAL/)
  })

  it("matches a packet's IPVS connection: property, protocol, virtual address, port and direction", () => {
    const lb = parseIpv4("1.2.3.4")
    const rule = "-s 1.2.3.4/32 -m ipvs --vaddr 1.2.3.4 --vproto tcp --vport 80 -j DROP"
    const base = { src: lb, dst: parseIpv4("10.244.1.5"), dport: 8080, proto: 6 }
    expect(verdictOf(rule, packetMeta({ ...base, ipvs: { vaddr: lb, vport: 80 }, ipvsReply: false }))).toBe("DROP")
    expect(verdictOf(rule, packetMeta({ ...base }))).toBe("ACCEPT")
    expect(verdictOf(rule, packetMeta({ ...base, ipvs: { vaddr: lb, vport: 443 }, ipvsReply: false }))).toBe("ACCEPT")
    expect(verdictOf(rule, packetMeta({ ...base, proto: 17, ipvs: { vaddr: lb, vport: 80 }, ipvsReply: false }))).toBe("ACCEPT")
    expect(verdictOf(rule, packetMeta({ ...base, ipvs: { vaddr: parseIpv4("1.2.3.5"), vport: 80 }, ipvsReply: false }))).toBe("ACCEPT")
    expect(verdictOf("-m ipvs --vdir REPLY -j DROP", packetMeta({ ...base, ipvs: { vaddr: lb, vport: 80 }, ipvsReply: true }))).toBe("DROP")
    expect(verdictOf("-m ipvs --vdir ORIGINAL -j DROP", packetMeta({ ...base, ipvs: { vaddr: lb, vport: 80 }, ipvsReply: true }))).toBe("ACCEPT")
    expect(verdictOf("-m ipvs ! --ipvs -j DROP", packetMeta({ ...base }))).toBe("DROP")
  })

  it("round-trips any combination of options through iptables-save form", () => {
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined })
    const spec = fc.record({
      proto: opt(fc.tuple(fc.boolean(), fc.constantFrom("6", "17"))),
      addr: opt(fc.tuple(fc.boolean(), fc.ipV4(), fc.integer({ min: 1, max: 32 }))),
      port: opt(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 65535 }))),
      dir: opt(fc.constantFrom("ORIGINAL", "REPLY")),
    })
    fc.assert(
      fc.property(spec, (s) => {
        const parts = ["-m ipvs"]
        if (s.proto !== undefined) parts.push(`${s.proto[0] ? "! " : ""}--vproto ${s.proto[1]}`)
        if (s.addr !== undefined) {
          const mask = s.addr[2] === 32 ? 0xffffffff : (0xffffffff << (32 - s.addr[2])) >>> 0
          const net = (parseIpv4(s.addr[1]) & mask) >>> 0
          const text = [24, 16, 8, 0].map((b) => (net >>> b) & 255).join(".")
          parts.push(`${s.addr[0] ? "! " : ""}--vaddr ${text}${s.addr[2] === 32 ? "" : `/${s.addr[2]}`}`)
        }
        if (s.port !== undefined) parts.push(`${s.port[0] ? "! " : ""}--vport ${s.port[1]}`)
        if (s.dir !== undefined) parts.push(`--vdir ${s.dir}`)
        if (parts.length === 1) parts.push("--ipvs")
        const text = `${parts.join(" ")} -j ACCEPT`
        expect(renderRuleSave(parseRule(text))).toBe(text)
      }),
      { numRuns: runs(200) },
    )
  })
})
