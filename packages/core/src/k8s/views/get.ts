import { type Kind, type KubeObject, type ObjectOfKind, infoOf } from "../api/index"
import type { ApiStore } from "../store/index"
import {
  type TableColumns,
  configMapColumns,
  daemonSetColumns,
  deploymentColumns,
  secretColumns,
  serviceAccountColumns,
  statefulSetColumns,
  endpointSliceColumns,
  podColumns,
  replicaSetColumns,
  serviceColumns,
} from "./columns"
import { renderTable } from "./tabwriter"

/** The kinds with a table printer, and the resources `kubectl get all` lists, in its order (core, then apps by name). */
export type PrintableKind = "Pod" | "Service" | "Deployment" | "ReplicaSet" | "EndpointSlice" | "StatefulSet" | "DaemonSet" | "ConfigMap" | "Secret" | "ServiceAccount"
export const GET_ALL_KINDS: ReadonlyArray<PrintableKind> = ["Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"]

const columnsOf: { [K in PrintableKind]: TableColumns<ObjectOfKind<K>> } = {
  Pod: podColumns,
  Service: serviceColumns,
  Deployment: deploymentColumns,
  ReplicaSet: replicaSetColumns,
  EndpointSlice: endpointSliceColumns,
  StatefulSet: statefulSetColumns,
  DaemonSet: daemonSetColumns,
  ConfigMap: configMapColumns,
  Secret: secretColumns,
  ServiceAccount: serviceAccountColumns,
}

export interface GetOptions {
  /** Default "default". */
  readonly namespace?: string
  /** `-A`: every namespace, with a NAMESPACE column. */
  readonly allNamespaces?: boolean
  /** `-o wide`. */
  readonly wide?: boolean
  /** Prefix names with the resource (`pod/web-1`), as `kubectl get all` and multi-type gets do. */
  readonly withKind?: boolean
}

const objectsFor = <K extends PrintableKind>(store: ApiStore, kind: K, o: GetOptions): ObjectOfKind<K>[] =>
  store.list(kind, o.allNamespaces === true ? {} : { namespace: o.namespace ?? "default" })

/** The rows (header first) of one kind's table, or undefined when there is nothing to print. */
const tableRows = <K extends PrintableKind>(store: ApiStore, kind: K, o: GetOptions): string[][] | undefined => {
  const objs = objectsFor(store, kind, o)
  if (objs.length === 0) return undefined
  const cols = columnsOf[kind] as TableColumns<ObjectOfKind<K>>
  const wide = o.wide === true
  const all = o.allNamespaces === true
  const header = [...(all ? ["NAMESPACE"] : []), ...cols.headers, ...(wide ? cols.wideHeaders : [])]
  const prefix = o.withKind === true ? `${infoOf(kind).qualified}/` : ""
  const rows = [header]
  for (const obj of objs) {
    const r = cols.row(obj, store.sim.now, wide)
    r[0] = prefix + r[0]
    rows.push(all ? [(obj as KubeObject).metadata.namespace ?? "", ...r] : r)
  }
  return rows
}

/** kubectl's message when a get finds nothing (it goes to stderr there). */
const noResources = (o: GetOptions): string =>
  o.allNamespaces === true ? "No resources found\n" : `No resources found in ${o.namespace ?? "default"} namespace.\n`

/** `kubectl get <kind> [-o wide] [-A]` at the simulation's current time. */
export const getTable = (store: ApiStore, kind: PrintableKind, options: GetOptions = {}): string => {
  const rows = tableRows(store, kind, options)
  return rows === undefined ? noResources(options) : renderTable(rows)
}

/** `kubectl get all`: pods, services, daemonsets, deployments, replicasets, statefulsets; one table each, names prefixed, blank lines between. */
export const getAll = (store: ApiStore, options: GetOptions = {}): string => {
  const tables: string[] = []
  for (const kind of GET_ALL_KINDS) {
    const rows = tableRows(store, kind, { ...options, withKind: true })
    if (rows !== undefined) tables.push(renderTable(rows))
  }
  return tables.length === 0 ? noResources(options) : tables.join("\n")
}

/** Objects of the given kinds as kubectl selects them for `-o yaml|json`. */
export const selectObjects = (store: ApiStore, kinds: ReadonlyArray<Kind>, options: GetOptions = {}): KubeObject[] =>
  kinds.flatMap((k) => {
    const info = infoOf(k)
    return info.namespaced && options.allNamespaces !== true ? store.list(k, { namespace: options.namespace ?? "default" }) : store.list(k)
  })
