import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { chartViews, expectReadableCharts } from "./support/chart-checks"

// The HTML report as it is used: `kubesim run <built-in>` writes report.html, a browser shows it. Each built-in
// scenario's report is opened in headless Chromium, screenshotted (KUBESIM_SCREENSHOTS=dir keeps the PNGs), and
// checked for what a reader trips over: labels that cannot be told apart or are cut, time axes that start below
// 0, charts with nothing drawn. The CLI is run as a separate process: this package imports nothing of the simulator.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const BIN = join(ROOT, "packages/cli/bin/kubesim.mjs")
const LIBRARY = join(ROOT, "packages/scenarios/library")
const executablePath = "/usr/bin/chromium"
const present = existsSync(executablePath)
const inCi = (process.env["CI"] ?? "") !== ""
if (!present && !inCi) console.warn("\n!!! SKIPPING the built-in scenarios' HTML screenshots: /usr/bin/chromium is absent (apt-get install chromium) !!!\n")
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

const names = readdirSync(LIBRARY).filter((n) => existsSync(join(LIBRARY, n, "scenario.yaml"))).sort()
/** Scenarios too big for the suite at full size run their small variant (as the library test does). */
const VARIANT: Readonly<Record<string, string>> = { "large-cluster": "smoke" }
const variantOf = (name: string): string => VARIANT[name] ?? "default"
const WORK = mkdtempSync(join(tmpdir(), "kubesim-html-"))
const shots = process.env["KUBESIM_SCREENSHOTS"] ?? join(WORK, "shots")
afterAll(() => rmSync(WORK, { recursive: true, force: true }))

describe.skipIf(!present && !inCi)("every built-in scenario's HTML report in headless Chromium", () => {
  beforeAll(() => {
    mkdirSync(shots, { recursive: true })
    for (const name of names) {
      const r = spawnSync(process.execPath, [BIN, "run", name, "--variant", variantOf(name), "--seed", "1", "--out", "runs"], { cwd: WORK, encoding: "utf8", timeout: 300_000 })
      expect(r.status, `${name}: ${r.stderr}`).toBe(0)
    }
  }, 900_000)

  test.each(names)("%s: labels distinct and whole, no negative time axis, no empty chart", async (name) => {
    const html = readFileSync(join(WORK, "runs", name, variantOf(name), "seed-1", "report.html"), "utf8")
    const userDataDir = mkdtempSync(join(WORK, "chromium-"))
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args, viewport: { width: 1200, height: 900 } })
    try {
      const page = await context.newPage()
      const errors: string[] = []
      page.on("pageerror", (e) => errors.push(String(e)))
      await page.setContent(html, { waitUntil: "load" })
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
      const charts = await chartViews(page)
      expect(charts.length, "a report draws at least the per-pod bars").toBeGreaterThan(0)
      expectReadableCharts(charts)
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
