import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { applyNft } from "./apply"
import { NftError } from "./errors"
import { renderNftRuleset } from "./render"
import { dumpNftCommands } from "./render-commands"
import { NftRuleset } from "./ruleset"

const ip = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map((p) => p.join("."))
const cidr = fc.tuple(ip, fc.integer({ min: 8, max: 32 })).map(([a, p]) => {
  const n = a.split(".").reduce((x, o) => x * 256 + Number(o), 0)
  const m = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0
  const b = (n & m) >>> 0
  return `${[b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join(".")}/${p}`
})
const port = fc.integer({ min: 1, max: 65535 })
const proto = fc.constantFrom("tcp", "udp", "sctp")

/** One random match or statement that needs no other object (chains and sets are added around it). */
const statement = fc.oneof(
  ip.map((a) => `ip daddr ${a}`),
  cidr.map((c) => `ip saddr != ${c}`),
  fc.uniqueArray(cidr, { minLength: 2, maxLength: 4 }).map((cs) => `ip saddr { ${cs.join(", ")} }`),
  fc.tuple(proto, port).map(([p, n]) => `${p} dport ${n}`),
  port.map((n) => `th dport ${n}`),
  proto.map((p) => `meta l4proto ${p}`),
  fc.constantFrom("ct state new", "ct state established,related", "ct state != new", "fib saddr type local", "fib daddr type local"),
  fc.integer({ min: 1, max: 0xffff }).map((m) => `mark and 0x${m.toString(16)} == 0`),
  fc.integer({ min: 1, max: 0xffff }).map((m) => `mark set mark or 0x${m.toString(16)}`),
  fc.constant("counter"),
  fc.constantFrom('iifname "eth0"', 'oifname != "lo"'),
)
const verdict = fc.constantFrom("accept", "drop", "return", "jump helper", "goto helper", "jump leaf", "")

const ruleset = fc.record({
  rules: fc.array(fc.tuple(fc.array(statement, { maxLength: 3 }), verdict, fc.option(fc.constantFrom("a comment", "kube-proxy"), { nil: undefined })), { maxLength: 12 }),
  elements: fc.uniqueArray(fc.tuple(ip, proto, port), { maxLength: 8, selector: (e) => e.join(" ") }),
  vmap: fc.integer({ min: 1, max: 4 }),
  timeout: fc.integer({ min: 1, max: 100000 }),
  affinity: fc.uniqueArray(ip, { maxLength: 4 }),
})

type Spec = typeof ruleset extends fc.Arbitrary<infer T> ? T : never

/** The spec as an `nft -f` file: a base chain with the random rules, a helper chain with vmaps and a lookup. */
const text = (r: Spec): string => {
  const lines = [
    "add table ip t { comment \"test\" ; }",
    "add chain ip t helper",
    "add chain ip t leaf",
    "add rule ip t leaf counter accept",
    "add chain ip t base { type filter hook input priority 0 ; policy accept ; }",
    "add map ip t svc { type ipv4_addr . inet_proto . inet_service : verdict ; }",
    `add set ip t aff { type ipv4_addr ; flags dynamic,timeout ; timeout ${r.timeout}s ; }`,
    "add rule ip t helper ip daddr . meta l4proto . th dport vmap @svc",
    `add rule ip t helper numgen random mod ${r.vmap} vmap { ${Array.from({ length: r.vmap }, (_, k) => `${k} : ${k % 2 === 0 ? "accept" : "drop"}`).join(" , ")} }`,
    "add rule ip t helper ip saddr @aff accept",
  ]
  for (const [sts, v, c] of r.rules) {
    const body = [...sts, v].filter((s) => s !== "").join(" ")
    if (body === "") continue
    lines.push(`add rule ip t base ${body}${c !== undefined ? ` comment "${c}"` : ""}`)
  }
  for (const [a, p, n] of r.elements) lines.push(`add element ip t svc { ${a} . ${p} . ${n} : goto leaf }`)
  for (const a of r.affinity) lines.push(`add element ip t aff { ${a} }`)
  return `${lines.join("\n")}\n`
}

describe("nft -f and nft list ruleset round-trip", () => {
  it("the listing parses back to a ruleset with the same listing; so does the command dump", () => {
    fc.assert(
      fc.property(ruleset, (r) => {
        const rs = new NftRuleset()
        applyNft(rs, text(r))
        const listing = renderNftRuleset(rs, 0)
        const fromListing = new NftRuleset()
        applyNft(fromListing, listing)
        expect(renderNftRuleset(fromListing, 0)).toBe(listing)
        const fromDump = new NftRuleset()
        applyNft(fromDump, dumpNftCommands(rs))
        expect(renderNftRuleset(fromDump, 0)).toBe(listing)
      }),
      { numRuns: runs(200) },
    )
  })

  it("a failing transaction changes nothing", () => {
    fc.assert(
      fc.property(ruleset, fc.integer({ min: 0, max: 20 }), (r, cut) => {
        const rs = new NftRuleset()
        applyNft(rs, text(r))
        const before = renderNftRuleset(rs, 0)
        const lines = text(r).split("\n").filter((l) => l.startsWith("add rule") || l.startsWith("add element"))
        const bad = [...lines.slice(0, cut), "add rule ip t base jump nowhere"].join("\n")
        expect(() => applyNft(rs, bad)).toThrow(NftError)
        expect(renderNftRuleset(rs, 0)).toBe(before)
      }),
      { numRuns: runs(100) },
    )
  })
})

describe("nft -f errors", () => {
  const base = "add table ip t\nadd chain ip t c { type filter hook prerouting priority -110 ; }\nadd chain ip t n { type nat hook output priority -100 ; }\nadd chain ip t x\n"
  const err = (tx: string): string => {
    try {
      applyNft(new NftRuleset(), base + tx)
    } catch (e) {
      return (e as Error).message
    }
    return "no error"
  }
  it("names the line and what the kernel says", () => {
    expect(err("add rule ip t x jump y")).toBe('line 5: jump to chain "y", which does not exist in table ip t (No such file or directory)')
    expect(err("add rule ip t x jump x")).toMatch(/^chains loop: x → x \(Too many links\)$/)
    expect(err("add rule ip t c reject")).toMatch(/reject is only valid in the input, forward and output hooks/)
    expect(err("add rule ip t c meta l4proto tcp dnat to 10.0.0.1:80")).toMatch(/dnat is only valid in nat chains/)
    expect(err("add rule ip t n ip daddr 1.2.3.4 dnat to 10.0.0.1:80")).toBe("line 5: transport protocol mapping is only valid after transport protocol match")
    expect(err("add rule ip6 t x accept")).toBe("line 5: family ip6: the simulator models the ip family only")
    expect(err("add rule ip t x ip daddr 1.2.3 accept")).toBe('line 5: "1.2.3" is not a valid ipv4_addr value')
    expect(err("add rule ip t x tcp dport 80 frobnicate")).toBe('line 5: unexpected "frobnicate": not a statement or expression the simulator models')
    expect(err("delete chain ip t c\nadd rule ip t c accept")).toBe("line 6: chain c does not exist in table ip t (No such file or directory)")
    expect(err("add rule ip t x accept\ndelete chain ip t x")).toBe("line 6: chain x is not empty (Device or resource busy)")
  })
})
