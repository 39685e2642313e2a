import { Args, Command } from "@effect/cli"
import { api } from "@kubesim/core"
import { Console, Effect } from "effect"
import { readInputFile } from "../io/read-input"
import { UserInputError } from "../errors"

const files = Args.file({ name: "file", exists: "yes" }).pipe(Args.atLeast(1))

/**
 * `kubesim validate <files…>`: decodes and validates manifests (and scenarios) without running anything.
 * Prints kubectl-style errors and warnings; exits 1 if any file has an error.
 */
export const validateCommand = Command.make("validate", { files }, ({ files }) =>
  Effect.gen(function* () {
    let errors = 0
    for (const file of files) {
      const text = yield* readInputFile(file)
      const result = api.decodeManifests(text, { file })
      const issues = [...result.errors, ...result.warnings]
      if (issues.length > 0) yield* Console.error(api.formatManifestIssues(issues).trimEnd())
      errors += result.errors.length
      if (result.errors.length === 0) yield* Console.log(`${file}: ${result.objects.length} object(s) valid`)
    }
    if (errors > 0) return yield* new UserInputError({ message: `${errors} error(s) found` })
  }),
).pipe(Command.withDescription("Check manifests and scenarios without running them."))
