import * as Data from "effect/Data"

/**
 * Bad input from the user (a file that does not decode, a scenario that does not validate, a run directory that
 * is not one). Printed without a stack trace; the process exits 1. `--verbose` adds `detail`.
 */
export class UserInputError extends Data.TaggedError("UserInputError")<{
  readonly message: string
  readonly detail?: string
}> {}

/**
 * A failure of kubesim itself (a component of the simulation failed, not the input): printed as its report (the
 * component, node, simulated time, last records); the process exits 70. `--verbose` adds `detail` (the stack).
 */
export class InternalError extends Data.TaggedError("InternalError")<{
  readonly message: string
  readonly detail?: string
}> {}

/**
 * Exit codes: 0 success, 1 invalid input or a failed check, 2 usage error (as kubectl and most CLIs), 70 internal
 * error (sysexits.h EX_SOFTWARE), 130 interrupted (128 + SIGINT, as a shell reports it).
 */
export const EXIT_INPUT = 1
export const EXIT_USAGE = 2
export const EXIT_INTERNAL = 70
export const EXIT_INTERRUPTED = 130
