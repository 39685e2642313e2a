import { type api, type Nanos, records, views } from "@kubesim/core"

/**
 * The printers kubesim adds to the core's (k8s/views): nodes, endpoints and events, columns as
 * pkg/printers/internalversion/printers.go prints them (`printNode`, `printEndpoints`, `printEvent`).
 */

/**
 * printers.go `printNode`: the Ready condition (True Ready, False NotReady, else Unknown), then SchedulingDisabled
 * when cordoned. kubesim's kubelets renew their Lease but post no Ready condition (the node lifecycle controller
 * writes Ready=Unknown when the lease lapses): a node without one is printed Ready, as its kubelet would report.
 */
const nodeStatus = (n: api.Node): string => {
  const ready = (n.status.conditions ?? []).find((c) => c.type === "Ready")
  const states = [ready === undefined || ready.status === "True" ? "Ready" : ready.status === "False" ? "NotReady" : "Unknown"]
  if (n.spec.unschedulable === true) states.push("SchedulingDisabled")
  return states.join(",")
}

/** printers.go `findNodeRoles`: `node-role.kubernetes.io/<role>` labels (and the legacy `kubernetes.io/role`). */
const nodeRoles = (n: api.Node): string => {
  const roles = new Set<string>()
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) roles.add(k.slice("node-role.kubernetes.io/".length))
    else if (k === "kubernetes.io/role" && v !== "") roles.add(v)
  }
  return roles.size === 0 ? "<none>" : [...roles].sort().join(",")
}

const address = (n: api.Node, type: api.NodeAddressType): string => (n.status.addresses ?? []).find((a) => a.type === type)?.address ?? "<none>"

export const nodeColumns: views.TableColumns<api.Node> = {
  headers: ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
  wideHeaders: ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
  // VERSION, OS-IMAGE, KERNEL-VERSION and CONTAINER-RUNTIME come from status.nodeInfo, which kubesim's nodes do not
  // carry (no kubelet version or OS is modelled): printed as <unknown>.
  row: (n, now, wide) => {
    const row = [n.metadata.name, nodeStatus(n), nodeRoles(n), views.age(n.metadata.creationTimestamp, now), "<unknown>"]
    if (wide) row.push(address(n, "InternalIP"), address(n, "ExternalIP"), "<unknown>", "<unknown>", "<unknown>")
    return row
  },
}

/** A Service's Endpoints as the endpoints controller would write it: ready addresses × ports, from its EndpointSlices. */
export interface EndpointsView {
  readonly namespace: string
  readonly name: string
  readonly creationTimestamp: string | undefined
  /** `ip:port`, in the order printers.go `formatEndpoints` walks them (per port, addresses sorted by IP). */
  readonly endpoints: ReadonlyArray<string>
}

/**
 * The Endpoints of each Service with a selector (the endpoints controller writes one per such Service; kubesim
 * stores only EndpointSlices, which hold the same addresses): ready endpoints of the slices labelled with the
 * Service's name.
 */
export const endpointsOf = (services: ReadonlyArray<api.Service>, slices: ReadonlyArray<api.EndpointSlice>): EndpointsView[] =>
  services
    .filter((s) => s.spec.selector !== undefined && s.spec.type !== "ExternalName")
    .map((s) => {
      const ns = s.metadata.namespace ?? "default"
      const mine = slices.filter((e) => (e.metadata.namespace ?? "default") === ns && e.metadata.labels?.["kubernetes.io/service-name"] === s.metadata.name)
      const ports = [...new Set(mine.flatMap((e) => (e.ports ?? []).map((p) => p.port ?? 0)))]
      const ips = [...new Set(mine.flatMap((e) => e.endpoints.filter((x) => x.conditions?.ready !== false).flatMap((x) => x.addresses)))].sort(compareIp)
      return { namespace: ns, name: s.metadata.name, creationTimestamp: s.metadata.creationTimestamp, endpoints: ports.flatMap((p) => ips.map((ip) => `${ip}:${p}`)) }
    })

const compareIp = (a: string, b: string): number => {
  const pa = a.split(".").map(Number)
  const pb = b.split(".").map(Number)
  for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}

/** printers.go `formatEndpoints`: at most 3 `ip:port`, then ` + N more...`; `<none>` when empty. */
const formatEndpoints = (eps: ReadonlyArray<string>): string =>
  eps.length === 0 ? "<none>" : eps.length > 3 ? `${eps.slice(0, 3).join(",")} + ${eps.length - 3} more...` : eps.join(",")

export const endpointsColumns: views.TableColumns<EndpointsView> = {
  headers: ["NAME", "ENDPOINTS", "AGE"],
  wideHeaders: [],
  row: (e, now) => [e.name, formatEndpoints(e.endpoints), views.age(e.creationTimestamp, now)],
}

/** An Event as kubectl lists it, from an `action` record of a controller or the kubelet. */
export interface EventView {
  readonly t: Nanos
  readonly namespace: string
  readonly type: "Normal" | "Warning"
  readonly reason: string
  /** `kind/name`, as printers.go prints `involvedObject`. */
  readonly object: string
  readonly message: string
}

/**
 * The upstream Event reason of each recorded verb (pkg/kubelet/events/event.go, pkg/controller/…):
 * scheduler Scheduled/FailedScheduling, kubelet Started/Unhealthy, deployment ScalingReplicaSet, replicaset
 * SuccessfulDelete, node lifecycle NodeNotReady/NodeReady/TaintManagerEviction, service controller
 * EnsuredLoadBalancer/SyncLoadBalancerFailed/DeletedLoadBalancer. Verbs without an upstream Event (a scenario's
 * apply, the kubelet's readiness turning true, the cloud's route programming) are not listed.
 */
const REASONS: Readonly<Record<string, readonly [reason: string, type: "Normal" | "Warning"]>> = {
  "scheduler/schedule": ["Scheduled", "Normal"],
  "scheduler/schedule-failed": ["FailedScheduling", "Warning"],
  "kubelet/start": ["Started", "Normal"],
  "kubelet/not-ready": ["Unhealthy", "Warning"],
  "deployment-controller/create": ["ScalingReplicaSet", "Normal"],
  "deployment-controller/scale": ["ScalingReplicaSet", "Normal"],
  "deployment-controller/create-failed": ["FailedCreate", "Warning"],
  "replicaset-controller/delete": ["SuccessfulDelete", "Normal"],
  "node-lifecycle/not-ready": ["NodeNotReady", "Normal"],
  "node-lifecycle/ready": ["NodeReady", "Normal"],
  "node-lifecycle/evict": ["TaintManagerEviction", "Normal"],
  "service-controller/ensure-load-balancer": ["EnsuredLoadBalancer", "Normal"],
  "service-controller/sync-load-balancer-failed": ["SyncLoadBalancerFailed", "Warning"],
  "service-controller/delete-load-balancer": ["DeletedLoadBalancer", "Normal"],
}

/** The actor's component: `kubelet/kind-worker` → `kubelet`. */
const component = (actor: string): string => (actor.startsWith("kubelet/") ? "kubelet" : actor)

/** kubelet messages as upstream words them (`Started container nginx`; readiness: `Readiness probe failed`). */
const message = (r: records.ActionRecord, reason: string): string => {
  if (reason === "Started") return (r.detail ?? "").replace(/^container (\S+).*$/, "Started container $1")
  if (reason === "Unhealthy") return "Readiness probe failed"
  return r.detail ?? ""
}

/** The events the records hold up to `now`, in time order. */
export const eventsOf = (recs: ReadonlyArray<records.RunRecord>, now: Nanos): EventView[] => {
  const out: EventView[] = []
  for (const r of recs) {
    if (r.kind !== "action" || r.t > now) continue
    const known = REASONS[`${component(r.actor)}/${r.verb}`]
    if (known === undefined) continue
    const [kind, ref] = [r.object.slice(0, r.object.indexOf(" ")), r.object.slice(r.object.indexOf(" ") + 1)]
    const slash = ref.indexOf("/")
    // Events of cluster-scoped objects (nodes) are recorded in the default namespace, as upstream's recorder does.
    const namespace = slash < 0 ? "default" : ref.slice(0, slash)
    const name = slash < 0 ? ref : ref.slice(slash + 1)
    out.push({ t: r.t, namespace, type: known[1], reason: known[0], object: `${kind.toLowerCase()}/${name}`, message: message(r, known[0]) })
  }
  return out
}

export const eventColumns: views.TableColumns<EventView> = {
  headers: ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
  wideHeaders: [],
  row: (e, now) => [views.humanDuration(now - e.t), e.type, e.reason, e.object, e.message],
}
