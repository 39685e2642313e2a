import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { makeRng } from "../../sim/index"
import { formatIpv4 } from "../addr/index"
import { type EvalContext, RecentTables, Ruleset, applyRestore, evaluateHook, packetMeta, renderSave } from "./index"
import { RuleParseCache } from "./rule-cache"
import { TableShareCache, chainNamesOf, inPlaceWrites, ruleCounters } from "./shared-tables"
import type { Chain } from "./model"

const svcPayload = (services: number, version: number) => {
  const lines = ["*nat", ":KUBE-SERVICES - [0:0]", ":KUBE-SVC-A - [0:0]"]
  for (let i = 0; i < services; i++) lines.push(`-A KUBE-SERVICES -d ${formatIpv4(0x0a600000 + i)}/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-A`)
  lines.push(`-A KUBE-SVC-A -j DNAT --to-destination 10.244.1.${version}:80`, "COMMIT")
  return `${lines.join("\n")}\n`
}
const jump = "*nat\n-I PREROUTING -j KUBE-SERVICES\n-I OUTPUT -j KUBE-SERVICES\nCOMMIT\n"
const baseJumps = `*nat\n:KUBE-SERVICES - [0:0]\n${jump.slice("*nat\n".length)}`

// A second service chain, its deletion (kube-proxy's stale-chain lines) and a node's own rule that jumps to it.
const extraPayloads = {
  addB: "*nat\n:KUBE-SVC-B - [0:0]\n:KUBE-EXT-B - [0:0]\n-A KUBE-EXT-B -j KUBE-SVC-B\n-A KUBE-SVC-B -m recent --name b --set -j DNAT --to-destination 10.244.2.1:80\nCOMMIT\n",
  deleteB: "*nat\n:KUBE-SVC-B - [0:0]\n:KUBE-EXT-B - [0:0]\n-X KUBE-SVC-B\n-X KUBE-EXT-B\nCOMMIT\n",
  foreignB: "*nat\n-I OUTPUT -j KUBE-SVC-B\nCOMMIT\n",
  // A chain of its own that jumps to B, which only some nodes have (the shared plan records the question).
  useB: "*nat\n:KUBE-SVC-C - [0:0]\n-A KUBE-SVC-C -j KUBE-SVC-B\nCOMMIT\n",
  dropC: "*nat\n:KUBE-SVC-C - [0:0]\n-X KUBE-SVC-C\nCOMMIT\n",
  // Changes a chain packets are counted on in place (its counters must stay this node's).
  insertPre: "*nat\n-I PREROUTING -s 10.9.9.9/32 -j RETURN\nCOMMIT\n",
}
const outcome = (f: () => void): string => {
  try {
    f()
    return "ok"
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

const recentNamesIn = (rs: Ruleset): string[] => {
  const names = new Set<string>()
  for (const t of rs.tables.values()) for (const c of t.chains.values()) for (const r of c.rules) for (const m of r.matches) if (m.kind === "recent") names.add(m.name)
  return [...names].sort()
}

const ctx = (): EvalContext => ({ now: 0, rng: makeRng(1, "n"), isLocal: () => false, recent: new RecentTables() })
const send = (rs: Ruleset, svc: number) => evaluateHook(rs, "nat", "PREROUTING", packetMeta({ dst: 0x0a600000 + svc, proto: 6, dport: 80 }), ctx())

describe("TableShareCache: nodes restoring the same payloads share the result", () => {
  test("payloads that only declare, fill and delete their own chains install shared chains, counted per node on the side", () => {
    const cache = new TableShareCache()
    const rules = new RuleParseCache()
    const opts = { noflush: true, tableCache: cache, ruleCache: rules }
    const nodes = [new Ruleset(), new Ruleset(), new Ruleset()]
    for (const rs of nodes) {
      applyRestore(rs, svcPayload(40, 2), opts)
      applyRestore(rs, jump, opts)
    }
    // The service payload is planned once and installed three times; the jump payload (-I) is restored per node.
    expect([cache.planMisses, cache.planHits]).toEqual([2, 3])
    const [a, b, c] = nodes as [Ruleset, Ruleset, Ruleset]
    expect(a.chain("nat", "KUBE-SERVICES")).toBe(b.chain("nat", "KUBE-SERVICES"))
    expect(a.chain("nat", "KUBE-SVC-A")).toBe(c.chain("nat", "KUBE-SVC-A"))
    // Node a counts a packet: on its side, the chains stay shared; b and c still read zeros.
    expect(send(a, 7).nat?.toIp).toBe(0x0af40102)
    const svcA = a.chain("nat", "KUBE-SVC-A") as Chain
    expect(svcA).toBe(b.chain("nat", "KUBE-SVC-A"))
    expect(renderSave(b, { counters: true })).toBe(renderSave(c, { counters: true }))
    expect(renderSave(a, { counters: true })).not.toBe(renderSave(b, { counters: true }))
    expect(ruleCounters(a, svcA, 0).packets).toBe(1)
    expect(ruleCounters(b, svcA, 0).packets).toBe(0)
    expect(svcA.rules[0]?.counters.packets).toBe(0)
    // Next sync: every node takes the new shared chains; all equal separate restores, a keeps its PREROUTING count.
    for (const rs of nodes) applyRestore(rs, svcPayload(40, 3), opts)
    const alone = new Ruleset()
    applyRestore(alone, svcPayload(40, 2), { noflush: true })
    applyRestore(alone, jump, { noflush: true })
    applyRestore(alone, svcPayload(40, 3), { noflush: true })
    for (const rs of nodes) expect(renderSave(rs)).toBe(renderSave(alone))
    expect(a.chain("nat", "KUBE-SVC-A")).toBe(c.chain("nat", "KUBE-SVC-A"))
    expect(ruleCounters(a, a.chain("nat", "PREROUTING") as Chain, 0).packets).toBe(1)
    expect(ruleCounters(b, b.chain("nat", "PREROUTING") as Chain, 0).packets).toBe(0)
  })

  test("a node's chain names decide whether a shared plan fits it: answered once per name set, never from a stale one", () => {
    const cache = new TableShareCache()
    const opts = { noflush: true, tableCache: cache }
    const [a, b] = [new Ruleset(), new Ruleset()]
    const alone = [new Ruleset(), new Ruleset()]
    const both = (i: number, text: string): [string, string] => [
      outcome(() => applyRestore(i === 0 ? a : b, text, opts)),
      outcome(() => applyRestore(alone[i] as Ruleset, text, { noflush: true })),
    ]
    for (let i = 0; i < 2; i++) for (const text of [svcPayload(5, 1), jump]) both(i, text)
    // Counting a packet gives each node tables of its own (the shared-chain path, which changes maps in place).
    send(a, 1)
    send(b, 1)
    // a takes useB with B present, then loses C and B through shared restores: useB must then be refused, as
    // it is to b before b adds B.
    const { addB, useB, dropC, deleteB } = extraPayloads
    const steps = [[0, addB], [0, useB], [1, useB], [0, dropC], [0, deleteB], [0, useB], [1, addB], [1, useB]] as const
    const outcomes = steps.map(([node, text]) => both(node, text))
    for (const [shared, own] of outcomes) expect(shared).toBe(own)
    expect(outcomes.map(([shared]) => (shared === "ok" ? "ok" : "refused"))).toEqual(["ok", "ok", "refused", "ok", "ok", "refused", "ok", "ok"])
    expect(renderSave(a)).toBe(renderSave(alone[0] as Ruleset))
    expect(renderSave(b)).toBe(renderSave(alone[1] as Ruleset))
    expect(cache.planHits).toBeGreaterThan(3)
  })

  test("any interleaving of restores and packets on several nodes gives each node the verdicts, rules and counters it would have alone; a chain-name token always stands for one name set", () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant("restore" as const), node: fc.nat(2), version: fc.integer({ min: 1, max: 3 }), services: fc.constantFrom(5, 40) }),
      fc.record({ op: fc.constant("packet" as const), node: fc.nat(2), svc: fc.nat(45) }),
      fc.record({ op: fc.constantFrom("addB" as const, "deleteB" as const, "foreignB" as const, "useB" as const, "dropC" as const, "insertPre" as const), node: fc.nat(2) }),
    )
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 30 }), (jumpsFirst, steps) => {
        const cache = new TableShareCache()
        const shared = [new Ruleset(), new Ruleset(), new Ruleset()]
        const alone = [new Ruleset(), new Ruleset(), new Ruleset()]
        for (let n = 0; n < 3; n++) {
          // Jumps first: the nodes' first restore is onto pristine tables, so they share whole chain maps from then on
          // (restores onto them go through the (state, payload) memo); else each holds a map of its own.
          for (const text of jumpsFirst ? [baseJumps, svcPayload(5, 1)] : [svcPayload(5, 1), jump]) {
            applyRestore(shared[n] as Ruleset, text, { noflush: true, tableCache: cache })
            applyRestore(alone[n] as Ruleset, text, { noflush: true })
          }
        }
        const ids = new Map<string, object>()
        const idOf = (text: string): object => {
          let id = ids.get(text)
          if (id === undefined) ids.set(text, (id = {}))
          return id
        }
        // chainNamesOf: the same token exactly while the names are the same (kube-proxy's stale-chain memo keys on it).
        const namesByToken = new Map<object, string>()
        const checkTokens = () => {
          for (const rs of shared) {
            for (const name of ["nat", "filter"] as const) {
              const chains = rs.table(name)?.chains
              if (chains === undefined) continue
              const names = [...chains.keys()].sort().join(" ")
              const token = chainNamesOf(chains)
              const known = namesByToken.get(token)
              if (known === undefined) namesByToken.set(token, names)
              else expect(names).toBe(known)
            }
          }
        }
        checkTokens()
        for (const s of steps) {
          const x = shared[s.node] as Ruleset
          const y = alone[s.node] as Ruleset
          checkTokens()
          if (s.op === "packet") {
            expect(send(x, s.svc)).toEqual(send(y, s.svc))
            continue
          }
          const text = s.op === "restore" ? svcPayload(s.services, s.version) : extraPayloads[s.op]
          // Both take the payload, or both refuse it with the same error (and stay unchanged).
          // Half the restores say which payload object they restore (textId: the same object only with the same text).
          const textId = s.node === 1 ? undefined : idOf(text)
          expect(outcome(() => applyRestore(x, text, { noflush: true, tableCache: cache, ...(textId !== undefined ? { textId } : {}) }))).toBe(
            outcome(() => applyRestore(y, text, { noflush: true })),
          )
        }
        checkTokens()
        for (let n = 0; n < 3; n++) expect(renderSave(shared[n] as Ruleset, { counters: true })).toBe(renderSave(alone[n] as Ruleset, { counters: true }))
        // xt_recent lists live exactly while a rule names them (restores carry a table's recent matches over).
        for (const rs of [...shared, ...alone]) expect(rs.recent.names().sort()).toEqual(recentNamesIn(rs))
      }),
      { numRuns: runs(150) },
    )
  })

  test("inPlaceWrites reads each line as its word split would (any mix of ops, counters, comments and spacing)", () => {
    // The reference: every line split into words.
    const reference = (text: string): Array<readonly [string, string | null]> => {
      const out: Array<readonly [string, string | null]> = []
      let table = "filter"
      let declared = new Set<string>()
      for (const raw of text.split("\n")) {
        const line = raw.replace(/^\[\d+:\d+\]\s+/, "").trim()
        if (line === "" || line.startsWith("#") || line === "COMMIT") continue
        const [op, name] = line.split(/\s+/) as [string, string | undefined]
        if (op.startsWith("*")) {
          if (["raw", "mangle", "filter", "nat"].includes(op.slice(1))) table = op.slice(1)
          declared = new Set()
        } else if (op.startsWith(":")) {
          if (name === "-") declared.add(op.slice(1))
          else out.push([table, op.slice(1)])
        } else if (op === "-N" || op === "--new-chain") {
          if (name !== undefined) declared.add(name)
        } else if (op === "-X" || op === "--delete-chain") continue
        else if (op === "-F" || op === "--flush") {
          if (name === undefined || name.startsWith("-")) out.push([table, null])
          else if (!declared.has(name)) out.push([table, name])
        } else if (["-A", "--append", "-I", "--insert", "-D", "--delete", "-R", "--replace", "-P", "--policy"].includes(op) && name !== undefined) {
          if (!declared.has(name)) out.push([table, name])
        } else out.push([table, null])
      }
      return out
    }
    const space = fc.constantFrom(" ", "  ", "\t", " \t ")
    const chain = fc.constantFrom("A", "KUBE-SVC-X", "OUTPUT", "PREROUTING", "-j")
    const line = fc.oneof(
      fc.tuple(fc.constantFrom("*nat", "*filter", "*bogus", ":A -", ":OUTPUT ACCEPT", ":A", "COMMIT", "# note", "", "--weird"), space).map(([l, sp]) => `${sp}${l}`),
      fc.tuple(fc.constantFrom("-A", "--append", "-I", "-D", "-R", "-P", "-N", "--new-chain", "-X", "-F", "--flush"), space, fc.option(chain), fc.boolean(), fc.boolean()).map(
        ([op, sp, name, counters, tail]) => `${counters ? "[1:2]" + sp : ""}${op}${name === null ? "" : sp + name}${tail ? sp + "-j ACCEPT" : ""}${tail ? sp : ""}`,
      ),
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), (lines) => {
        const text = lines.join("\n")
        expect(inPlaceWrites(text)).toEqual(reference(text))
      }),
      { numRuns: runs(300) },
    )
  })

  test("inPlaceWrites: the chains a payload changes without declaring them first", () => {
    expect(inPlaceWrites(svcPayload(2, 1))).toEqual([])
    expect(inPlaceWrites(jump)).toEqual([["nat", "PREROUTING"], ["nat", "OUTPUT"]])
    expect(inPlaceWrites("*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A X -j ACCEPT\n-F Y\n-F\nCOMMIT\n*nat\n-A X -j RETURN\n[3:4] -D OUTPUT -j X\n--weird\nCOMMIT\n")).toEqual([
      ["filter", "INPUT"],
      ["filter", "Y"],
      ["filter", null],
      ["nat", "X"],
      ["nat", "OUTPUT"],
      ["nat", null],
    ])
  })
})
