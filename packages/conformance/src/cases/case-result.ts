import type { VerdictRow } from "../report/verdict-table"

/** One case's table row and, when the two sides disagree, what disagreed (empty when it passes). */
export interface CaseResult {
  readonly row: VerdictRow
  readonly problems: ReadonlyArray<string>
}

export const caseResult = (
  row: Omit<VerdictRow, "verdict">,
  problems: ReadonlyArray<string>,
): CaseResult => ({ row: { ...row, verdict: problems.length === 0 ? "pass" : "FAIL" }, problems })
