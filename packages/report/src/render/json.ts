import type { Report } from "../report"

// Replaces non-finite numbers (which JSON cannot hold) by null; the report's own values are already finite.
const finite = (_key: string, value: unknown): unknown => (typeof value === "number" && !Number.isFinite(value) ? null : value)

/** The report as JSON (schema `kubesim-report/2`, README.md), two-space indented, with a final newline. */
export const renderJson = (report: Report): string => `${JSON.stringify(report, finite, 2)}\n`
