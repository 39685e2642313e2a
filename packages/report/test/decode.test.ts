import { Effect, Either } from "effect"
import { describe, expect, test } from "vitest"
import { decodeRecordsJsonl, decodeRecordsJsonlSync, decodeRunMeta, RecordsDecodeError } from "../src/index"
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
  test("run.json: the fields the report needs", () => {
    expect(decodeRunMeta({ scenario: "s", variant: "v", seed: 3, traceHash: "abc", other: 1 })).toEqual({ scenario: "s", variant: "v", seed: 3, traceHash: "abc" })
    expect(() => decodeRunMeta({ scenario: "s", variant: "v", seed: 1.5, traceHash: "abc" })).toThrow(/run\.json: field "seed"/)
  })
})
