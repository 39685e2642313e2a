import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// The sweep → report / compare path as a user walks it: `kubesim sweep` twice (the second over more seeds), then
// `kubesim report` and `kubesim compare` of what it wrote. One small sweep serves every test.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const BIN = join(ROOT, "packages/cli/bin/kubesim.mjs")
const TINY = join(ROOT, "packages/cli/test/fixtures/tiny.yaml")
const WORK = mkdtempSync(join(tmpdir(), "kubesim-sweep-report-"))
afterAll(() => rmSync(WORK, { recursive: true, force: true }))

const kubesim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: WORK, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 180_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const sweepJson = () => JSON.parse(readFileSync(join(WORK, "sw/tiny/sweep.json"), "utf8")) as { variants: string[]; seeds: number[]; runs: Array<{ variant: string; seed: number }> }

beforeAll(() => {
  expect(kubesim("sweep", TINY, "--seeds", "1..2", "--workers", "2", "--out", "sw").code).toBe(0)
})

describe("sweep, report and compare", () => {
  it("sweep run directories carry report.md and report.html", () => {
    for (const v of ["default", "affinity"]) for (const f of ["report.md", "report.html"]) expect(existsSync(join(WORK, "sw/tiny", v, "seed-1", f)), `${v} ${f}`).toBe(true)
  })

  it("a second, longer sweep keeps the first one's seeds in sweep.json (all runs present, sorted)", () => {
    const first = sweepJson()
    expect(first.runs.map((r) => `${r.variant}/${r.seed}`)).toEqual(["affinity/1", "affinity/2", "default/1", "default/2"])
    expect(kubesim("sweep", TINY, "--seeds", "3", "--workers", "2", "--out", "sw").code).toBe(0)
    const second = sweepJson()
    expect(second.seeds).toEqual([1, 2, 3])
    expect(second.variants).toEqual(["default", "affinity"])
    expect(second.runs.map((r) => `${r.variant}/${r.seed}`)).toEqual(["affinity/1", "affinity/2", "affinity/3", "default/1", "default/2", "default/3"])
  })

  it("report of a sweep leads with the comparison, then one line per run", () => {
    const r = kubesim("report", "sw/tiny")
    expect(r.code, r.err).toBe(0)
    const lines = r.out.split("\n")
    expect(lines[2]).toMatch(/^## Comparison of affinity, default over seeds 1, 2, 3/)
    expect(r.out).toContain("Baseline: default.")
    expect(r.out).not.toContain("## Run ")
    const runLines = lines.filter((l) => /^\| (affinity|default) \| \d \|/.test(l))
    expect(runLines).toHaveLength(6)
    expect(lines.length).toBeLessThan(60)
    expect(lines.findIndex((l) => l.startsWith("## Runs"))).toBeGreaterThan(lines.findIndex((l) => l.startsWith("## Comparison")))
  })

  it("one variant over several seeds gets an across-seed summary", () => {
    const r = kubesim("report", "sw/tiny/default")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/## Across seeds 1, 2, 3 \(variant default\)/)
    expect(r.out).toMatch(/\| default\/web-service \| jain \| bootstrap \| [\d.]+ \[[\d.]+, [\d.]+\] \|/)
  })

  it("compare labels the sides by variant name, not path", () => {
    const r = kubesim("compare", "sw/tiny/default", "sw/tiny/affinity")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/## Comparison of affinity, default over seeds 1, 2, 3/)
    expect(r.out).not.toContain("sw/tiny")
    expect(r.out).toContain("| affinity − default [CI] |")
  })

  it("the HTML of a sweep has contents and the comparison before the runs", () => {
    const r = kubesim("report", "sw/tiny", "--format", "html", "-o", "sweep.html")
    expect(r.code, r.err).toBe(0)
    const html = readFileSync(join(WORK, "sweep.html"), "utf8")
    const at = (s: string) => html.indexOf(s)
    expect(at('<nav id="contents">')).toBeGreaterThan(0)
    expect(at('<section id="summary">')).toBeGreaterThan(at('<nav id="contents">'))
    expect(at('<section id="run-0">')).toBeGreaterThan(at('<section id="summary">'))
    expect(html).toContain('<a href="#run-5">')
  })
})
