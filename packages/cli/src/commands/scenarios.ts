import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { builtinEntries } from "../execute/builtins"

/** `kubesim scenarios`: the built-in library, one scenario a line: name, then its description. */
export const scenariosCommand = Command.make("scenarios", {}, () =>
  Effect.gen(function* () {
    const entries = builtinEntries()
    const w = Math.max(4, ...entries.map((e) => e.name.length))
    yield* Console.log(`${"NAME".padEnd(w)}   DESCRIPTION`)
    for (const e of entries) yield* Console.log(`${e.name.padEnd(w)}   ${e.description.replace(/\s+/g, " ").trim()}`)
  }),
).pipe(Command.withDescription("List the built-in scenarios (run one with `kubesim run NAME`)."))
