import type { Page } from "playwright-core"
import { expect } from "vitest"

// What a reader trips over in a rendered report, checked on the page as Chromium laid it out.

interface AxisView {
  readonly title: string
  readonly labels: ReadonlyArray<string>
}
export interface ChartView {
  readonly id: string
  readonly marks: number
  readonly width: number
  readonly height: number
  readonly axes: ReadonlyArray<AxisView>
  readonly legendLabels: ReadonlyArray<string>
}

/** Every chart of the page with its marks, size, axes (title and tick labels) and legend labels. */
export const chartViews = (page: Page): Promise<ChartView[]> =>
  page.$$eval("figure.chart", (figures) =>
    figures.map((f) => {
      const svg = f.querySelector("svg")
      // (structural: the test's TypeScript has no DOM library; this runs in the page)
      const texts = (root: { querySelectorAll(s: string): Iterable<{ textContent: string | null }> }, selector: string) =>
        [...root.querySelectorAll(selector)].map((t) => t.textContent ?? "")
      const box = svg?.getBoundingClientRect()
      return {
        id: f.id,
        marks: svg === null ? 0 : svg.querySelectorAll("g.mark-rect path, g.mark-line path, g.mark-rule line, g.mark-symbol path").length,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        axes: svg === null ? [] : [...svg.querySelectorAll("g.role-axis")].map((a) => ({ title: texts(a, "g.role-axis-title text").join(" "), labels: texts(a, "g.role-axis-label text") })),
        legendLabels: svg === null ? [] : texts(svg, "g.role-legend-label text"),
      }
    }),
  )

/**
 * No empty chart; no label cut with "…" (Vega's mark of an overflowing label); on a nominal axis (pods, clients,
 * variants) every label distinct; on a time axis no tick below 0.
 */
export const expectReadableCharts = (charts: ReadonlyArray<ChartView>): void => {
  for (const c of charts) {
    expect(c.marks, `${c.id}: an empty chart`).toBeGreaterThan(0)
    expect(c.width, `${c.id} is not laid out`).toBeGreaterThan(50)
    expect(c.height).toBeGreaterThan(20)
    for (const a of c.axes) {
      for (const l of a.labels) expect(l, `${c.id} axis "${a.title}": cut label`).not.toContain("…")
      if (/\(s\)|time/.test(a.title)) {
        for (const l of a.labels) expect(Number(l.replace(/[−–]/g, "-").replace(/,/g, "")), `${c.id} time axis label ${l}`).toBeGreaterThanOrEqual(0)
      } else if (a.labels.some((l) => /[a-z]/i.test(l))) {
        expect(new Set(a.labels).size, `${c.id} axis "${a.title}": ${a.labels.join(", ")}`).toBe(a.labels.length)
      }
    }
    for (const l of c.legendLabels) expect(l, `${c.id}: cut legend label`).not.toContain("…")
  }
}
