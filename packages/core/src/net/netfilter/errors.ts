/**
 * Bad iptables text: names the line (1-based), the offending token and what was expected.
 * `line` is 0 when the text was a single rule with no line context.
 */
export class IptablesParseError extends Error {
  override readonly name = "IptablesParseError"
  constructor(
    readonly line: number,
    readonly token: string,
    readonly detail: string,
  ) {
    super(`${line > 0 ? `line ${line}: ` : ""}${detail}${token === "" ? "" : ` (at "${token}")`}`)
  }
}

/** A packet reached something the simulator cannot evaluate (an unknown match or target). */
export class NetfilterEvalError extends Error {
  override readonly name = "NetfilterEvalError"
}

/** Thrown inside the rule parser; the line-level parser adds the line number. */
export class RuleSyntaxError extends Error {
  constructor(
    readonly token: string,
    readonly detail: string,
  ) {
    super(detail)
  }
}
