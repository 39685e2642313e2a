import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { describe, expect, test } from "vitest"
import { renderHtml } from "../src/index"
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
  test("every chart has rendered SVG marks and the console has no errors", async () => {
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
      const charts = await page.$$eval("figure.chart", (figures) =>
        figures.map((f) => {
          const svg = f.querySelector("svg")
          const marks = svg === null ? 0 : svg.querySelectorAll("g.mark-rect path, g.mark-line path, g.mark-rule line, g.mark-symbol path").length
          const box = svg?.getBoundingClientRect()
          return { id: f.id, marks, width: box?.width ?? 0, height: box?.height ?? 0 }
        }),
      )
      expect(charts.length).toBeGreaterThanOrEqual(10)
      for (const c of charts) {
        expect(c.marks, `chart ${c.id} has no marks`).toBeGreaterThan(0)
        expect(c.width, `chart ${c.id} is not laid out`).toBeGreaterThan(50)
        expect(c.height).toBeGreaterThan(20)
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
