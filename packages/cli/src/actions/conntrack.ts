import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import { conntrackList } from "../kubectl/conntrack-list"
import type { ConntrackOptions } from "../commands/conntrack"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** `kubesim conntrack -L --node N` (see ../commands/conntrack.ts). */
export const conntrack = (o: ConntrackOptions) =>
  Effect.gen(function* () {
    if (!o.dump) return yield* new UserInputError({ message: "conntrack: kubesim lists the table only: give -L (--dump)" })
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const r = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      if (!cluster.nodes.has(o.node)) throw new UserInputError({ message: `no node "${o.node}" (nodes: ${[...cluster.nodes.keys()].join(", ")})` })
      const table = cluster.fabric.node(o.node).conntrack
      if (table === null) throw new UserInputError({ message: `node "${o.node}" has no conntrack table` })
      return conntrackList(table, cluster.sim.now)
    })
    yield* Effect.sync(() => {
      process.stdout.write(r.out)
      process.stderr.write(r.err)
    })
  })
