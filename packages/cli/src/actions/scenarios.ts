import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { builtinEntries } from "../execute/library"

/** `kubesim scenarios` (see ../commands/scenarios.ts): reads the library's YAML only, no decoder, no simulator. */
export const scenarios = () =>
  Effect.gen(function* () {
    const entries = builtinEntries()
    const w = Math.max(4, ...entries.map((e) => e.name.length))
    yield* Console.log(`${"NAME".padEnd(w)}   DESCRIPTION`)
    for (const e of entries) yield* Console.log(`${e.name.padEnd(w)}   ${e.description.replace(/\s+/g, " ").trim()}`)
  })
