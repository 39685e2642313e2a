import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import { atNanos, atOption, attempt, resolveTarget, targetOptions } from "./shared"

const node = Options.text("node").pipe(Options.withDescription("the node (e.g. kind-worker)"))
const format = Options.choice("format", ["save", "restore"]).pipe(
  Options.withDefault("save" as const),
  Options.withDescription("save: as the node's iptables-save prints it (counters); restore: kube-proxy's iptables-restore payload"),
)

/** `kubesim iptables-save --node NODE [--format save|restore] [--at T]`: a node's rules at simulated time T. */
export const iptablesSaveCommand = Command.make("iptables-save", { node, format, at: atOption, ...targetOptions }, (o) =>
  Effect.gen(function* () {
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const text = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      if (!cluster.nodes.has(o.node)) throw new UserInputError({ message: `no node named "${o.node}" (nodes: ${[...cluster.nodes.keys()].join(", ")})` })
      return cluster.iptablesSave(o.node, o.format)
    })
    yield* Effect.sync(() => process.stdout.write(text))
  }),
).pipe(Command.withDescription("A node's iptables rules at a simulated time, as iptables-save prints them or as kube-proxy's restore payload."))
