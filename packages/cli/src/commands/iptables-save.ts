import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { atOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const node = Options.text("node").pipe(Options.withDescription("the node (e.g. kind-worker)"))
const format = Options.choice("format", ["save", "restore"]).pipe(
  Options.withDefault("save" as const),
  Options.withDescription("save: as the node's iptables-save prints it (counters); restore: kube-proxy's iptables-restore payload"),
)

const iptablesSaveConfig = { node, format, at: atOption, ...targetOptions }
export type IptablesSaveOptions = Command.Command.ParseConfig<typeof iptablesSaveConfig>

/** `kubesim iptables-save --node NODE [--format save|restore] [--at T]`: a node's rules at simulated time T. */
export const iptablesSaveCommand = Command.make("iptables-save", iptablesSaveConfig, (o) => lazy(() => import("../actions/iptables-save"), (m) => m.iptablesSave(o))).pipe(
  Command.withDescription("A node's iptables rules at a simulated time, as iptables-save prints them or as kube-proxy's restore payload."),
)
