/**
 * A problem with a scenario, found before anything runs: where it is (file, line and column when known, the
 * field path such as `clients[0].traffic.rate`), what was expected and what was found. All problems of a scenario
 * are collected and reported together.
 */
export interface ScenarioIssue {
  readonly file: string
  readonly line?: number
  readonly column?: number
  /** Field path in the scenario document (`actions[2].scale.replicas`); "" for the whole document. */
  readonly path: string
  readonly expected: string
  readonly found: string
  /** One line for humans: `actions[2].scale.replicas: expected integer ≥ 0, found number -1`. */
  readonly message: string
}

export const formatIssueLocation = (i: ScenarioIssue): string =>
  i.line === undefined ? i.file : `${i.file}:${i.line}:${i.column ?? 1}`

/** `file:line:col: message` per issue, one a line. */
export const formatScenarioIssues = (issues: ReadonlyArray<ScenarioIssue>): string =>
  issues.map((i) => `${formatIssueLocation(i)}: ${i.message}\n`).join("")

/** Thrown (or failed with, in Effect) when a scenario cannot run; carries every issue found. */
export class ScenarioError extends Error {
  readonly _tag = "ScenarioError"
  override readonly name = "ScenarioError"
  constructor(readonly issues: ReadonlyArray<ScenarioIssue>) {
    super(
      `invalid scenario (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${formatScenarioIssues(issues).trimEnd()}`,
    )
  }
}

/** An issue with `expected`/`found` and a message built from them. */
export const issue = (file: string, path: string, expected: string, found: string, at?: { line: number; column: number }): ScenarioIssue => ({
  file,
  ...(at !== undefined ? { line: at.line, column: at.column } : {}),
  path,
  expected,
  found,
  message: `${path === "" ? "" : `${path}: `}expected ${expected}, found ${found}`,
})

/** An issue whose message is free text (cross-reference checks: "selector {app: api} matches nothing …"). */
export const issueWithMessage = (file: string, path: string, expected: string, found: string, message: string, at?: { line: number; column: number }): ScenarioIssue => ({
  file,
  ...(at !== undefined ? { line: at.line, column: at.column } : {}),
  path,
  expected,
  found,
  message: `${path === "" ? "" : `${path}: `}${message}`,
})
