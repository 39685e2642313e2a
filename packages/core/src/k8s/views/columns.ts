import {
  type ConfigMap,
  type DaemonSet,
  type Secret,
  type ServiceAccount,
  type StatefulSet,
  type Deployment,
  type EndpointSlice,
  type Pod,
  type ReplicaSet,
  type Service,
  formatLabelSelector,
  nanosOfTimestamp,
} from "../api/index"
import type { Nanos } from "../../sim/index"
import { humanDuration } from "./human-duration"

/**
 * One printer per kind: the columns of pkg/printers/internalversion/printers.go (`printPod`, `printService`,
 * `printDeployment`, `printReplicaSet`, `printEndpointSlice`, `printStatefulSet`, `printDaemonSet`,
 * `printConfigMap`, `printSecret`, `printServiceAccount`), normal and `-o wide`.
 */
export interface TableColumns<T> {
  readonly headers: ReadonlyArray<string>
  readonly wideHeaders: ReadonlyArray<string>
  readonly row: (obj: T, now: Nanos, wide: boolean) => string[]
}

/** printers.go `translateTimestampSince`: `<unknown>` without a timestamp. */
export const age = (timestamp: string | undefined, now: Nanos): string => {
  if (timestamp === undefined) return "<unknown>"
  const t = nanosOfTimestamp(timestamp)
  return t === undefined ? "<unknown>" : humanDuration(now - t)
}

const orNone = (s: string | undefined): string => (s === undefined || s === "" ? "<none>" : s)

/** printers.go `printPod`: READY, STATUS (reason), RESTARTS with the last restart's age. */
export const podColumns: TableColumns<Pod> = {
  headers: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
  wideHeaders: ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
  row: (pod, now, wide) => {
    let restarts = 0
    let lastRestart: string | undefined
    let ready = 0
    const total = pod.spec.containers.length
    let reason: string = pod.status.reason !== undefined && pod.status.reason !== "" ? pod.status.reason : (pod.status.phase ?? "")
    let initializing = false
    const inits = pod.status.initContainerStatuses ?? []
    for (let i = 0; i < inits.length; i++) {
      const c = inits[i]!
      restarts += c.restartCount
      const term = c.state?.terminated
      if (term !== undefined && term.exitCode === 0) continue
      initializing = true
      if (term !== undefined) reason = term.reason !== undefined && term.reason !== "" ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`
      else if (c.state?.waiting?.reason !== undefined && c.state.waiting.reason !== "" && c.state.waiting.reason !== "PodInitializing") reason = `Init:${c.state.waiting.reason}`
      else reason = `Init:${i}/${pod.spec.initContainers?.length ?? inits.length}`
      break
    }
    let hasRunning = false
    const statuses = pod.status.containerStatuses ?? []
    if (!initializing) {
      restarts = 0
      for (let i = statuses.length - 1; i >= 0; i--) {
        const c = statuses[i]!
        restarts += c.restartCount
        const finished = c.lastState?.terminated?.finishedAt
        if (finished !== undefined && (lastRestart === undefined || finished > lastRestart)) lastRestart = finished
        const st = c.state
        if (st?.waiting?.reason !== undefined && st.waiting.reason !== "") reason = st.waiting.reason
        else if (st?.terminated?.reason !== undefined && st.terminated.reason !== "") reason = st.terminated.reason
        else if (st?.terminated !== undefined) reason = st.terminated.signal ? `Signal:${st.terminated.signal}` : `ExitCode:${st.terminated.exitCode}`
        else if (c.ready && st?.running !== undefined) {
          hasRunning = true
          ready++
        }
      }
      // A pod whose containers completed but one still runs is Running (or NotReady without the Ready condition).
      if (reason === "Completed" && hasRunning) {
        const podReady = (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
        reason = podReady ? "Running" : "NotReady"
      }
    }
    // printers.go: NodeLost (node.NodeUnreachablePodReason) shows Unknown; otherwise a deleted pod is
    // Terminating unless its phase is already terminal (podutil.IsPodPhaseTerminal: Succeeded or Failed).
    const terminal = pod.status.phase === "Succeeded" || pod.status.phase === "Failed"
    if (pod.metadata.deletionTimestamp !== undefined && pod.status.reason === "NodeLost") reason = "Unknown"
    else if (pod.metadata.deletionTimestamp !== undefined && !terminal) reason = "Terminating"
    // printers.go: the "(X ago)" suffix only when restarts != 0 and a last termination is known.
    const restartText = restarts === 0 || lastRestart === undefined ? String(restarts) : `${restarts} (${age(lastRestart, now)} ago)`
    const row = [pod.metadata.name, `${ready}/${total}`, reason, restartText, age(pod.metadata.creationTimestamp, now)]
    if (wide) {
      const gates = pod.spec.readinessGates ?? []
      let gateText = "<none>"
      if (gates.length > 0) {
        const trueCount = gates.filter((g) => (pod.status.conditions ?? []).some((c) => c.type === g.conditionType && c.status === "True")).length
        gateText = `${trueCount}/${gates.length}`
      }
      row.push(orNone(pod.status.podIP), orNone(pod.spec.nodeName), orNone(pod.status.nominatedNodeName), gateText)
    }
    return row
  },
}

/** printers.go `getServiceExternalIP`. */
const serviceExternalIP = (svc: Service): string => {
  const s = svc.spec
  const external = s.externalIPs ?? []
  switch (s.type) {
    case "ClusterIP":
    case "NodePort":
      return external.length > 0 ? external.join(",") : "<none>"
    case "LoadBalancer": {
      const ips = (svc.status.loadBalancer.ingress ?? []).map((i) => (i.ip !== undefined && i.ip !== "" ? i.ip : (i.hostname ?? ""))).filter((x) => x !== "")
      const all = [...ips, ...external]
      return all.length > 0 ? all.join(",") : "<pending>"
    }
    case "ExternalName":
      return s.externalName ?? ""
  }
  return "<unknown>"
}

/** printers.go `makePortString`: `80/TCP`, `80:30080/TCP`, joined with commas. */
const servicePorts = (svc: Service): string => {
  const parts = svc.spec.ports.map((p) => (p.nodePort !== undefined && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`))
  return parts.length === 0 ? "<none>" : parts.join(",")
}

export const serviceColumns: TableColumns<Service> = {
  headers: ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
  wideHeaders: ["SELECTOR"],
  row: (svc, now, wide) => {
    const row = [svc.metadata.name, svc.spec.type, orNone(svc.spec.clusterIP), serviceExternalIP(svc), servicePorts(svc), age(svc.metadata.creationTimestamp, now)]
    if (wide) row.push(svc.spec.selector === undefined || Object.keys(svc.spec.selector).length === 0 ? "<none>" : formatLabelSelector({ matchLabels: svc.spec.selector }))
    return row
  },
}

const containersAndImages = (t: Deployment["spec"]["template"]): [string, string] => [
  t.spec.containers.map((c) => c.name).join(","),
  t.spec.containers.map((c) => c.image).join(","),
]

export const deploymentColumns: TableColumns<Deployment> = {
  headers: ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (d, now, wide) => {
    const st = d.status
    const row = [d.metadata.name, `${st.readyReplicas ?? 0}/${d.spec.replicas}`, String(st.updatedReplicas ?? 0), String(st.availableReplicas ?? 0), age(d.metadata.creationTimestamp, now)]
    if (wide) row.push(...containersAndImages(d.spec.template), formatLabelSelector(d.spec.selector))
    return row
  },
}

export const replicaSetColumns: TableColumns<ReplicaSet> = {
  headers: ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (rs, now, wide) => {
    const row = [rs.metadata.name, String(rs.spec.replicas), String(rs.status.replicas), String(rs.status.readyReplicas ?? 0), age(rs.metadata.creationTimestamp, now)]
    if (wide) row.push(...containersAndImages(rs.spec.template), formatLabelSelector(rs.spec.selector))
    return row
  },
}

/** printers.go `listWithMoreString`: at most 3 items, then ` + N more...`; `<unset>` when empty. */
const listWithMore = (items: ReadonlyArray<string>, max = 3): string => {
  const shown = items.slice(0, max).join(",")
  if (items.length > max) return `${shown} + ${items.length - max} more...`
  return shown === "" ? "<unset>" : shown
}

export const endpointSliceColumns: TableColumns<EndpointSlice> = {
  headers: ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
  wideHeaders: [],
  row: (eps, now) => [
    eps.metadata.name,
    eps.addressType,
    // printers.go `formatDiscoveryPorts`: the number, else the name, else "*".
    listWithMore((eps.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name !== "" ? p.name : "*"))),
    listWithMore(eps.endpoints.flatMap((e) => e.addresses)),
    age(eps.metadata.creationTimestamp, now),
  ],
}

/** printers.go `printStatefulSet`: READY is readyReplicas/spec.replicas. */
export const statefulSetColumns: TableColumns<StatefulSet> = {
  headers: ["NAME", "READY", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES"],
  row: (ss, now, wide) => {
    const row = [ss.metadata.name, `${ss.status.readyReplicas ?? 0}/${ss.spec.replicas}`, age(ss.metadata.creationTimestamp, now)]
    if (wide) row.push(...containersAndImages(ss.spec.template))
    return row
  },
}

/** printers.go `printDaemonSet`: the status counts and the template's nodeSelector (`labels.FormatLabels`). */
export const daemonSetColumns: TableColumns<DaemonSet> = {
  headers: ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (ds, now, wide) => {
    const st = ds.status
    const ns = ds.spec.template.spec.nodeSelector
    const nodeSelector = ns === undefined || Object.keys(ns).length === 0 ? "<none>" : formatLabelSelector({ matchLabels: ns })
    const row = [
      ds.metadata.name,
      String(st.desiredNumberScheduled),
      String(st.currentNumberScheduled),
      String(st.numberReady),
      String(st.updatedNumberScheduled ?? 0),
      String(st.numberAvailable ?? 0),
      nodeSelector,
      age(ds.metadata.creationTimestamp, now),
    ]
    if (wide) row.push(...containersAndImages(ds.spec.template), formatLabelSelector(ds.spec.selector))
    return row
  },
}

/** printers.go `printConfigMap`: DATA counts data and binaryData keys. */
export const configMapColumns: TableColumns<ConfigMap> = {
  headers: ["NAME", "DATA", "AGE"],
  wideHeaders: [],
  row: (cm, now) => [cm.metadata.name, String(Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length), age(cm.metadata.creationTimestamp, now)],
}

/** printers.go `printSecret`. */
export const secretColumns: TableColumns<Secret> = {
  headers: ["NAME", "TYPE", "DATA", "AGE"],
  wideHeaders: [],
  row: (s, now) => [s.metadata.name, s.type, String(Object.keys(s.data ?? {}).length), age(s.metadata.creationTimestamp, now)],
}

/** printers.go `printServiceAccount`: SECRETS counts `secrets`. */
export const serviceAccountColumns: TableColumns<ServiceAccount> = {
  headers: ["NAME", "SECRETS", "AGE"],
  wideHeaders: [],
  row: (sa, now) => [sa.metadata.name, String(sa.secrets?.length ?? 0), age(sa.metadata.creationTimestamp, now)],
}
