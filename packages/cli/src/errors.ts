import * as Data from "effect/Data"

/**
 * Bad input from the user (a file that does not decode, a scenario that does not validate, a run directory that
 * is not one). Printed without a stack trace; the process exits 1. `--verbose` adds `detail`.
 */
export class UserInputError extends Data.TaggedError("UserInputError")<{
  readonly message: string
  readonly detail?: string
}> {}

/** Exit codes: 0 success, 1 invalid input or a failed check, 2 usage error (as kubectl and most CLIs). */
export const EXIT_INPUT = 1
export const EXIT_USAGE = 2
