import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { scenarioFromObject } from "../format/load-scenario"
import type { Scenario } from "../format/schema"
import { KUBESIM_VERSION } from "./run-json"
import { runScenario } from "./run-scenario"
import { runDirPath, writeRunDir } from "./write-run-dir"

const resolved = { apiVersion: "kubesim.dev/v1alpha1", kind: "Scenario", metadata: { name: "t" }, duration: "1s" } as Scenario
const content = (hash: string) => ({
  runJson: { kubesimVersion: "0.1.0", scenario: "t", variant: "default", seed: 1, traceHash: hash, events: 3, duration: "1s", resolved },
  // Two chunks: the file is their concatenation.
  recordsChunks: ['{"kind":"run-end","t":0,', '"events":3,"traceHash":"' + hash + '"}\n'],
  summary: "# t\n",
})

describe("writeRunDir", () => {
  test("writes run.json (contract field order), records.jsonl and summary.md; replaces an earlier run whole", () => {
    const out = mkdtempSync(join(tmpdir(), "kubesim-runs-"))
    const dir = runDirPath(out, "t", "default", 1)
    expect(dir).toBe(join(out, "t", "default", "seed-1"))
    writeRunDir(dir, content("0000000000000001"))
    writeRunDir(dir, content("0000000000000002"))
    expect(readdirSync(dir).sort()).toEqual(["records.jsonl", "run.json", "summary.md"])
    const json = readFileSync(join(dir, "run.json"), "utf8")
    expect(Object.keys(JSON.parse(json))).toEqual(["kubesimVersion", "scenario", "variant", "seed", "traceHash", "events", "duration", "resolved"])
    expect(JSON.parse(json).traceHash).toBe("0000000000000002")
    expect(readFileSync(join(dir, "records.jsonl"), "utf8")).toContain("0000000000000002")
    // Nothing temporary is left beside it.
    expect(readdirSync(join(out, "t", "default"))).toEqual(["seed-1"])
  })

  test("a failed write leaves no directory", () => {
    const out = mkdtempSync(join(tmpdir(), "kubesim-runs-"))
    const dir = join(out, "x")
    const bad = { ...content("0000000000000003"), summary: undefined as unknown as string }
    expect(() => writeRunDir(dir, bad)).toThrow()
    expect(existsSync(dir)).toBe(false)
    expect(readdirSync(out)).toEqual([])
  })
})

test("run.json records the version the caller passes (the CLI passes its own), this package's only by default", () => {
  const tiny = scenarioFromObject({ apiVersion: "kubesim.dev/v1alpha1", kind: "Scenario", metadata: { name: "tiny" }, duration: "100ms" })
  const passed = runScenario(tiny, { seed: 1, kubesimVersion: "7.7.7-cli" })
  expect(passed.runJson.kubesimVersion).toBe("7.7.7-cli")
  const dir = join(mkdtempSync(join(tmpdir(), "kubesim-runs-")), "tiny")
  writeRunDir(dir, passed)
  expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).kubesimVersion).toBe("7.7.7-cli")
  expect(runScenario(tiny, { seed: 1 }).runJson.kubesimVersion).toBe(KUBESIM_VERSION)
})
