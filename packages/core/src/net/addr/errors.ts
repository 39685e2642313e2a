/** Text that is not a valid address, CIDR or address:port. The message quotes the offending text. */
export class AddressParseError extends Error {
  override readonly name = "AddressParseError"
  constructor(
    /** The text that failed to parse, verbatim. */
    readonly text: string,
    /** What was expected instead, e.g. "an IPv4 address like 10.0.0.1". */
    readonly expected: string,
  ) {
    super(`invalid ${expected.replace(/^an? /, "")}: "${text}" (expected ${expected})`)
  }
}
