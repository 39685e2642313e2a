import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import type { NftListRulesetOptions } from "../commands/nft"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** `kubesim nft list ruleset` (see ../commands/nft.ts). */
export const nftListRuleset = (o: NftListRulesetOptions) =>
  Effect.gen(function* () {
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const text = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      if (!cluster.nodes.has(o.node)) throw new UserInputError({ message: `no node named "${o.node}" (nodes: ${[...cluster.nodes.keys()].join(", ")})` })
      return cluster.nftListRuleset(o.node)
    })
    yield* Effect.sync(() => process.stdout.write(text))
  })
