import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { makeRng } from "../../sim/index"
import { formatIpv4 } from "../addr/index"
import { type EvalContext, MIN_INDEXED_CHAIN, RecentTables, Ruleset, applyRestore, chainIndex, evaluateHook, packetMeta } from "./index"

/**
 * A KUBE-SERVICES-like chain: many service rules (some sharing a destination, some without -d, some UDP),
 * interleaved with barriers (a rule with other matches) and side effects (MARK, statistic), evaluated for
 * random packets both ways.
 */
const ips = ["172.30.0.1", "172.30.0.2", "172.30.0.3", "10.96.0.10"]
const serviceRule = fc
  .record({
    dst: fc.option(fc.constantFrom(...ips), { nil: null }),
    proto: fc.constantFrom("tcp", "udp"),
    port: fc.constantFrom(53, 80, 443, 8080),
    target: fc.constantFrom("-j KUBE-SVC-A", "-j KUBE-SVC-B", "-j ACCEPT", "-j RETURN", "-g KUBE-SVC-B", "-j DROP", ""),
  })
  .map((r) => `-m comment --comment "svc" -m ${r.proto} -p ${r.proto}${r.dst === null ? "" : ` -d ${r.dst}`} --dport ${r.port} ${r.target}`.trimEnd())
const otherRule = fc.constantFrom(
  "-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS",
  "-s 10.0.0.0/8 -j MARK --or-mark 0x4000",
  "-m statistic --mode random --probability 0.5000000000 -j KUBE-SVC-A",
  "-m mark --mark 0x4000/0x4000 -j RETURN",
  "-p tcp -m tcp --dport 80:90 -j KUBE-SVC-B",
  "-d 172.30.0.0/16 -j KUBE-SVC-A",
)
const chainRules = fc.array(fc.oneof({ weight: 6, arbitrary: serviceRule }, { weight: 1, arbitrary: otherRule }), {
  minLength: MIN_INDEXED_CHAIN,
  maxLength: 120,
})
const packet = fc.record({
  dst: fc.constantFrom(...ips, "192.168.0.2"),
  proto: fc.constantFrom(6, 17),
  dport: fc.constantFrom(53, 80, 85, 443, 8080, 30001),
  src: fc.constantFrom("10.0.1.1", "203.0.113.9"),
})

const build = (rules: readonly string[]): Ruleset => {
  const rs = new Ruleset()
  const sub = (name: string, n: number) => [`:${name} - [0:0]`, ...Array.from({ length: n }, (_, i) => `-A ${name} -m statistic --mode random --probability 0.3 -j MARK --set-xmark 0x${i + 1}/0xff`)]
  applyRestore(
    rs,
    [
      "*nat",
      ":KUBE-SERVICES - [0:0]",
      ...sub("KUBE-SVC-A", 2),
      ...sub("KUBE-SVC-B", 1),
      ...sub("KUBE-NODEPORTS", 1),
      "-A PREROUTING -j KUBE-SERVICES",
      "-A PREROUTING -j KUBE-SERVICES",
      ...rules.map((r) => `-A KUBE-SERVICES ${r}`),
      "COMMIT",
      "",
    ].join("\n"),
    { noflush: true },
  )
  return rs
}

const counters = (rs: Ruleset) => [...(rs.table("nat")?.chains.values() ?? [])].map((c) => [c.name, c.policyCounters.packets, c.rules.map((r) => r.counters.packets)])

describe("compiled service index", () => {
  it("indexes long runs of service rules", () => {
    const rules = Array.from({ length: 100 }, (_, i) => `-m tcp -p tcp -d ${formatIpv4(0xac1e0000 + i)} --dport 80 -j KUBE-SVC-A`)
    const rs = build(rules)
    const idx = chainIndex(rs.chain("nat", "KUBE-SERVICES") ?? (undefined as never))
    expect(idx?.segments.length).toBe(1)
  })

  it("gives the same verdict, target, counters, marks and rules evaluated as linear evaluation", () => {
    fc.assert(
      fc.property(chainRules, fc.array(packet, { minLength: 1, maxLength: 20 }), fc.integer(), (rules, packets, seed) => {
        const a = build(rules)
        const b = build(rules)
        const ctxA: EvalContext = { now: 0, rng: makeRng(seed, "n"), isLocal: (ip) => formatIpv4(ip) === "192.168.0.2", recent: new RecentTables() }
        const ctxB: EvalContext = { ...ctxA, rng: makeRng(seed, "n"), linear: true }
        for (const p of packets) {
          const pa = packetMeta({ ...p, src: 0, dst: 0 })
          const mk = () => ({ ...pa, src: Number(p.src.split(".").reduce((x, o) => x * 256 + Number(o), 0)), dst: Number(p.dst.split(".").reduce((x, o) => x * 256 + Number(o), 0)) })
          const x = mk()
          const y = mk()
          const va = evaluateHook(a, "nat", "PREROUTING", x, ctxA)
          const vb = evaluateHook(b, "nat", "PREROUTING", y, ctxB)
          expect(va).toEqual(vb)
          expect(x.mark).toBe(y.mark)
        }
        expect(counters(a)).toEqual(counters(b))
      }),
      { numRuns: runs(150) },
    )
  })

  it("is rebuilt when the chain changes", () => {
    const rules = Array.from({ length: 40 }, (_, i) => `-m tcp -p tcp -d ${formatIpv4(0xac1e0000 + i)} --dport 80 -j KUBE-SVC-A`)
    const rs = build(rules)
    const ctx: EvalContext = { now: 0, rng: makeRng(1, "n"), isLocal: () => false, recent: new RecentTables() }
    const pkt = () => packetMeta({ dst: 0xac1e0000 + 39, proto: 6, dport: 80 })
    // PREROUTING jumps to KUBE-SERVICES twice: (1 + 40 + 2) · 2, counted as linear evaluation would.
    expect(evaluateHook(rs, "nat", "PREROUTING", pkt(), ctx).rulesEvaluated).toBe(86)
    applyRestore(rs, `*nat\n:KUBE-SERVICES - [0:0]\n${rules.slice(30).map((r) => `-A KUBE-SERVICES ${r}`).join("\n")}\nCOMMIT\n`, { noflush: true })
    const v = evaluateHook(rs, "nat", "PREROUTING", pkt(), ctx)
    expect(v.rulesEvaluated).toBe((1 + 10 + 2) * 2)
  })
})
