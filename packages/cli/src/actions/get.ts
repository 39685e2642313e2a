import { Console, Effect, Option } from "effect"
import { UserInputError } from "../errors"
import { clusterAt, checkAt, watchRun } from "../inspect/inspect-source"
import { type GetRequest, parseResources, RESOURCES, renderGet } from "../kubectl/get-view"
import { parseFieldSelector, parseLabelSelector } from "../kubectl/selectors"
import { watchGet } from "../kubectl/watch-get"
import type { GetOptions } from "../commands/get"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** `kubesim get` (see ../commands/get.ts). */
export const get = (o: GetOptions) =>
  Effect.gen(function* () {
    const resources = parseResources(o.resource)
    if ("unknown" in resources)
      return yield* new UserInputError({ message: `the server doesn't have a resource type "${resources.unknown}" (kubesim prints: ${RESOURCES.map(([, n]) => n[0]).join(", ")})` })
    // kubectl: "you must specify only one resource" when names follow several types.
    if (resources.multi && o.names.length > 0) return yield* new UserInputError({ message: `you must specify only one resource type with names: "${o.resource}" is several` })
    const output = Option.getOrUndefined(o.output)
    if (o.watch && (output === "yaml" || output === "json")) return yield* new UserInputError({ message: "-w prints tables (or names): -o yaml|json is not supported with it" })
    const request: GetRequest = {
      kinds: resources.kinds,
      multi: resources.multi,
      names: o.names,
      namespace: o.namespace,
      allNamespaces: o.allNamespaces,
      labels: yield* attempt(() => (Option.isSome(o.selector) ? parseLabelSelector(o.selector.value) : undefined)),
      fields: yield* attempt(() => (Option.isSome(o.fieldSelector) ? parseFieldSelector(o.fieldSelector.value) : [])),
      output,
    }
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    if (o.watch) {
      yield* attempt(() => {
        checkAt(target, at)
        watchRun(target, watchGet(request, at ?? 0, (text) => process.stdout.write(text)))
      })
      return
    }
    const text = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      return renderGet(cluster.store, cluster.records.records, request)
    })
    // kubectl prints "No resources found…" to stderr.
    if (text.startsWith("No resources found")) yield* Console.error(text.trimEnd())
    else yield* Effect.sync(() => process.stdout.write(text))
  })
