import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { runs } from "../../../../../test-support/runs"
import { parseIpv4 } from "../addr/index"
import { makeRng } from "../../sim/index"
import { applyRestore, evaluateHook, IpSet, IpSetError, IptablesParseError, packetMeta, PROTO_TCP, PROTO_UDP, renderSave, Ruleset, type EvalContext } from "./index"

const ip = parseIpv4

// The sets and rules kube-proxy's IPVS mode writes for one ClusterIP Service with a hairpin endpoint
// (pkg/proxy/ipvs/ipset.go set names and comments; proxier.go writeIptablesRules).
const RULES = [
  "*nat",
  ":KUBE-SERVICES - [0:0]",
  ":KUBE-POSTROUTING - [0:0]",
  ":KUBE-MARK-MASQ - [0:0]",
  ":KUBE-NODE-PORT - [0:0]",
  "-A PREROUTING -j KUBE-SERVICES",
  "-A POSTROUTING -j KUBE-POSTROUTING",
  '-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ',
  "-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT",
  "-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT",
  "-A KUBE-NODE-PORT -p tcp -m comment --comment \"Kubernetes nodeport TCP port for masquerade purpose\" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ",
  '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
  "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
  "COMMIT",
  "",
].join("\n")

const withSets = (): Ruleset => {
  const rs = new Ruleset()
  rs.ipsets.create("KUBE-CLUSTER-IP", "hash:ip,port", "Kubernetes service cluster ip + port for masquerade purpose").add("10.96.0.10,tcp:80")
  rs.ipsets.create("KUBE-LOOP-BACK", "hash:ip,port,ip").add("10.244.0.5,tcp:8080,10.244.0.5")
  rs.ipsets.create("KUBE-NODE-PORT-TCP", "bitmap:port").add("30080")
  return rs
}

const ctx = (rs: Ruleset): EvalContext => ({ now: 0, rng: makeRng(1, "test"), isLocal: (a) => a === ip("192.168.0.10"), recent: rs.recent, ipsets: rs.ipsets, linear: true })

describe("-m set --match-set (xt_set.c)", () => {
  it("iptables-save prints the match as libxt_set does, and restore round-trips it", () => {
    const rs = withSets()
    applyRestore(rs, RULES, { noflush: false })
    const saved = renderSave(rs, { tables: ["nat"] })
    expect(saved).toContain('-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ')
    expect(saved).toContain("-A KUBE-POSTROUTING -m comment --comment \"Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose\" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE")
    expect(saved).toContain("-A KUBE-NODE-PORT -p tcp -m comment --comment \"Kubernetes nodeport TCP port for masquerade purpose\" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ")
    const again = withSets()
    applyRestore(again, saved, { noflush: false })
    expect(renderSave(again, { tables: ["nat"] })).toBe(saved)
  })

  it("matches by the set's dimensions, taking src or dst per flag; protocol is part of ip,port keys", () => {
    const rs = withSets()
    applyRestore(rs, RULES, { noflush: false })
    const c = ctx(rs)
    const fromOutside = packetMeta({ src: ip("192.168.0.100"), dst: ip("10.96.0.10"), proto: PROTO_TCP, sport: 5555, dport: 80 })
    expect(evaluateHook(rs, "nat", "PREROUTING", fromOutside, c).verdict).toBe("ACCEPT")
    expect(fromOutside.mark).toBe(0x4000)
    const fromPod = packetMeta({ src: ip("10.244.1.3"), dst: ip("10.96.0.10"), proto: PROTO_TCP, sport: 5555, dport: 80 })
    evaluateHook(rs, "nat", "PREROUTING", fromPod, c)
    expect(fromPod.mark).toBe(0)
    const udp = packetMeta({ src: ip("192.168.0.100"), dst: ip("10.96.0.10"), proto: PROTO_UDP, sport: 5555, dport: 80 })
    evaluateHook(rs, "nat", "PREROUTING", udp, c)
    expect(udp.mark).toBe(0)
    const nodePort = packetMeta({ src: ip("10.244.1.3"), dst: ip("192.168.0.10"), proto: PROTO_TCP, sport: 5555, dport: 30080 })
    evaluateHook(rs, "nat", "PREROUTING", nodePort, c)
    expect(nodePort.mark).toBe(0x4000)
    const hairpin = packetMeta({ src: ip("10.244.0.5"), dst: ip("10.244.0.5"), proto: PROTO_TCP, sport: 5555, dport: 8080 })
    expect(evaluateHook(rs, "nat", "POSTROUTING", hairpin, c).nat?.kind).toBe("MASQUERADE")
    const other = packetMeta({ src: ip("10.244.0.6"), dst: ip("10.244.0.5"), proto: PROTO_TCP, sport: 5555, dport: 8080 })
    expect(evaluateHook(rs, "nat", "POSTROUTING", other, c).nat).toBeNull()
  })

  it("a rule naming a missing set fails the restore; bad flags name the token", () => {
    expect(() => applyRestore(new Ruleset(), RULES, { noflush: false })).toThrow("Set KUBE-CLUSTER-IP doesn't exist")
    expect(() => applyRestore(withSets(), "*nat\n-A PREROUTING -m set --match-set KUBE-CLUSTER-IP dst,up -j ACCEPT\nCOMMIT\n", { noflush: false })).toThrow(IptablesParseError)
  })
})

describe("ipset members", () => {
  it("canonical entries, -exist, and the kernel's refusals", () => {
    const s = new IpSet("KUBE-CLUSTER-IP", "hash:ip,port")
    expect(s.add("10.96.0.1,443")).toBe(true)
    expect(s.entries()).toEqual(["10.96.0.1,tcp:443"])
    expect(() => s.add("10.96.0.1,tcp:443")).toThrow("it's already added")
    expect(s.add("10.96.0.1,tcp:443", true)).toBe(false)
    expect(() => s.add("10.96.0.1,icmp:0")).toThrow(IpSetError)
    expect(() => s.add("10.96.0.1")).toThrow("expected ip,port")
    expect(() => s.del("10.96.0.2,tcp:443")).toThrow("it's not added")
    const n = new IpSet("KUBE-LOAD-BALANCER-SOURCE-CIDR", "hash:ip,port,net")
    n.add("203.0.113.7,tcp:80,10.0.0.0/8")
    expect(n.entries()).toEqual(["203.0.113.7,tcp:80,10.0.0.0/8"])
    expect(n.matchPacket(PROTO_TCP, ip("10.1.2.3"), ip("203.0.113.7"), 1, 80, 0b100, 3)).toBe(true)
    expect(n.matchPacket(PROTO_TCP, ip("11.1.2.3"), ip("203.0.113.7"), 1, 80, 0b100, 3)).toBe(false)
    // Fewer flags than the set has dimensions never match (ip_set_test).
    expect(n.matchPacket(PROTO_TCP, ip("10.1.2.3"), ip("203.0.113.7"), 1, 80, 0, 2)).toBe(false)
  })

  it("membership equals a plain model after any sequence of adds and deletes", () => {
    const entry = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom("tcp", "udp"), fc.integer({ min: 79, max: 81 })).map(([h, p, port]) => `10.96.0.${h},${p}:${port}`)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), entry), { maxLength: 40 }), (ops) => {
        const s = new IpSet("S", "hash:ip,port")
        const model = new Set<string>()
        for (const [add, e] of ops) {
          if (add) {
            s.add(e, true)
            model.add(e)
          } else {
            s.del(e, true)
            model.delete(e)
          }
        }
        expect(s.entries()).toEqual([...model].sort())
        for (const h of [1, 2, 3]) for (const port of [79, 80, 81]) {
          expect(s.matchPacket(PROTO_TCP, 0, ip(`10.96.0.${h}`), 1, port, 0, 2)).toBe(model.has(`10.96.0.${h},tcp:${port}`))
        }
      }),
      { numRuns: runs(100) },
    )
  })
})
