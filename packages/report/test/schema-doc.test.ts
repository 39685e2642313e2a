import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, test } from "vitest"
import { renderJson } from "../src/index"
import { goldenReport } from "./support/fixtures"

const here = dirname(fileURLToPath(import.meta.url))

/** The README section that documents the JSON schema (from its heading to the next one). */
const schemaSection = (): string => {
  const readme = readFileSync(join(here, "..", "README.md"), "utf8")
  const start = readme.indexOf("## JSON schema")
  const end = readme.indexOf("\n## ", start + 1)
  return readme.slice(start, end < 0 ? undefined : end)
}

// Objects whose keys are data (pod names, endpoints, service ports), not schema fields.
const DATA_MAPS = new Set(["byPod", "byEndpoint", "services", "bySource"])

const fieldNames = (value: unknown, parent: string, out: Set<string>): void => {
  if (Array.isArray(value)) {
    // An array's items are records (runs[].services[] is a list of service ports, not a data map).
    for (const v of value) fieldNames(v, "", out)
    return
  }
  if (typeof value !== "object" || value === null) return
  const isDataMap = DATA_MAPS.has(parent)
  for (const [k, v] of Object.entries(value)) {
    if (!isDataMap) out.add(k)
    fieldNames(v, isDataMap ? "" : k, out)
  }
}

test("every field of the JSON report is documented in README.md's schema section", () => {
  const section = schemaSection()
  expect(section.length).toBeGreaterThan(100)
  const names = new Set<string>()
  fieldNames(JSON.parse(renderJson(goldenReport())), "", names)
  expect(names.size).toBeGreaterThan(40)
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")
  const undocumented = [...names].filter((k) => !new RegExp(`[\\s{,.\`"(\\[]${escape(k)}[\\s},:\`"|)\\[]`).test(section)).sort()
  expect(undocumented).toEqual([])
})
