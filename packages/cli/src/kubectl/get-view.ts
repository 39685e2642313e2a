import { api, type Nanos, type records, type store, views } from "@kubesim/core"
import { UserInputError } from "../errors"
import { endpointsColumns, endpointsOf, eventColumns, eventsOf, type EndpointsView, type EventView, nodeColumns } from "./printers"
import { checkFields, type FieldRequirement, matchesFields } from "./selectors"

/** What `kubesim get` prints: the core's kinds plus Endpoints and Events (derived: kubesim stores neither). */
export type GetKind = views.PrintableKind | "Node" | "Endpoints" | "Event"

/** kubectl's names for each resource (plural, singular, short), as `kubectl api-resources` lists them. */
export const RESOURCES: ReadonlyArray<readonly [GetKind | "all", ReadonlyArray<string>]> = [
  ["all", ["all"]],
  ["Pod", ["pods", "pod", "po"]],
  ["Service", ["services", "service", "svc"]],
  ["Endpoints", ["endpoints", "ep"]],
  ["EndpointSlice", ["endpointslices", "endpointslice", "endpointslices.discovery.k8s.io"]],
  ["Deployment", ["deployments", "deployment", "deploy", "deployments.apps"]],
  ["ReplicaSet", ["replicasets", "replicaset", "rs", "replicasets.apps"]],
  ["StatefulSet", ["statefulsets", "statefulset", "sts", "statefulsets.apps"]],
  ["DaemonSet", ["daemonsets", "daemonset", "ds", "daemonsets.apps"]],
  ["ConfigMap", ["configmaps", "configmap", "cm"]],
  ["Secret", ["secrets", "secret"]],
  ["ServiceAccount", ["serviceaccounts", "serviceaccount", "sa"]],
  ["Node", ["nodes", "node", "no"]],
  ["Event", ["events", "event", "ev"]],
]

export const resourceOf = (name: string): GetKind | "all" | undefined => RESOURCES.find(([, names]) => names.includes(name.toLowerCase()))?.[0]

/** `get all`, `get pods`, `get svc,ep`: the kinds in order, or the first name that is no resource. */
export const parseResources = (text: string): { readonly kinds: GetKind[]; readonly multi: boolean } | { readonly unknown: string } => {
  const kinds: GetKind[] = []
  const parts = text.split(",")
  for (const part of parts) {
    const k = resourceOf(part)
    if (k === undefined) return { unknown: part }
    for (const x of k === "all" ? views.GET_ALL_KINDS : [k]) if (!kinds.includes(x)) kinds.push(x)
  }
  return { kinds, multi: parts.length > 1 || resourceOf(parts[0] ?? "") === "all" }
}

export interface GetRequest {
  /** The kinds asked for, in order (`all` expanded; `get svc,ep` is two). */
  readonly kinds: ReadonlyArray<GetKind>
  /** Several kinds (`all`, `svc,ep`): names are prefixed with their kind (`service/web`), as kubectl does. */
  readonly multi: boolean
  readonly names: ReadonlyArray<string>
  readonly namespace: string
  readonly allNamespaces: boolean
  readonly labels: api.LabelSelector | undefined
  readonly fields: ReadonlyArray<FieldRequirement>
  readonly output: "wide" | "yaml" | "json" | "name" | undefined
}

/** One listed item: what it is, its namespace and labels (for the selectors), and how it prints. */
interface Item {
  readonly kind: GetKind
  readonly name: string
  readonly namespace: string | undefined
  readonly object: api.KubeObject | EndpointsView | EventView
}

/** `kubectl get`'s resource name (NotFound messages) and its `<resource>.<group>` prefix (`-o name`, `get all`). */
const plural = (kind: GetKind): string => (kind === "Endpoints" ? "endpoints" : kind === "Event" ? "events" : api.infoOf(kind).resource)
const qualified = (kind: GetKind): string => (kind === "Endpoints" ? "endpoints" : kind === "Event" ? "event" : api.infoOf(kind).qualified)

const inNamespace = (r: GetRequest, ns: string | undefined): boolean => r.allNamespaces || ns === undefined || ns === r.namespace

/** Every item of a kind at the store's time, before selectors. */
const itemsOf = (s: store.ApiStore, recs: ReadonlyArray<records.RunRecord>, kind: GetKind): Item[] => {
  switch (kind) {
    case "Endpoints":
      return endpointsOf(s.list("Service"), s.list("EndpointSlice")).map((e) => ({ kind, name: e.name, namespace: e.namespace, object: e }))
    case "Event":
      return eventsOf(recs, s.sim.now).map((e, i) => ({ kind, name: `${e.object.slice(e.object.indexOf("/") + 1)}.${i}`, namespace: e.namespace, object: e }))
    default:
      return s.list(kind).map((o) => ({ kind, name: o.metadata.name, namespace: api.infoOf(kind).namespaced ? (o.metadata.namespace ?? "default") : undefined, object: o }))
  }
}

const labelsOf = (s: store.ApiStore, it: Item): api.Labels | undefined => {
  if (it.kind === "Endpoints") return s.get("Service", it.namespace ?? "default", it.name)?.metadata.labels
  if (it.kind === "Event") return undefined
  return (it.object as api.KubeObject).metadata.labels
}

/** The items a request selects, in the store's order (the names' order when names are given). */
export const selectItems = (s: store.ApiStore, recs: ReadonlyArray<records.RunRecord>, r: GetRequest, kind: GetKind): Item[] => {
  if (r.fields.length > 0) checkFields(kind, r.fields)
  let items = itemsOf(s, recs, kind).filter((it) => inNamespace(r, it.namespace))
  if (r.labels !== undefined) {
    const sel = r.labels
    items = items.filter((it) => api.labelSelectorMatches(sel, labelsOf(s, it)))
  }
  if (r.fields.length > 0) items = items.filter((it) => it.kind !== "Endpoints" && it.kind !== "Event" && matchesFields(it.object as api.KubeObject, r.fields))
  if (r.names.length === 0) return items
  return r.names.map((n) => {
    const it = items.find((x) => x.name === n)
    if (it === undefined) throw new UserInputError({ message: `Error from server (NotFound): ${plural(kind)} "${n}" not found` })
    return it
  })
}

const columnsOf: Record<GetKind, views.TableColumns<never>> = {
  Pod: views.podColumns,
  Service: views.serviceColumns,
  Deployment: views.deploymentColumns,
  ReplicaSet: views.replicaSetColumns,
  EndpointSlice: views.endpointSliceColumns,
  StatefulSet: views.statefulSetColumns,
  DaemonSet: views.daemonSetColumns,
  ConfigMap: views.configMapColumns,
  Secret: views.secretColumns,
  ServiceAccount: views.serviceAccountColumns,
  Node: nodeColumns,
  Endpoints: endpointsColumns,
  Event: eventColumns,
} as unknown as Record<GetKind, views.TableColumns<never>>

/** The table rows (header first) of the items, kubectl's columns; `prefix` names them `pod/web-1` (get all). */
export const tableRows = (items: ReadonlyArray<Item>, kind: GetKind, now: Nanos, r: GetRequest, prefix: boolean, header = true): string[][] => {
  const cols = columnsOf[kind] as views.TableColumns<unknown>
  const wide = r.output === "wide"
  const ns = r.allNamespaces && kind !== "Node"
  const rows: string[][] = header ? [[...(ns ? ["NAMESPACE"] : []), ...cols.headers, ...(wide ? cols.wideHeaders : [])]] : []
  for (const it of items) {
    const row = cols.row(it.object, now, wide)
    if (prefix) row[0] = `${qualified(kind)}/${row[0]}`
    rows.push(ns ? [it.namespace ?? "", ...row] : row)
  }
  return rows
}

/** An Endpoints or Event as the v1 object kubectl would print with -o yaml|json. */
const asObject = (it: Item): unknown => {
  if (it.kind === "Endpoints") {
    const e = it.object as EndpointsView
    const byPort = new Map<string, string[]>()
    for (const ep of e.endpoints) {
      const i = ep.lastIndexOf(":")
      byPort.set(ep.slice(i + 1), [...(byPort.get(ep.slice(i + 1)) ?? []), ep.slice(0, i)])
    }
    const subsets = [...byPort].map(([port, ips]) => ({ addresses: ips.map((ip) => ({ ip })), ports: [{ port: Number(port), protocol: "TCP" }] }))
    return { apiVersion: "v1", kind: "Endpoints", metadata: { name: e.name, namespace: e.namespace, ...(e.creationTimestamp !== undefined ? { creationTimestamp: e.creationTimestamp } : {}) }, ...(subsets.length > 0 ? { subsets } : {}) }
  }
  if (it.kind === "Event") {
    const e = it.object as EventView
    const [kind, name] = e.object.split("/")
    return { apiVersion: "v1", kind: "Event", metadata: { name: it.name, namespace: e.namespace }, involvedObject: { kind, name, namespace: e.namespace }, lastTimestamp: api.timestampAt(e.t), message: e.message, reason: e.reason, type: e.type }
  }
  return it.object
}

/** The text `kubectl get` prints for the request at the store's time (stderr's "No resources found" included). */
export const renderGet = (s: store.ApiStore, recs: ReadonlyArray<records.RunRecord>, r: GetRequest): string => {
  const per = r.kinds.map((k) => [k, selectItems(s, recs, r, k)] as const)
  const all = per.flatMap(([, items]) => items)
  if (r.output === "name") return all.map((it) => `${qualified(it.kind)}/${it.name}\n`).join("")
  if (r.output === "yaml" || r.output === "json") {
    const objects = all.map(asObject) as api.KubeObject[]
    const single = r.names.length === 1 && !r.multi
    return r.output === "json" ? views.toJsonOutput(objects, single) : views.toYamlOutput(objects, single)
  }
  const tables = per.filter(([, items]) => items.length > 0).map(([k, items]) => views.renderTable(tableRows(items, k, s.sim.now, r, r.multi)))
  if (tables.length === 0) return r.allNamespaces ? "No resources found\n" : `No resources found in ${r.namespace} namespace.\n`
  return tables.join("\n")
}
