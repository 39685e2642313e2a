import { Command } from "@effect/cli"
import { validateCommand } from "./commands/validate"

/** The `kubesim` command tree. */
export const kubesim = Command.make("kubesim").pipe(
  Command.withDescription("A deterministic discrete-event simulator of Kubernetes Service networking."),
  Command.withSubcommands([validateCommand]),
)

export const KUBESIM_VERSION = "0.1.0"
