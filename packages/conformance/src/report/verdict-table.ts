import { formatP } from "../stats/two-stage-fit"

/** One line of the conformance table: what was compared, what each side did, and whether they agree. */
export interface VerdictRow {
  readonly case: string
  /** What the real kernel did, e.g. "web-a=98 web-b=102" or "ECONNREFUSED×20". */
  readonly kernel: string
  /** What kubesim did with the same traffic. */
  readonly kubesim: string
  /** The smaller of the two deciding chi-square p-values where counts were tested against kubesim's shares. */
  readonly pValue: number | null
  /** Set when a borderline first sample was redrawn (stats/two-stage-fit.ts), e.g. "kernel 3.10e-4 → 0.5210". */
  readonly retried?: string
  readonly verdict: "pass" | "FAIL"
}

/** `{a: 3, b: 5}`-like counts as "a=3 b=5", in the given order. */
export const formatCounts = (names: ReadonlyArray<string>, counts: ReadonlyArray<number>): string =>
  names.map((n, i) => `${n}=${counts[i] ?? 0}`).join(" ")

/** The rows as a fixed-width text table with a header; columns are as wide as their widest cell. */
export const renderVerdictTable = (rows: ReadonlyArray<VerdictRow>): string => {
  const header = ["case", "kernel counts", "kubesim counts", "p-value", "verdict"]
  const cells = rows.map((r) => [
    r.case,
    r.kernel,
    r.kubesim,
    (r.pValue === null ? "-" : formatP(r.pValue)) + (r.retried !== undefined ? ` (retry: ${r.retried})` : ""),
    r.verdict,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (cols: ReadonlyArray<string>) => cols.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}
