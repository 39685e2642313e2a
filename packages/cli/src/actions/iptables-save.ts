import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import type { IptablesSaveOptions } from "../commands/iptables-save"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** `kubesim iptables-save` (see ../commands/iptables-save.ts). */
export const iptablesSave = (o: IptablesSaveOptions) =>
  Effect.gen(function* () {
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const text = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      if (!cluster.nodes.has(o.node)) throw new UserInputError({ message: `no node named "${o.node}" (nodes: ${[...cluster.nodes.keys()].join(", ")})` })
      return cluster.iptablesSave(o.node, o.format)
    })
    yield* Effect.sync(() => process.stdout.write(text))
  })
