import { api } from "@kubesim/core"
import { Console, Effect } from "effect"
import { readInputFile } from "../io/read-input"
import { UserInputError } from "../errors"

/** `kubesim validate` (see ../commands/validate.ts): decode each file, print kubectl-style issues, exit 1 on errors. */
export const validate = (files: ReadonlyArray<string>) =>
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
  })
