import { api, type Nanos, type records, type store, views } from "@kubesim/core"
import { UserInputError } from "../errors"
import { endpointsOf, eventsOf } from "./printers"

/**
 * `kubectl describe pod|service|node` (staging/src/k8s.io/kubectl/pkg/describe/describe.go: `describePod`,
 * `describeService`, `describeNode`): `Key:` lines aligned by a tabwriter, nested sections indented by 2, and the
 * object's Events table last (from the run's records: events.ts). Fields kubesim does not model (QoS details,
 * volumes, resources of nodes) are left out rather than invented.
 */
type Line = readonly [key: string, value: string] | string

/** Aligns a block of `Key:\tvalue` lines as describe's tabwriter does (minwidth 0, tab width 8, padding 2). */
const block = (lines: ReadonlyArray<Line>): string => {
  const width = Math.max(...lines.map((l) => (typeof l === "string" ? 0 : l[0].length + 1))) + 2
  // A continuation line (key "") carries on the value column.
  return lines.map((l) => (typeof l === "string" ? l : `${(l[0] === "" ? "" : `${l[0]}:`).padEnd(width)}${l[1]}`.trimEnd())).join("\n")
}

const labelLines = (key: string, labels: api.Labels | undefined): Line[] => {
  const ks = Object.keys(labels ?? {}).sort()
  if (ks.length === 0) return [[key, "<none>"]]
  return ks.map((k, i) => [i === 0 ? key : "", `${k}=${(labels as api.Labels)[k]}`] as const)
}

/** describe.go `DescribeEvents`: `Events:` then Type, Reason, Age, From, Message — or `Events:  <none>`. */
const eventsBlock = (recs: ReadonlyArray<records.RunRecord>, now: Nanos, object: string): string => {
  const evs = eventsOf(recs, now).filter((e) => e.object === object)
  if (evs.length === 0) return "Events:  <none>"
  const from = (reason: string): string =>
    reason === "Scheduled" || reason === "FailedScheduling" ? "default-scheduler" : reason === "Started" || reason === "Unhealthy" ? "kubelet" : reason === "ScalingReplicaSet" ? "deployment-controller" : reason.includes("LoadBalancer") ? "service-controller" : "node-controller"
  const rows = [["Type", "Reason", "Age", "From", "Message"], ["----", "------", "----", "----", "-------"], ...evs.map((e) => [e.type, e.reason, views.humanDuration(now - e.t), from(e.reason), e.message])]
  return `Events:\n${views
    .renderTable(rows)
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n")
    .trimEnd()}`
}

const indent = (table: string): string[] =>
  table
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => `  ${l.trimEnd()}`)

const ts = (t: string | undefined): string => (t === undefined ? "<unset>" : new Date(t).toUTCString().replace("GMT", "+0000"))

const describePod = (s: store.ApiStore, recs: ReadonlyArray<records.RunRecord>, p: api.Pod): string => {
  const node = p.spec.nodeName === undefined ? undefined : s.get("Node", undefined, p.spec.nodeName)
  const nodeIp = node?.status.addresses?.find((a) => a.type === "InternalIP")?.address
  const lines: Line[] = [
    ["Name", p.metadata.name],
    ["Namespace", p.metadata.namespace ?? "default"],
    ["Priority", "0"],
    ["Service Account", p.spec.serviceAccountName ?? "default"],
    ["Node", p.spec.nodeName === undefined ? "<none>" : `${p.spec.nodeName}/${nodeIp ?? ""}`],
    ["Start Time", ts(p.status.startTime)],
    ...labelLines("Labels", p.metadata.labels),
    ["Annotations", "<none>"],
    ["Status", p.metadata.deletionTimestamp !== undefined ? "Terminating" : (p.status.phase ?? "Pending")],
    ["IP", p.status.podIP ?? ""],
    "IPs:",
    ...(p.status.podIP === undefined ? [] : [`  IP:  ${p.status.podIP}`]),
    ...(p.metadata.ownerReferences?.[0] !== undefined ? [["Controlled By", `${p.metadata.ownerReferences[0].kind}/${p.metadata.ownerReferences[0].name}`] as const] : []),
    "Containers:",
  ]
  for (const c of p.spec.containers) {
    const st = p.status.containerStatuses?.find((x) => x.name === c.name)
    const state = st?.state?.running !== undefined ? "Running" : st?.state?.terminated !== undefined ? "Terminated" : "Waiting"
    lines.push(`  ${c.name}:`)
    const sub: Line[] = [
      ["Image", c.image],
      ["Port", (c.ports ?? []).map((x) => `${x.containerPort}/${x.protocol}`).join(", ") || "<none>"],
      ["State", state],
      ["Ready", String(st?.ready ?? false)],
      ["Restart Count", String(st?.restartCount ?? 0)],
    ]
    if (c.readinessProbe?.httpGet !== undefined)
      sub.push(["Readiness", `http-get http://:${c.readinessProbe.httpGet.port}${c.readinessProbe.httpGet.path} delay=${c.readinessProbe.initialDelaySeconds ?? 0}s timeout=${c.readinessProbe.timeoutSeconds}s period=${c.readinessProbe.periodSeconds}s #success=${c.readinessProbe.successThreshold} #failure=${c.readinessProbe.failureThreshold}`])
    lines.push(
      ...block(sub)
        .split("\n")
        .map((l) => `    ${l}`),
    )
  }
  lines.push("Conditions:", ...indent(views.renderTable([["Type", "Status"], ...(p.status.conditions ?? []).map((c) => [c.type, c.status])])))
  return `${block(lines)}\n${eventsBlock(recs, s.sim.now, `pod/${p.metadata.name}`)}\n`
}

const describeService = (s: store.ApiStore, recs: ReadonlyArray<records.RunRecord>, svc: api.Service): string => {
  const ep = endpointsOf([svc], s.list("EndpointSlice"))[0]
  const lines: Line[] = [
    ["Name", svc.metadata.name],
    ["Namespace", svc.metadata.namespace ?? "default"],
    ...labelLines("Labels", svc.metadata.labels),
    ["Annotations", "<none>"],
    ["Selector", svc.spec.selector === undefined ? "<none>" : api.formatLabelSelector({ matchLabels: svc.spec.selector })],
    ["Type", svc.spec.type],
    ...(svc.spec.type === "ExternalName" ? [["External Name", svc.spec.externalName ?? ""] as const] : []),
    ["IP Family Policy", svc.spec.ipFamilyPolicy ?? "SingleStack"],
    ["IP Families", (svc.spec.ipFamilies ?? ["IPv4"]).join(",")],
    ["IP", svc.spec.clusterIP ?? "None"],
    ["IPs", (svc.spec.clusterIPs ?? [svc.spec.clusterIP ?? "None"]).join(",")],
    ...(svc.status.loadBalancer?.ingress?.[0]?.ip !== undefined ? [["LoadBalancer Ingress", svc.status.loadBalancer.ingress.map((i) => i.ip).join(", ")] as const] : []),
  ]
  for (const p of svc.spec.ports) {
    lines.push(["Port", `${p.name ?? "<unset>"}  ${p.port}/${p.protocol}`])
    lines.push(["TargetPort", `${p.targetPort}/${p.protocol}`])
    if (p.nodePort !== undefined) lines.push(["NodePort", `${p.name ?? "<unset>"}  ${p.nodePort}/${p.protocol}`])
    const mine = (ep?.endpoints ?? []).filter((e) => svc.spec.ports.length === 1 || e.endsWith(`:${typeof p.targetPort === "number" ? p.targetPort : ""}`))
    lines.push(["Endpoints", mine.join(",")])
  }
  lines.push(["Session Affinity", svc.spec.sessionAffinity])
  if (svc.spec.type === "NodePort" || svc.spec.type === "LoadBalancer") lines.push(["External Traffic Policy", svc.spec.externalTrafficPolicy ?? "Cluster"])
  lines.push(["Internal Traffic Policy", svc.spec.internalTrafficPolicy ?? "Cluster"])
  return `${block(lines)}\n${eventsBlock(recs, s.sim.now, `service/${svc.metadata.name}`)}\n`
}

const describeNode = (s: store.ApiStore, recs: ReadonlyArray<records.RunRecord>, n: api.Node): string => {
  const pods = s.list("Pod").filter((p) => p.spec.nodeName === n.metadata.name && p.status.phase !== "Succeeded" && p.status.phase !== "Failed")
  const lines: Line[] = [
    ["Name", n.metadata.name],
    ...labelLines("Labels", n.metadata.labels),
    ["CreationTimestamp", ts(n.metadata.creationTimestamp)],
    ["Taints", (n.spec.taints ?? []).map((t) => `${t.key}${t.value === undefined ? "" : `=${t.value}`}:${t.effect}`).join("\n                    ") || "<none>"],
    ["Unschedulable", String(n.spec.unschedulable ?? false)],
    "Conditions:",
    ...indent(
      views.renderTable([
        ["Type", "Status", "Reason", "Message"],
        ["----", "------", "------", "-------"],
        ...((n.status.conditions ?? []).length === 0
          ? [["Ready", "True", "KubeletReady", "kubesim's kubelet renews its Lease and posts no condition"]]
          : (n.status.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? "", c.message ?? ""])),
      ]),
    ),
    "Addresses:",
    ...block((n.status.addresses ?? []).map((a) => [a.type, a.address] as const))
      .split("\n")
      .map((l) => `  ${l}`),
    ["PodCIDR", n.spec.podCIDR ?? "<none>"],
    ["PodCIDRs", (n.spec.podCIDRs ?? (n.spec.podCIDR === undefined ? [] : [n.spec.podCIDR])).join(",") || "<none>"],
    ["Non-terminated Pods", `(${pods.length} in total)`],
  ]
  const table = views.renderTable([["Namespace", "Name", "Age"], ["---------", "----", "---"], ...pods.map((p) => [p.metadata.namespace ?? "default", p.metadata.name, views.age(p.metadata.creationTimestamp, s.sim.now)])])
  return `${block(lines)}\n${table
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => `  ${l}`)
    .join("\n")}\n${eventsBlock(recs, s.sim.now, `node/${n.metadata.name}`)}\n`
}

export const DESCRIBE_KINDS: ReadonlyArray<readonly [api.Kind, ReadonlyArray<string>]> = [
  ["Pod", ["pods", "pod", "po"]],
  ["Service", ["services", "service", "svc"]],
  ["Node", ["nodes", "node", "no"]],
]

/** The kind `describe` was asked for (pod, svc, node and their other names); a UserInputError for any other. */
export const describeKind = (kindName: string): api.Kind => {
  const kind = DESCRIBE_KINDS.find(([, ns]) => ns.includes(kindName.toLowerCase()))?.[0]
  if (kind === undefined) throw new UserInputError({ message: `kubesim describes pods, services and nodes; not "${kindName}"` })
  return kind
}

/** `kubectl describe KIND NAME` at the store's time. */
export const describe = (s: store.ApiStore, recs: ReadonlyArray<records.RunRecord>, kindName: string, name: string, namespace: string): string => {
  const kind = describeKind(kindName)
  const info = api.infoOf(kind)
  const o = s.get(kind, info.namespaced ? namespace : undefined, name)
  if (o === undefined) throw new UserInputError({ message: `Error from server (NotFound): ${info.resource} "${name}" not found` })
  if (o.kind === "Pod") return describePod(s, recs, o)
  if (o.kind === "Service") return describeService(s, recs, o)
  return describeNode(s, recs, o as api.Node)
}
