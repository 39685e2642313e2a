import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { NANOS_PER_SECOND, makeRng } from "../../sim/index"
import { parseIpv4 } from "../addr/index"
import { type EvalContext, PROTO_TCP, Ruleset, applyRestore, evaluateHook, packetMeta, parseRule, type RecentMatch } from "./index"

const recentOf = (text: string): RecentMatch => {
  const m = parseRule(text).matches[0]
  if (m?.kind !== "recent") throw new Error("not a recent match")
  return m
}

describe("xt_recent", () => {
  const HZ = 250
  const jiffy = NANOS_PER_SECOND / HZ

  it("--rcheck --seconds T matches until T has passed since the last --set, and not after", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86400 }), fc.integer({ min: 0, max: 10 ** 6 }), (T, setAtJiffies) => {
        const rs = new Ruleset()
        const set = recentOf("-m recent --name L --set")
        const check = recentOf(`-m recent --name L --rcheck --seconds ${T}`)
        const src = parseIpv4("10.0.0.7")
        const t0 = setAtJiffies * jiffy
        expect(rs.recent.match(set, src, 0, 0, t0)).toBe(true)
        expect(rs.recent.match(check, src, 0, 0, t0)).toBe(true)
        // Exactly T seconds later (same jiffy boundary): still matches; one jiffy later: not.
        expect(rs.recent.match(check, src, 0, 0, t0 + T * NANOS_PER_SECOND)).toBe(true)
        expect(rs.recent.match(check, src, 0, 0, t0 + T * NANOS_PER_SECOND + jiffy)).toBe(false)
        // Another source never matched.
        expect(rs.recent.match(check, parseIpv4("10.0.0.8"), 0, 0, t0)).toBe(false)
      }),
      { numRuns: runs(200) },
    )
  })

  it("--update refreshes the window only when it matches", () => {
    const rs = new Ruleset()
    const src = parseIpv4("10.0.0.7")
    rs.recent.match(recentOf("-m recent --name L --set"), src, 0, 0, 0)
    const upd = recentOf("-m recent --name L --update --seconds 10")
    expect(rs.recent.match(upd, src, 0, 0, 9 * NANOS_PER_SECOND)).toBe(true)
    expect(rs.recent.match(upd, src, 0, 0, 18 * NANOS_PER_SECOND)).toBe(true)
    expect(rs.recent.match(upd, src, 0, 0, 29 * NANOS_PER_SECOND)).toBe(false)
    expect(rs.recent.match(upd, src, 0, 0, 30 * NANOS_PER_SECOND)).toBe(false)
  })

  it("--reap drops the least recently seen entry once it is stale, but never the entry being checked", () => {
    const rs = new Ruleset()
    const set = recentOf("-m recent --name L --set")
    const check = recentOf("-m recent --name L --rcheck --seconds 10 --reap")
    const a = parseIpv4("10.0.0.1")
    const b = parseIpv4("10.0.0.2")
    rs.recent.match(set, a, 0, 0, 0)
    rs.recent.match(set, b, 0, 0, 5 * NANOS_PER_SECOND)
    const table = rs.recent.get("L")
    // At 12 s, a is stale but is the entry being checked: kept.
    expect(rs.recent.match(check, a, 0, 0, 12 * NANOS_PER_SECOND)).toBe(false)
    expect(table?.entries.has(a)).toBe(true)
    // Checking b (fresh) reaps a, the stale LRU head.
    expect(rs.recent.match(check, b, 0, 0, 12 * NANOS_PER_SECOND)).toBe(true)
    expect(table?.entries.has(a)).toBe(false)
    // b goes stale; a check for a (absent) reaps nothing: reaping happens only when the source is found.
    expect(rs.recent.match(check, a, 0, 0, 30 * NANOS_PER_SECOND)).toBe(false)
    expect(table?.entries.has(b)).toBe(true)
  })

  it("remembers at most 100 sources per list, evicting the least recently seen", () => {
    const rs = new Ruleset()
    const set = recentOf("-m recent --name L --set")
    for (let i = 0; i < 101; i++) rs.recent.match(set, i + 1, 0, 0, i * NANOS_PER_SECOND)
    expect(rs.recent.get("L")?.entries.size).toBe(100)
    expect(rs.recent.get("L")?.entries.has(1)).toBe(false)
  })

  it("gives ClientIP affinity through kube-proxy's rules, until the timeout", () => {
    const rs = new Ruleset()
    applyRestore(
      rs,
      [
        "*nat",
        ":SVC - [0:0]",
        ":SEP1 - [0:0]",
        ":SEP2 - [0:0]",
        "-A PREROUTING -j SVC",
        "-A SEP1 -m recent --name SEP1 --set -m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80",
        "-A SEP2 -m recent --name SEP2 --set -m tcp -p tcp -j DNAT --to-destination 10.0.0.2:80",
        "-A SVC -m recent --name SEP1 --rcheck --seconds 60 --reap -j SEP1",
        "-A SVC -m recent --name SEP2 --rcheck --seconds 60 --reap -j SEP2",
        "-A SVC -m statistic --mode random --probability 0.5000000000 -j SEP1",
        "-A SVC -j SEP2",
        "COMMIT",
        "",
      ].join("\n"),
      { noflush: true },
    )
    const ctx: EvalContext = { now: 0, rng: makeRng(7, "node"), isLocal: () => false, recent: rs.recent }
    const send = (src: string, at: number) => {
      ctx.now = at * NANOS_PER_SECOND
      return evaluateHook(rs, "nat", "PREROUTING", packetMeta({ src: parseIpv4(src), proto: PROTO_TCP, dport: 80 }), ctx).nat?.toIp
    }
    const first = send("192.168.1.1", 0)
    for (let t = 1; t <= 5; t++) expect(send("192.168.1.1", t * 10)).toBe(first)
    // Over many clients both endpoints are used.
    const seen = new Set<number | null | undefined>()
    for (let c = 2; c < 40; c++) seen.add(send(`192.168.1.${c}`, 100))
    expect(seen.size).toBe(2)
    // Removing the rules that use a list destroys it (recent_mt_destroy).
    applyRestore(rs, "*nat\n-D PREROUTING -j SVC\n:SVC - [0:0]\n:SEP1 - [0:0]\n:SEP2 - [0:0]\n-X SEP1\n-X SEP2\n-X SVC\nCOMMIT\n", { noflush: true })
    expect(rs.recent.names()).toEqual([])
  })
})
