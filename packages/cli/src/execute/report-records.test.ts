import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { records } from "@kubesim/core"
import { buildReport, decodeRecordLine, decodeRunMeta, renderMarkdown } from "@kubesim/report"
import { loadBuiltinScenario, renderRunJson, runScenario } from "@kubesim/scenarios"
import { runs } from "../../../../test-support/runs"
import { sameShape } from "../../../../test-support/same-shape"
import { runRecord } from "../../../core/src/records/testing/arbitraries"
import { decodeRecordChunks } from "../io/jsonl-lines"
import { reportRecords } from "./report-records"

describe("the reports' records, taken from memory", () => {
  it("equal what the report package decodes from the written line, for every kind", () => {
    fc.assert(
      fc.property(runRecord, (r) => {
        const decoded = decodeRecordLine(records.serialiseRecord(r), 1, "records.jsonl")
        const [direct] = reportRecords([r])
        expect(sameShape(direct, decoded)).toBe(true)
      }),
      { numRuns: runs(500) },
    )
  })

  it("give a run the report its records.jsonl gives (seed-walkthrough)", () => {
    const r = runScenario(loadBuiltinScenario("seed-walkthrough"), { seed: 1 })
    const meta = decodeRunMeta(JSON.parse(renderRunJson(r.runJson)) as unknown, "run.json")
    const fromMemory = renderMarkdown(buildReport([{ meta, records: reportRecords(r.records) }]))
    const fromText = renderMarkdown(buildReport([{ meta, records: decodeRecordChunks(r.recordsChunks, "records.jsonl") }]))
    expect(fromMemory).toBe(fromText)
    expect(fromMemory).toContain("default/web-service")
  })
})
