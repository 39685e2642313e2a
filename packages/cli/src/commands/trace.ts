import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { targetOptions } from "./shared"
import { lazy } from "./lazy"

const requestId = Args.integer({ name: "request-id" }).pipe(Args.optional, Args.withDescription("the request's id (the `id` of its record)"))
const client = Options.text("client").pipe(Options.optional, Options.withDescription("instead of an id: the client (pod or external host) …"))
const nth = Options.integer("nth").pipe(Options.optional, Options.withDescription("… and which of its requests (1-based, default 1)"))
const output = Options.choice("output", ["text", "json"]).pipe(Options.withAlias("o"), Options.withDefault("text" as const))

const traceConfig = { requestId, client, nth, output, ...targetOptions }
export type TraceOptions = Command.Command.ParseConfig<typeof traceConfig>

/**
 * `kubesim trace <request-id> | --client NAME [--nth N]`: the request's packets hop by hop — host, hook, table,
 * the rules matched (netfilter TRACE style), NAT applied, conntrack state, verdict, time.
 */
export const traceCommand = Command.make("trace", traceConfig, (o) => lazy(() => import("../actions/trace"), (m) => m.trace(o))).pipe(
  Command.withDescription("Follow one request's packets hop by hop through hooks, rules, NAT and conntrack."),
)
