import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { atOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const node = Options.text("node").pipe(Options.withDescription("the node (e.g. kind-worker)"))
const nftListRulesetConfig = { node, at: atOption, ...targetOptions }
export type NftListRulesetOptions = Command.Command.ParseConfig<typeof nftListRulesetConfig>

/** `kubesim nft list ruleset --node NODE [--at T]`: a node's nftables at simulated time T, as nft prints them. */
export const nftListRulesetCommand = Command.make("ruleset", nftListRulesetConfig, (o) => lazy(() => import("../actions/nft-list-ruleset"), (m) => m.nftListRuleset(o))).pipe(
  Command.withDescription("A node's nftables ruleset at a simulated time, as `nft list ruleset` prints it (kube-proxy's table in nftables mode)."),
)

export const nftCommand = Command.make("nft").pipe(
  Command.withDescription("A node's nftables (nft list ruleset)."),
  Command.withSubcommands([Command.make("list").pipe(Command.withDescription("List nftables objects."), Command.withSubcommands([nftListRulesetCommand]))]),
)
