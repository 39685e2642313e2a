import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { atOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const conntrackConfig = {
  dump: Options.boolean("dump").pipe(Options.withAlias("L")),
  node: Options.text("node"),
  at: atOption,
  ...targetOptions,
}
export type ConntrackOptions = Command.Command.ParseConfig<typeof conntrackConfig>

/** `kubesim conntrack -L --node NODE [--at T]`: the node's conntrack table. Help: help/commands-help.ts. */
export const conntrackCommand = Command.make("conntrack", conntrackConfig, (o) => lazy(() => import("../actions/conntrack"), (m) => m.conntrack(o)))
