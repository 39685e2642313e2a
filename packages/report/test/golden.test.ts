import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, test } from "vitest"
import { renderHtml, renderJson, renderMarkdown } from "../src/index"
import { goldenReport } from "./support/fixtures"

const here = dirname(fileURLToPath(import.meta.url))
const goldenDir = join(here, "golden")
const update = process.env["UPDATE_GOLDEN"] === "1"

const check = (file: string, actual: string): void => {
  const path = join(goldenDir, file)
  if (update) {
    mkdirSync(goldenDir, { recursive: true })
    writeFileSync(path, actual)
  }
  // Compare whole texts: a mismatch shows a diff; UPDATE_GOLDEN=1 rewrites the files after a deliberate change.
  expect(actual).toBe(readFileSync(path, "utf8"))
}

describe("golden report (UPDATE_GOLDEN=1 rewrites)", () => {
  const report = goldenReport()
  test("markdown", () => check("report.md", renderMarkdown(report)))
  // One run is rendered in full (several runs lead with the summary and list runs compactly).
  test("markdown of one run", () => check("report-run.md", renderMarkdown({ ...report, runs: report.runs.slice(0, 1), comparison: null })))
  test("json", () => check("report.json", renderJson(report)))
  // The checked-in bytes were written by another process: equality also shows Vega's SVG is deterministic.
  test("html", async () => check("report.html", await renderHtml(report)))
  test("the JSON holds the fields scripts rely on", () => {
    const json = JSON.parse(renderJson(report)) as { schema: string; runs: Array<Record<string, any>> }
    expect(json.schema).toBe("kubesim-report/2")
    const run = json.runs[0]!
    expect(Object.keys(run["requests"])).toEqual(["total", "byOutcome", "byCause", "failedShare"])
    const svc = run["services"][0]
    expect(svc.service).toMatch(/^default\/[a-z-]+(:[a-z0-9-]+)?$/)
    for (const key of ["byPod", "byEndpoint", "jain", "chiSquare", "clients"]) expect(svc).toHaveProperty(key)
    expect(Object.keys(svc.chiSquare)).toEqual(["statistic", "df", "pValue"])
    expect(Object.keys(svc.byEndpoint).every((k) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(k))).toBe(true)
    for (const key of ["clientIp", "requests", "stickiness", "switches"]) expect(svc.clients[0]).toHaveProperty(key)
  })
})
