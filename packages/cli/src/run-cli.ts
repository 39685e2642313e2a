import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { KUBESIM_VERSION, kubesim } from "./cli"
import { EXIT_INPUT, EXIT_USAGE, UserInputError } from "./errors"
import { stripColorWhenDisabled } from "./io/terminal"

/**
 * Runs the `kubesim` command line (`process.argv`) and sets the exit code: 0 success; 1 invalid input (file,
 * document and field path, no stack trace; `--verbose` adds detail); 2 usage error (the CLI library has printed
 * what was wrong and the usage); 130 interrupted; 70 internal error. Called by main.ts (tsx) and bundle-entry.ts.
 */
export const runCli = async (): Promise<void> => {
  const verbose = process.argv.includes("--verbose")
  const argv = process.argv.filter((a) => a !== "--verbose")
  stripColorWhenDisabled(process.stdout)
  stripColorWhenDisabled(process.stderr)

  const program = Command.run(kubesim, { name: "kubesim", version: KUBESIM_VERSION })(argv).pipe(Effect.provide(NodeContext.layer))

  const exit = await Effect.runPromiseExit(program)
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "Some" && ValidationError.isValidationError(failure.value)) {
      // @effect/cli has already printed the problem and the help.
      process.exitCode = ValidationError.isHelpRequested(failure.value) ? 0 : EXIT_USAGE
    } else if (failure._tag === "Some" && failure.value instanceof UserInputError) {
      process.stderr.write(`error: ${failure.value.message}\n`)
      if (verbose && failure.value.detail !== undefined) process.stderr.write(`${failure.value.detail}\n`)
      process.exitCode = EXIT_INPUT
    } else if (Cause.isInterruptedOnly(exit.cause)) {
      process.exitCode = 130
    } else {
      process.stderr.write(`kubesim: internal error (please report it):\n${verbose ? Cause.pretty(exit.cause) : Cause.squash(exit.cause)}\n`)
      process.exitCode = 70
    }
  }
}
