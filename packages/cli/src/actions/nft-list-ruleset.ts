import type { NftListRulesetOptions } from "../commands/nft"
import { printNodeText } from "./node-text"

/** `kubesim nft list ruleset` (see ../commands/nft.ts). */
export const nftListRuleset = (o: NftListRulesetOptions) => printNodeText(o, (cluster) => cluster.nftListRuleset(o.node))
