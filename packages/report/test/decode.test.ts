import { Effect, Either } from "effect"
import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../test-support/runs"
import { sameShape } from "../../../test-support/same-shape"
import { decodeRecordLine, decodeRecordsJsonl, decodeRecordsJsonlSync, decodeRunMeta, recordLineDecoder, RecordsDecodeError } from "../src/index"
import { syntheticRun } from "./support/synthetic"

const run = syntheticRun({ seed: 9, seconds: 5, nodes: 2, clients: 2, intervalMs: 500, services: [{ name: "web", replicas: 2, port: 80 }], churn: [{ at: 2, service: "web", replica: 0 }] })
const jsonl = run.records.map((r) => JSON.stringify(r)).join("\n") + "\n"

const errorOf = (text: string): RecordsDecodeError => {
  const result = Effect.runSync(Effect.either(decodeRecordsJsonl(text, "run/records.jsonl")))
  if (Either.isRight(result)) throw new Error("expected a decode error")
  return result.left
}

describe("records.jsonl decoding", () => {
  test("round-trips every kind the writer emits", () => {
    expect(decodeRecordsJsonlSync(jsonl)).toEqual(run.records)
    expect(new Set(run.records.map((r) => r.kind))).toEqual(new Set(["phase", "service", "endpoints", "rules", "action", "dns", "request", "run-end"]))
  })
  test("ignores unknown kinds and blank lines; ignores appended fields", () => {
    const text = `{"kind":"future-thing","t":1,"x":2}\n\n{"kind":"phase","t":5,"name":"p","addedLater":true}\n`
    expect(decodeRecordsJsonlSync(text)).toEqual([{ kind: "phase", t: 5, name: "p" }])
  })
  test("errors name the file, the line and the field", () => {
    const bad = jsonl.split("\n")
    const line = bad.findIndex((l) => l.includes('"kind":"request"'))
    bad[line] = bad[line]!.replace(/"latency":\d+/, '"latency":"fast"')
    const e = errorOf(bad.join("\n"))
    expect(e).toMatchObject({ file: "run/records.jsonl", line: line + 1, field: "latency" })
    expect(e.message).toContain(`run/records.jsonl:${line + 1}: field "latency":`)
    expect(errorOf('{"kind":"endpoints","t":0,"service":"s","endpoints":[{"endpoint":"1.2.3.4:80","pod":"p","node":"n","ready":"yes","serving":true,"terminating":false}]}').field).toBe("endpoints[0].ready")
    expect(errorOf("not json").message).toMatch(/^run\/records.jsonl:1: not JSON/)
    expect(errorOf('{"t":1}').field).toBe("kind")
    expect(errorOf('{"kind":"request","id":1}').line).toBe(1)
  })
  test("a file's decoder, reusing shares texts met before, gives what decodeRecordLine gives for each line, errors included", () => {
    const outcome = (f: () => unknown): { readonly ok: unknown } | { readonly error: string } => {
      try {
        return { ok: f() }
      } catch (e) {
        return { error: String(e) }
      }
    }
    const name = fc.oneof(fc.constantFrom("kind-worker", "a\"b", "c\\d", "\u00e9", "", "__proto__"), fc.string({ maxLength: 4 }))
    // A few shares texts, so lines repeat them; some are not objects, or not valid shares.
    const sharesText = fc.oneof(
      fc.dictionary(name, fc.dictionary(name, fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(-0)), { maxKeys: 3 }), { maxKeys: 3 }).map((o) => JSON.stringify(o)),
      fc.constantFrom("{}", "[]", '"x"', '{"s":{"e":"half"}}', '{"s":{"e":0.5}},"t":7', '{"s":{"e":0.5}} ', "{", '{"s":{"e":1}}}'),
    )
    const line = (pool: ReadonlyArray<string>) =>
      fc
        .record({
          t: fc.oneof(fc.nat(), fc.constant(-1)),
          node: name,
          mode: fc.constantFrom("iptables", "nftables"),
          full: fc.boolean(),
          services: fc.integer({ min: -2, max: 9 }),
          rules: fc.nat(99),
          shares: fc.constantFrom(...pool),
          tail: fc.constantFrom("}", "}", "}", ' }', ',"t":3}'),
        })
        .map((l) => `{"kind":"rules","t":${l.t},"node":${JSON.stringify(l.node)},"mode":"${l.mode}","full":${l.full},"services":${l.services},"rules":${l.rules},"shares":${l.shares}${l.tail}`)
    fc.assert(
      fc.property(
        fc.array(sharesText, { minLength: 1, maxLength: 4 }).chain((pool) => fc.array(fc.oneof(line(pool), fc.constant('{"kind":"phase","t":1,"name":"p"}')), { maxLength: 20 })),
        (lines) => {
          const decode = recordLineDecoder()
          lines.forEach((l, i) => {
            const reused = outcome(() => decode(l, i + 1, "f"))
            const plain = outcome(() => decodeRecordLine(l, i + 1, "f"))
            if ("error" in plain) expect(reused).toEqual(plain)
            else expect("ok" in reused && sameShape(reused.ok, plain.ok), l).toBe(true)
          })
        },
      ),
      { numRuns: runs(300) },
    )
  })
  test("run.json: the fields the report needs", () => {
    expect(decodeRunMeta({ scenario: "s", variant: "v", seed: 3, traceHash: "abc", other: 1 })).toEqual({ scenario: "s", variant: "v", seed: 3, traceHash: "abc" })
    expect(() => decodeRunMeta({ scenario: "s", variant: "v", seed: 1.5, traceHash: "abc" })).toThrow(/run\.json: field "seed"/)
  })
})
