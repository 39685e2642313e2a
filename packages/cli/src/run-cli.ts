import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { KUBESIM_VERSION, kubesim } from "./cli"
import { EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, InternalError, UserInputError } from "./errors"
import { helpFor, helpRequest } from "./help/index"
import { stripColorWhenDisabled } from "./io/terminal"
import { handlerStarted } from "./commands/lazy"

/** kubectl's prefix for an error (`error: …`); messages that carry kubectl's own (`Error from server (NotFound): …`) keep it. */
export const errorLine = (message: string): string => (/^(error: |Error from server)/.test(message) ? message : `error: ${message}`)

/**
 * Runs the `kubesim` command line (`process.argv`) and sets the exit code: 0 success; 1 invalid input (file,
 * document and field path, no stack trace; `--verbose` adds detail); 2 usage error (`error: …` and where the
 * usage is, as kubectl prints it); 130 interrupted; 70 internal error (its report). `--help` is kubesim's own
 * (help/), printed before @effect/cli parses anything; @effect/cli parses everything else. Called by main.ts (tsx)
 * and bundle-entry.ts.
 */
export const runCli = async (): Promise<void> => {
  const verbose = process.argv.includes("--verbose")
  const argv = process.argv.filter((a) => a !== "--verbose")
  stripColorWhenDisabled(process.stdout)
  stripColorWhenDisabled(process.stderr)

  const asked = helpRequest(argv.slice(2))
  if (asked !== undefined) {
    const text = helpFor(asked)
    if (text !== undefined) {
      process.stdout.write(text)
      return
    }
  }

  // What @effect/cli prints before a handler starts is a parse error: keep it to print it kubectl's way.
  const parseErrors: string[] = []
  const program = Console.consoleWith((console) =>
    Command.run(kubesim, { name: "kubesim", version: KUBESIM_VERSION })(argv).pipe(
      Effect.withConsole({
        ...console,
        error: (...args: ReadonlyArray<unknown>) => (handlerStarted() ? console.error(...args) : Effect.sync(() => void parseErrors.push(args.map(String).join(" ")))),
      }),
    ),
  ).pipe(Effect.provide(NodeContext.layer))

  const exit = await Effect.runPromiseExit(program)
  if (Exit.isSuccess(exit)) return
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some" && ValidationError.isValidationError(failure.value)) {
    if (ValidationError.isHelpRequested(failure.value)) return
    const command = argv.slice(2).find((a) => !a.startsWith("-"))
    const text = parseErrors.join("\n").trim().replace(/\n\s*\n/g, "\n") || "invalid command line"
    const known = command !== undefined && helpFor(command) !== undefined
    process.stderr.write(`${errorLine(text)}\nSee 'kubesim${known ? ` ${command}` : ""} --help' for usage.\n`)
    process.exitCode = EXIT_USAGE
  } else if (failure._tag === "Some" && failure.value instanceof UserInputError) {
    process.stderr.write(`${errorLine(failure.value.message)}\n`)
    if (verbose && failure.value.detail !== undefined) process.stderr.write(`${failure.value.detail}\n`)
    process.exitCode = EXIT_INPUT
  } else if (failure._tag === "Some" && failure.value instanceof InternalError) {
    process.stderr.write(`${failure.value.message}\n`)
    if (verbose && failure.value.detail !== undefined) process.stderr.write(`${failure.value.detail}\n`)
    else process.stderr.write("(--verbose adds the stack)\n")
    process.exitCode = EXIT_INTERNAL
  } else if (Cause.isInterruptedOnly(exit.cause)) {
    process.exitCode = EXIT_INTERRUPTED
  } else {
    process.stderr.write(`kubesim: internal error (please report it):\n${verbose ? Cause.pretty(exit.cause) : String(Cause.squash(exit.cause))}\n`)
    process.exitCode = EXIT_INTERNAL
  }
}
