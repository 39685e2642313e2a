/**
 * Bad `nft -f` input, or a transaction the kernel would refuse: names the line (1-based) and what was expected,
 * as nft does (`file:LINE:COL: Error: …`). A failed transaction leaves the ruleset as it was.
 */
export class NftError extends Error {
  override readonly name = "NftError"
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `line ${line}: ${detail}` : detail)
  }
}

/** A packet reached something the evaluator cannot run (a loop deeper than the jump stack, a missing chain). */
export class NftEvalError extends Error {
  override readonly name = "NftEvalError"
}
