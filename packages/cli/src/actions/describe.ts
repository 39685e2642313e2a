import { Effect } from "effect"
import { clusterAt } from "../inspect/inspect-source"
import { describe as render, describeKind } from "../kubectl/describe"
import type { DescribeOptions } from "../commands/describe"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** `kubesim describe` (see ../commands/describe.ts). */
export const describe = (o: DescribeOptions) =>
  Effect.gen(function* () {
    yield* attempt(() => describeKind(o.kind))
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const text = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      return render(cluster.store, cluster.records.records, o.kind, o.name, o.namespace)
    })
    yield* Effect.sync(() => process.stdout.write(text))
  })
