import { readFileSync } from "node:fs"
import { Effect } from "effect"
import { UserInputError } from "../errors"

/** Reads a text file the user named; a missing or unreadable file is a UserInputError naming it. */
export const readInputFile = (path: string): Effect.Effect<string, UserInputError> =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (e) => new UserInputError({ message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }),
  })
