import { Args, Command, Options } from "@effect/cli"
import type { records } from "@kubesim/core"
import { Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { targetRecords } from "../inspect/inspect-source"
import { findRequest, traceRequest } from "../inspect/trace-request"
import { renderTrace } from "../inspect/trace-render"
import { attempt, resolveTarget, targetOptions } from "./shared"

const requestId = Args.integer({ name: "request-id" }).pipe(Args.optional, Args.withDescription("the request's id (the `id` of its record)"))
const client = Options.text("client").pipe(Options.optional, Options.withDescription("instead of an id: the client (pod or external host) …"))
const nth = Options.integer("nth").pipe(Options.optional, Options.withDescription("… and which of its requests (1-based, default 1)"))
const output = Options.choice("output", ["text", "json"]).pipe(Options.withAlias("o"), Options.withDefault("text" as const))

/**
 * `kubesim trace <request-id> | --client NAME [--nth N]`: the request's packets hop by hop — host, hook, table,
 * the rules matched (netfilter TRACE style), NAT applied, conntrack state, verdict, time.
 */
export const traceCommand = Command.make("trace", { requestId, client, nth, output, ...targetOptions }, (o) =>
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
  }),
).pipe(Command.withDescription("Follow one request's packets hop by hop through hooks, rules, NAT and conntrack."))
