import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import { podLogs } from "../kubectl/pod-logs"
import type { LogsOptions } from "../commands/logs"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** `kubesim logs` (see ../commands/logs.ts): the pod must exist at --at, as for kubectl. */
export const logs = (o: LogsOptions) =>
  Effect.gen(function* () {
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const lines = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      if (cluster.store.get("Pod", o.namespace, o.pod) === undefined) throw new UserInputError({ message: `Error from server (NotFound): pods "${o.pod}" not found` })
      return podLogs(cluster.records.records, o.pod, cluster.sim.now)
    })
    const shown = o.tail >= 0 ? lines.slice(Math.max(0, lines.length - o.tail)) : lines
    yield* Effect.sync(() => process.stdout.write(shown.map((l) => `${l}\n`).join("")))
  })
