import type { records } from "@kubesim/core"
import { Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { targetRecords } from "../inspect/inspect-source"
import { findRequest, traceRequest } from "../inspect/trace-request"
import { renderTrace } from "../inspect/trace-render"
import type { TraceOptions } from "../commands/trace"
import { attempt } from "./attempt"
import { resolveTarget } from "./target"

/** `kubesim trace` (see ../commands/trace.ts). */
export const trace = (o: TraceOptions) =>
  Effect.gen(function* () {
    if (Option.isSome(o.requestId) === Option.isSome(o.client)) return yield* new UserInputError({ message: "trace: give a request id or --client NAME [--nth N] (one of them)" })
    if (Option.isSome(o.nth) && o.nth.value < 1) return yield* new UserInputError({ message: "--nth counts from 1" })
    const target = yield* resolveTarget(o)
    const text = yield* attempt(() => {
      const recs = targetRecords(target)
      const req = findRequest(recs, Option.isSome(o.requestId) ? { id: o.requestId.value } : { client: Option.getOrThrow(o.client), nth: Option.getOrElse(o.nth, () => 1) })
      const end = (recs[recs.length - 1] as records.RunRecord).t
      const { events, truncated } = traceRequest(target, req, end)
      return o.output === "json" ? `${JSON.stringify({ request: req, events, truncated }, null, 2)}\n` : renderTrace(req, events, truncated)
    })
    yield* Effect.sync(() => process.stdout.write(text))
  })
