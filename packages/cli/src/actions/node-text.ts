import type { cluster as core } from "@kubesim/core"
import { Effect, type Option } from "effect"
import type { TargetOptions } from "../commands/shared"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** A per-node inspection command (iptables-save, nft list ruleset): the cluster at `--at`, the node checked, `text` printed. */
export const printNodeText = (o: TargetOptions & { readonly node: string; readonly at: Option.Option<string> }, text: (cluster: core.Cluster) => string) =>
  Effect.gen(function* () {
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const out = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      if (!cluster.nodes.has(o.node)) throw new UserInputError({ message: `no node named "${o.node}" (nodes: ${[...cluster.nodes.keys()].join(", ")})` })
      return text(cluster)
    })
    yield* Effect.sync(() => process.stdout.write(out))
  })
