import { Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { targetRecords } from "../inspect/inspect-source"
import { compactLine, filterFlows, flowsOf, jsonLine } from "../kubectl/flows"
import type { ObserveOptions } from "../commands/observe"
import { attempt } from "./attempt"
import { resolveTarget } from "./target"

/** `kubesim observe` (see ../commands/observe.ts). */
export const observe = (o: ObserveOptions) =>
  Effect.gen(function* () {
    if (o.last < 0) return yield* new UserInputError({ message: "--last counts flows: give a number ≥ 0" })
    const service = Option.orElse(o.service, () => o.toService)
    const target = yield* resolveTarget(o)
    const text = yield* attempt(() => {
      const recs = targetRecords(target)
      const pods = new Set(recs.flatMap((r) => (r.kind === "action" && r.object.startsWith("Pod ") ? [r.object.slice(r.object.indexOf("/") + 1)] : [])))
      const flows = filterFlows(flowsOf(recs, pods), {
        ...(Option.isSome(o.pod) ? { pod: o.pod.value } : {}),
        ...(Option.isSome(o.fromPod) ? { fromPod: o.fromPod.value } : {}),
        ...(Option.isSome(o.toPod) ? { toPod: o.toPod.value } : {}),
        ...(Option.isSome(service) ? { service: service.value } : {}),
        ...(Option.isSome(o.verdict) ? { verdict: o.verdict.value } : {}),
        ...(Option.isSome(o.dropReason) ? { dropReason: o.dropReason.value } : {}),
      })
      const shown = o.last > 0 ? flows.slice(-o.last) : flows
      return shown.map((f) => `${o.output === "json" ? jsonLine(f) : compactLine(f)}\n`).join("")
    })
    yield* Effect.sync(() => process.stdout.write(text))
  })
