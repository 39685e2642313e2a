import { readFileSync } from "node:fs"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { sameShape } from "../../../../test-support/same-shape"
import { RECORD_FIELDS, RECORD_KINDS } from "./fields"
import { canonicalRecord, canonicalRecords, parseRecordLine, parseRecords } from "./parse"
import { RecordError } from "./record-error"
import { RecordLog } from "./record-log"
import { serialiseRecord, toJsonl } from "./serialise"
import { runRecord } from "./testing/arbitraries"
import type { EndpointEntry, EndpointsRecord, RequestRecord, RulesRecord, RunRecord } from "./types"

/** The canonical form the serialiser writes: endpoints sorted by (endpoint, pod, node, ready, serving, terminating). */
const canonical = (r: RunRecord): RunRecord => {
  if (r.kind !== "endpoints") return r
  const key = (e: EndpointEntry): ReadonlyArray<string | number> => [e.endpoint, e.pod, e.node, +e.ready, +e.serving, +e.terminating]
  const cmp = (a: EndpointEntry, b: EndpointEntry): number => {
    const ka = key(a)
    const kb = key(b)
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] as string | number
      const y = kb[i] as string | number
      if (x !== y) return x < y ? -1 : 1
    }
    return 0
  }
  return { ...r, endpoints: r.endpoints.slice().sort(cmp) }
}

/** Field names per kind from the tables of docs/records.md, in order. */
const documentedFields = (): Map<string, string[]> => {
  const md = readFileSync(new URL("../../../../docs/records.md", import.meta.url), "utf8")
  const out = new Map<string, string[]>()
  let current: string[] | null = null
  for (const line of md.split("\n")) {
    const heading = /^## `([a-z-]+)`/.exec(line)
    if (heading !== null) {
      current = []
      out.set(heading[1] as string, current)
      continue
    }
    const row = /^\| ([A-Za-z]+) \|/.exec(line)
    if (row !== null && current !== null && row[1] !== "field") current.push(row[1] as string)
  }
  return out
}

/**
 * Records some of which reuse another's `endpoints` list or `shares` object (copies with another time), as
 * kube-proxy's records of nodes in step do: writers and converters that reuse a collection's result by identity
 * must still treat each record whole.
 */
const sharingRecords: fc.Arbitrary<RunRecord[]> = fc.array(runRecord, { maxLength: 30 }).chain((rs) =>
  fc
    .array(fc.nat({ max: Math.max(0, rs.length - 1) }), { maxLength: rs.length === 0 ? 0 : 10 })
    .map((picks) => [...rs, ...picks.map((i) => { const r = rs[i] as RunRecord; return { ...r, t: r.t === 0 ? 1 : r.t - 1 } })]),
)

describe("records", () => {
  it("list exactly the fields of docs/records.md, in its order", () => {
    const doc = documentedFields()
    expect([...doc.keys()]).toEqual(RECORD_KINDS)
    for (const kind of RECORD_KINDS) expect(["kind", ...RECORD_FIELDS[kind].map(([f]) => f)]).toEqual(doc.get(kind))
  })

  it("serialise → parse round-trips every record, with fields in documented order", () => {
    fc.assert(
      fc.property(runRecord, (r) => {
        const line = serialiseRecord(r)
        expect(line).not.toContain("\n")
        expect(Object.keys(JSON.parse(line))).toEqual(["kind", ...RECORD_FIELDS[r.kind].map(([f]) => f)])
        const back = parseRecordLine(line)
        expect(back).toEqual(canonical(r))
        expect(serialiseRecord(back as RunRecord)).toBe(line)
      }),
      { numRuns: runs(1000) },
    )
  })

  it("writes equal records byte-identically, whatever order their keys and collections were built in", () => {
    fc.assert(
      fc.property(runRecord, fc.integer(), (r, seed) => {
        // Rebuild with object keys reversed, endpoints and share keys shuffled.
        const rng = ((s: number) => () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32)(seed)
        const shuffle = <T>(xs: readonly T[]): T[] => xs.map((x) => [rng(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x)
        const reversed = Object.fromEntries(Object.entries(r).reverse()) as unknown as RunRecord
        const again: RunRecord =
          reversed.kind === "endpoints"
            ? { ...reversed, endpoints: shuffle(reversed.endpoints) }
            : reversed.kind === "rules"
              ? { ...reversed, shares: Object.fromEntries(shuffle(Object.entries(reversed.shares)).map(([k, v]) => [k, Object.fromEntries(shuffle(Object.entries(v)))])) }
              : reversed
        expect(serialiseRecord(again)).toBe(serialiseRecord(r))
      }),
      { numRuns: runs(300) },
    )
  })

  it("canonicalRecord is what parsing the written line gives — key order, -0, absent optionals and extra fields included — and refuses what writing refuses", () => {
    fc.assert(
      fc.property(runRecord, fc.integer(), fc.boolean(), (r, seed, extra) => {
        const rng = ((s: number) => () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32)(seed)
        const shuffle = <T>(xs: readonly T[]): T[] => xs.map((x) => [rng(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x)
        // As a simulation builds them: keys in any order, an absent optional as undefined, -0 where 0 is, more fields.
        const fields = Object.entries(r).map(([k, v]) => [k, v === null && rng() < 0.5 ? undefined : v === 0 && rng() < 0.5 ? -0 : v] as const)
        const built = Object.fromEntries(shuffle(extra ? [...fields, ["internalNote", { x: 1 }] as const] : fields)) as unknown as RunRecord
        const messy: RunRecord =
          built.kind === "endpoints"
            ? { ...built, endpoints: shuffle(built.endpoints) }
            : built.kind === "rules"
              ? { ...built, shares: Object.fromEntries(shuffle(Object.entries(built.shares)).map(([k, v]) => [k, Object.fromEntries(shuffle(Object.entries(v)).map(([e, p]) => [e, p === 0 ? -0 : p]))])) }
              : built
        const read = parseRecordLine(serialiseRecord(messy))
        const direct = canonicalRecord(messy)
        expect(sameShape(direct, read)).toBe(true)
        expect(serialiseRecord(direct)).toBe(serialiseRecord(r))
      }),
      { numRuns: runs(500) },
    )
    const ok: RunRecord = { kind: "phase", t: 1, name: "warm-up" }
    expect(() => canonicalRecord({ ...ok, t: NaN })).toThrow(/record kind "phase" field "t": expected an integer, got NaN/)
    expect(() => canonicalRecord({ kind: "nope" } as unknown as RunRecord)).toThrow(/unknown kind "nope"/)
    expect(() => canonicalRecord({ kind: "rules", t: 1, node: "n", mode: "iptables", full: false, services: 0, rules: 0, shares: { s: { e: Infinity } } })).toThrow(
      /field "shares"\[s\]\[e\]: expected a finite number, got Infinity/,
    )
  })

  it("canonicalRecords, converting each shared collection once, equals canonicalRecord of each", () => {
    fc.assert(
      fc.property(sharingRecords, (rs) => {
        const all = canonicalRecords(rs)
        expect(all.map((r) => JSON.stringify(r))).toEqual(rs.map((r) => JSON.stringify(canonicalRecord(r))))
        expect(all).toEqual(rs.map((r) => parseRecordLine(serialiseRecord(r))))
      }),
      { numRuns: runs(300) },
    )
  })

  it("writes the documented shape byte for byte", () => {
    const req: RequestRecord = {
      kind: "request", id: 3, t: 1000, end: 2500, client: "busybox", clientIp: "10.244.1.5", phase: null,
      service: "default/web-service", url: "http://web-service/", dst: "10.96.0.10:80", node: "node-1",
      endpoint: "10.244.2.7:80", pod: "web-deploy-5d9f7ffff8-hz82f", sourceIp: "10.244.1.5", outcome: "ok",
      cause: null, latency: 1500, status: 200, connection: 1,
    }
    expect(serialiseRecord(req)).toBe(
      '{"kind":"request","id":3,"t":1000,"end":2500,"client":"busybox","clientIp":"10.244.1.5","phase":null,' +
        '"service":"default/web-service","url":"http://web-service/","dst":"10.96.0.10:80","node":"node-1",' +
        '"endpoint":"10.244.2.7:80","pod":"web-deploy-5d9f7ffff8-hz82f","sourceIp":"10.244.1.5","outcome":"ok",' +
        '"cause":null,"latency":1500,"status":200,"connection":1}',
    )
    const eps: EndpointsRecord = {
      kind: "endpoints", t: 5, service: "default/web-service",
      endpoints: [
        { endpoint: "10.244.2.7:80", pod: "b", node: "n2", ready: true, serving: true, terminating: false },
        { endpoint: "10.244.1.9:80", pod: "a", node: "n1", ready: false, serving: true, terminating: true },
      ],
    }
    expect(serialiseRecord(eps)).toBe(
      '{"kind":"endpoints","t":5,"service":"default/web-service","endpoints":[' +
        '{"endpoint":"10.244.1.9:80","pod":"a","node":"n1","ready":false,"serving":true,"terminating":true},' +
        '{"endpoint":"10.244.2.7:80","pod":"b","node":"n2","ready":true,"serving":true,"terminating":false}]}',
    )
    const rules: RulesRecord = {
      kind: "rules", t: 9, node: "node-1", mode: "iptables", full: true, services: 1, rules: 12,
      shares: { "default/web-service": { "10.244.2.7:80": 0.5, "10.244.1.9:80": 0.5 } },
    }
    expect(serialiseRecord(rules)).toBe(
      '{"kind":"rules","t":9,"node":"node-1","mode":"iptables","full":true,"services":1,"rules":12,' +
        '"shares":{"default/web-service":{"10.244.1.9:80":0.5,"10.244.2.7:80":0.5}}}',
    )
    expect(serialiseRecord({ kind: "run-end", t: 7, events: 2, traceHash: "0123456789abcdef" })).toBe(
      '{"kind":"run-end","t":7,"events":2,"traceHash":"0123456789abcdef"}',
    )
  })

  it("rejects values that do not fit the contract, naming kind and field", () => {
    const ok: RunRecord = { kind: "phase", t: 1, name: "warm-up" }
    expect(() => serialiseRecord({ ...ok, t: NaN })).toThrow(/record kind "phase" field "t": expected an integer, got NaN/)
    expect(() => serialiseRecord({ ...ok, t: 1.5 })).toThrow(RecordError)
    expect(() => serialiseRecord({ ...ok, name: 3 } as unknown as RunRecord)).toThrow(/field "name": expected a string, got 3/)
    expect(() => serialiseRecord({ kind: "run-end", t: 1, events: 1, traceHash: "XYZ" })).toThrow(/traceHash.*16 lower-case hex/)
    expect(() => serialiseRecord({ kind: "nope" } as unknown as RunRecord)).toThrow(/unknown kind "nope"/)
    expect(() =>
      serialiseRecord({ kind: "rules", t: 1, node: "n", mode: "iptables", full: false, services: 0, rules: 0, shares: { s: { e: Infinity } } }),
    ).toThrow(/field "shares\[s\]\[e\]": expected a finite number/)
  })

  it("parses with errors that name the line and field; skips unknown kinds and extra fields", () => {
    const text = [
      '{"kind":"phase","t":1,"name":"a"}',
      "",
      '{"kind":"future-kind","x":1}',
      '{"kind":"phase","t":2,"name":"b","addedLater":true}',
    ].join("\n")
    expect(parseRecords(text)).toEqual([
      { kind: "phase", t: 1, name: "a" },
      { kind: "phase", t: 2, name: "b" },
    ])
    expect(() => parseRecords('{"kind":"phase","t":1,"name":"a"}\n{"kind":"phase","t":"2","name":"b"}', "run/records.jsonl")).toThrow(
      'run/records.jsonl:2: record kind "phase" field "t": expected an integer, got "2"',
    )
    expect(() => parseRecords('{"kind":"phase","t":1}')).toThrow('records.jsonl:1: record kind "phase" is missing field "name"')
    expect(() => parseRecords("{nope")).toThrow(/records.jsonl:1: not JSON/)
    expect(() => parseRecords("[1]")).toThrow(/expected a JSON object/)
    expect(() => parseRecords('{"kind":"request"}')).toThrow(/missing field "id"/)
  })

  it("a shares key named __proto__ survives the round trip as an own property (found by the property below)", () => {
    const r = { kind: "rules", t: 0, node: "n", mode: "iptables", full: false, services: 0, rules: 0, shares: { "": Object.fromEntries([["__proto__", 0]]) } } as RunRecord
    const back = parseRecords(toJsonl([r]))[0] as { shares: Record<string, Record<string, number>> }
    expect(Object.keys(back.shares[""] as object)).toEqual(["__proto__"])
    expect(back).toEqual(r)
  })

  it("RecordLog keeps append order and writes what toJsonl writes, in any chunking", () => {
    fc.assert(
      fc.property(sharingRecords, fc.integer({ min: 1, max: 7 }), (records, chunk) => {
        const log = new RecordLog()
        for (const r of records) log.append(r)
        expect(log.size).toBe(records.length)
        expect(log.records).toEqual(records)
        expect(log.ofKind("phase")).toEqual(records.filter((r) => r.kind === "phase"))
        const text = log.toJsonl()
        expect(text).toBe(toJsonl(records))
        let streamed = ""
        log.writeTo((c) => {
          streamed += c
        }, chunk)
        expect(streamed).toBe(text)
        // A character cap cuts chunks sooner, never inside a line.
        const capped: string[] = []
        log.writeTo((c) => capped.push(c), 4096, chunk * 40)
        expect(capped.join("")).toBe(text)
        for (const c of capped) expect(c.endsWith("\n")).toBe(true)
        expect([...log.jsonlChunks()].join("")).toBe(text)
        expect(parseRecords(text)).toEqual(records.map(canonical))
      }),
      { numRuns: runs(100) },
    )
  })
})
