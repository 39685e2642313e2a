import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { describe, expect, test } from "vitest"
import { renderHtml } from "../src/index"
import { chartViews, expectReadableCharts } from "./support/chart-checks"
import { goldenReport } from "./support/fixtures"

const executablePath = "/usr/bin/chromium"
const present = existsSync(executablePath)
const inCi = (process.env["CI"] ?? "") !== ""
if (!present && !inCi) {
  console.warn("\n!!! SKIPPING the headless Chromium HTML test: /usr/bin/chromium is absent (apt-get install chromium) !!!\n")
}

// Flags from the machine notes: no sandbox (root in a container), no GPU, no network chatter.
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

describe.skipIf(!present && !inCi)("HTML report in headless Chromium", () => {
  test("a page of several runs: contents and the comparison first, readable charts, no console errors", async () => {
    const html = await renderHtml(goldenReport())
    const userDataDir = mkdtempSync(join(tmpdir(), "kubesim-chromium-"))
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args })
    try {
      const page = await context.newPage()
      const errors: string[] = []
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text())
      })
      page.on("pageerror", (e) => errors.push(String(e)))
      const external: string[] = []
      page.on("request", (r) => {
        if (!r.url().startsWith("data:") && r.url() !== "about:blank") external.push(r.url())
      })
      await page.setContent(html, { waitUntil: "load" })
      const charts = await chartViews(page)
      expect(charts.length).toBeGreaterThanOrEqual(6)
      expectReadableCharts(charts)
      // A page of several runs: contents, then the comparison, then the runs; no chart of a metric no run moved.
      const order = await page.$$eval("nav#contents, section", (els) => els.map((e) => e.id))
      expect(order.slice(0, 3)).toEqual(["contents", "summary", "runs"])
      expect(order[3]).toBe("run-0")
      expect(await page.$$eval("nav#contents a", (as) => as.length)).toBe(2 + 4)
      const titles = await page.$$eval("#summary figcaption", (c) => c.map((x) => x.textContent ?? ""))
      for (const constant of ["errorWindows:", "affinityViolations:", "chiSquarePValue"]) {
        expect(titles.filter((t) => t.includes(constant)), constant).toEqual([])
      }
      expect(await page.$$eval("script, link[rel=stylesheet]", (n) => n.length)).toBe(0)
      expect(errors).toEqual([])
      expect(external).toEqual([])
    } finally {
      await context.close()
      rmSync(userDataDir, { recursive: true, force: true })
    }
  })
})
