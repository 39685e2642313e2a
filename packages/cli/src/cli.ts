import { Command } from "@effect/cli"
import { compareCommand } from "./commands/compare"
import { reportCommand } from "./commands/report"
import { validateCommand } from "./commands/validate"

/** The `kubesim` command tree. */
export const kubesim = Command.make("kubesim").pipe(
  Command.withDescription("A deterministic discrete-event simulator of Kubernetes Service networking."),
  Command.withSubcommands([reportCommand, compareCommand, validateCommand]),
)

export const KUBESIM_VERSION = "0.1.0"
