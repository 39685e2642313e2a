import { type api, views } from "@kubesim/core"
import { Console, Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import type { GetOptions } from "../commands/get"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** kubectl's names for the resources kubesim prints (full, singular, short), as `kubectl api-resources` lists them. */
const RESOURCES: ReadonlyArray<readonly [views.PrintableKind | "all", ReadonlyArray<string>]> = [
  ["all", ["all"]],
  ["Pod", ["pods", "pod", "po"]],
  ["Service", ["services", "service", "svc"]],
  ["EndpointSlice", ["endpointslices", "endpointslice", "endpointslices.discovery.k8s.io"]],
  ["Deployment", ["deployments", "deployment", "deploy", "deployments.apps"]],
  ["ReplicaSet", ["replicasets", "replicaset", "rs", "replicasets.apps"]],
  ["StatefulSet", ["statefulsets", "statefulset", "sts", "statefulsets.apps"]],
  ["DaemonSet", ["daemonsets", "daemonset", "ds", "daemonsets.apps"]],
  ["ConfigMap", ["configmaps", "configmap", "cm"]],
  ["Secret", ["secrets", "secret"]],
  ["ServiceAccount", ["serviceaccounts", "serviceaccount", "sa"]],
]

const resourceOf = (name: string): views.PrintableKind | "all" | undefined => RESOURCES.find(([, names]) => names.includes(name.toLowerCase()))?.[0]

/** `kubesim get` (see ../commands/get.ts). */
export const get = (o: GetOptions) =>
  Effect.gen(function* () {
    const kind = resourceOf(o.resource)
    if (kind === undefined)
      return yield* new UserInputError({ message: `error: the server doesn't have a resource type "${o.resource}" (kubesim prints: ${RESOURCES.map(([, n]) => n[0]).join(", ")})` })
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const text = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      const opts = { namespace: o.namespace, allNamespaces: o.allNamespaces }
      const out = o.output._tag === "Some" ? o.output.value : undefined
      if (out === "yaml" || out === "json") {
        const kinds: api.Kind[] = kind === "all" ? [...views.GET_ALL_KINDS] : [kind]
        const objects = views.selectObjects(cluster.store, kinds, opts)
        return out === "json" ? views.toJsonOutput(objects) : views.toYamlOutput(objects)
      }
      const wide = { ...opts, wide: out === "wide" }
      return kind === "all" ? views.getAll(cluster.store, wide) : views.getTable(cluster.store, kind, wide)
    })
    // kubectl prints "No resources found…" to stderr.
    if (text.startsWith("No resources found")) yield* Console.error(text.trimEnd())
    else yield* Effect.sync(() => process.stdout.write(text))
  })
