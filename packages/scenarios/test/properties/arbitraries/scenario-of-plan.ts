import { stringify } from "yaml"
import type { ActionSpec, ChurnSpec, ClientSpec, Scenario, TrafficSpec } from "../../../src/index"
import type { AppPlan, ChangePlan, ClientPlan, ClusterPlan, GeneratedCase, ServicePlan } from "./cluster-plan"

const NGINX_PORT = 80
/** Pinned ClusterIPs (inside kubeadm's 10.96.0.0/12, clear of .1 `kubernetes` and .10 `kube-dns`). */
const clusterIpOf = (i: number): string => `10.96.100.${i + 1}`
const nodePortOf = (svc: number, port: number): number => 30_000 + svc * 10 + port
/** kind's worker names and the IPs the scenarios package gives them (172.18.0.3 …). */
const nodeName = (i: number): string => (i === 0 ? "kind-worker" : `kind-worker${i + 1}`)
const nodeIp = (i: number): string => `172.18.0.${3 + i}`
const upstreamName = (k: number): string => `ext-${k}.example.org`
/** Clients of longer runs stop here: the rest is the control plane's (node lifecycle at 50 s, eviction at 300 s). */
const LONG_RUN_MS = 30_000
const ms = (n: number): string => `${Math.max(0, Math.round(n))}ms`

const NAMESPACES = ["default", "team-b"] as const
const nsOf = (a: AppPlan): string => NAMESPACES[a.namespace % NAMESPACES.length] as string
/** `namespace: x` for a scenario action or churn entry, nothing for `default` (the scenario's default). */
const nsField = (ns: string): { namespace?: string } => (ns === "default" ? {} : { namespace: ns })
const metadata = (name: string, ns: string): string => (ns === "default" ? `metadata: {name: ${name}}` : `metadata: {name: ${name}, namespace: ${ns}}`)
/** Where a Service lives: with the app it selects (an ExternalName Service in `default`). */
const serviceNs = (s: ServicePlan, plan: ClusterPlan): string => (s.kind === "ExternalName" ? "default" : nsOf(plan.apps[s.app % plan.apps.length] as AppPlan))
const appName = (i: number): string => `app-${i}`
const barePodName = (app: number, j: number): string => `app-${app}-bare-${j}`
const clientPodName = (k: number): string => `client-${k}`
const serviceName = (i: number): string => `svc-${i}`

const hasPods = (a: AppPlan): boolean => (a.replicas !== null) || a.barePods > 0

const podSpec = (a: AppPlan): string => {
  const probe =
    a.probe === null
      ? ""
      : `\n    readinessProbe:\n      httpGet: {path: /, port: ${NGINX_PORT}}\n      periodSeconds: ${a.probe.periodSeconds}\n      failureThreshold: ${a.probe.failureThreshold}`
  const liveness =
    a.liveness === null
      ? ""
      : `\n    livenessProbe:\n      httpGet: {path: /healthz, port: ${NGINX_PORT}}\n      periodSeconds: ${a.liveness.periodSeconds}\n      failureThreshold: ${a.liveness.failureThreshold}`
  return `terminationGracePeriodSeconds: ${a.terminationGracePeriodSeconds}
containers:
  - name: nginx
    image: nginx:1.25
    ports:\n      - {name: http, containerPort: ${NGINX_PORT}}${probe}${liveness}`
}

const indent = (text: string, by: string): string =>
  text
    .split("\n")
    .map((l) => (l === "" ? l : by + l))
    .join("\n")

const appManifests = (a: AppPlan, i: number): string[] => {
  const out: string[] = []
  if (a.replicas !== null) {
    out.push(`apiVersion: apps/v1
kind: Deployment
${metadata(appName(i), nsOf(a))}
spec:
  replicas: ${a.replicas}
  selector:
    matchLabels: {app: ${appName(i)}}
  template:
    metadata:
      labels: {app: ${appName(i)}}
    spec:
${indent(podSpec(a), "      ")}`)
  }
  for (let j = 0; j < a.barePods; j++) {
    out.push(`apiVersion: v1
kind: Pod
metadata:
  name: ${barePodName(i, j)}
  namespace: ${nsOf(a)}
  labels: {app: ${appName(i)}}
spec:
${indent(podSpec(a), "  ")}`)
  }
  return out
}

const portName = (p: ServicePlan["ports"][number]): string => `p${p.port}-${p.protocol.toLowerCase()}`

/** A Service manifest for plan `s` at index `i` in namespace `ns` (`pinIp`: write the pinned ClusterIP). */
const serviceManifest = (s: ServicePlan, i: number, plan: ClusterPlan, pinIp: boolean, ns: string): string => {
  const lines = [`apiVersion: v1`, `kind: Service`, metadata(serviceName(i), ns), `spec:`]
  const type = s.kind === "Headless" ? "ClusterIP" : s.kind
  lines.push(`  type: ${type}`)
  if (s.kind === "ExternalName") {
    lines.push(`  externalName: ${plan.upstreamNames === 0 ? "db.example.com" : upstreamName(s.externalName % plan.upstreamNames)}`)
  } else {
    lines.push(`  selector: {app: ${appName(s.app % plan.apps.length)}}`)
    if (s.kind === "Headless") lines.push(`  clusterIP: None`)
    else if (pinIp) lines.push(`  clusterIP: ${clusterIpOf(i)}`)
  }
  lines.push(`  ports:`)
  const single = s.ports.length === 1
  s.ports.forEach((p, j) => {
    const name = single && !p.named ? "" : `name: ${portName(p)}, `
    const target = p.target === "http" ? "http" : p.target
    const nodePort = s.kind === "NodePort" || s.kind === "LoadBalancer" ? `, nodePort: ${nodePortOf(i, j)}` : ""
    lines.push(`    - {${name}port: ${p.port}, protocol: ${p.protocol}, targetPort: ${target}${nodePort}}`)
  })
  if (s.affinity !== null && s.kind !== "ExternalName") {
    lines.push(`  sessionAffinity: ClientIP`, `  sessionAffinityConfig: {clientIP: {timeoutSeconds: ${s.affinity}}}`)
  }
  if (s.kind === "NodePort" || s.kind === "LoadBalancer") lines.push(`  externalTrafficPolicy: ${s.externalTrafficPolicy}`)
  if (s.kind !== "ExternalName") lines.push(`  internalTrafficPolicy: ${s.internalTrafficPolicy}`)
  return lines.join("\n")
}

/** Whether the Service's original manifest pins its ClusterIP (only types that allocate one). */
const pinsIp = (s: ServicePlan): boolean => s.fixedClusterIP && (s.kind === "ClusterIP" || s.kind === "NodePort" || s.kind === "LoadBalancer")

/**
 * An edit keeps what an update may not change: headless stays headless (clusterIP None is immutable), a pinned
 * ClusterIP stays pinned; any other type may become any other (to ExternalName the API drops the ClusterIP).
 */
const editedService = (orig: ServicePlan, edit: ServicePlan): ServicePlan => {
  if (orig.kind === "Headless") return { ...edit, kind: "Headless", fixedClusterIP: false }
  return { ...edit, kind: edit.kind === "Headless" ? "ClusterIP" : edit.kind, fixedClusterIP: orig.fixedClusterIP }
}

const clientPort = (s: ServicePlan): number => (s.ports.find((p) => p.protocol === "TCP") ?? s.ports[0])?.port ?? 80

const urlOf = (c: ClientPlan, plan: ClusterPlan): string => {
  const i = c.service % plan.services.length
  const s = plan.services[i] as ServicePlan
  const port = clientPort(s)
  const ns = serviceNs(s, plan)
  const short = ns === "default" ? serviceName(i) : `${serviceName(i)}.${ns}`
  const fqdn = `${serviceName(i)}.${ns}.svc.cluster.local`
  const byName = `http://${short}:${port}/`
  const hasNodePorts = s.kind === "NodePort" || s.kind === "LoadBalancer"
  // Hosts outside the cluster cannot resolve or route to cluster names and IPs: they mostly use NodePorts.
  const target = c.external !== null && hasNodePorts && c.target !== "upstream" && c.target !== "loadBalancer" && c.node % 4 !== 0 ? "nodePort" : c.target
  switch (target) {
    case "name":
      return c.external === null ? byName : `http://${fqdn}:${port}/`
    case "fqdn":
      return `http://${fqdn}:${port}/`
    case "clusterIP":
      return pinsIp(s) ? `http://${clusterIpOf(i)}:${port}/` : byName
    case "nodePort": {
      const j = Math.max(0, s.ports.findIndex((p) => p.protocol === "TCP"))
      return `http://${nodeIp(c.node % plan.nodes)}:${nodePortOf(i, j)}/`
    }
    case "loadBalancer": {
      // The cloud LB hands out its pool (172.18.255.200 …) in creation order: the k-th LoadBalancer Service's
      // address, as long as none was deleted before it got one.
      const rank = plan.services.slice(0, i).filter((x) => x.kind === "LoadBalancer").length
      return s.kind === "LoadBalancer" ? `http://172.18.255.${200 + rank}:${port}/` : byName
    }
    case "upstream":
      return plan.upstreamNames === 0 ? "http://db.example.com/" : `http://${upstreamName(c.node % plan.upstreamNames)}/`
  }
}

const trafficOf = (c: ClientPlan, plan: ClusterPlan): TrafficSpec => {
  const t = c.traffic
  const common = {
    url: urlOf(c, plan),
    start: ms(Math.min(t.startMs, plan.durationMs - 1)),
    ...(plan.durationMs > LONG_RUN_MS ? { stop: ms(LONG_RUN_MS) } : {}),
    timeout: ms(t.timeoutMs),
    ...(t.connection !== null ? { connection: { mode: t.connection, ...(t.maxRequests > 0 && t.connection !== "one-shot" ? { maxRequests: t.maxRequests } : {}) } } : {}),
  }
  switch (t.type) {
    case "loop":
      return { type: "loop", pause: ms(t.pauseMs), ...common }
    case "poisson":
      return { type: "poisson", rate: t.intensity, ...common }
    case "closed":
      return { type: "closed", users: 1 + (t.intensity >> 1), think: ms(t.pauseMs), thinkDistribution: t.intensity % 2 === 0 ? "constant" : "exponential", ...common }
    case "ramp":
      return { type: "ramp", from: 0, to: t.intensity, over: ms(plan.durationMs / 2), ...common }
    case "burst":
      return { type: "burst", size: t.intensity, every: ms(1_000 + t.pauseMs * 2), spread: ms(t.pauseMs / 4), rate: t.intensity % 3, ...common }
  }
}

interface Timeline {
  readonly actions: ActionSpec[]
  readonly churn: ChurnSpec[]
}

/** One change as scenario actions or churn; changes whose target does not exist in this plan are dropped. */
const addChange = (ch: ChangePlan, plan: ClusterPlan, out: Timeline): void => {
  const at = ms(Math.min(ch.atMs, plan.durationMs - 1))
  const live = plan.apps.map((a, i) => ({ a, i })).filter((x) => hasPods(x.a))
  const deployments = plan.apps.map((a, i) => ({ a, i })).filter((x) => x.a.replicas !== null)
  const probed = live.filter((x) => x.a.probe !== null)
  const alive = live.filter((x) => x.a.liveness !== null)
  const pick = <T>(xs: ReadonlyArray<T>, k: number): T | undefined => (xs.length === 0 ? undefined : xs[k % xs.length])
  const svc = ch.a % plan.services.length
  const node = nodeName(ch.a % plan.nodes)
  const end = plan.durationMs
  switch (ch.kind) {
    case "kill": {
      const x = pick(live, ch.a)
      if (x !== undefined) out.actions.push({ at, kill: { selector: { app: appName(x.i) }, ...nsField(nsOf(x.a)), count: 1 + (ch.b % 2), ...(ch.c % 3 < 2 ? { gracePeriodSeconds: ch.c % 3 } : {}) } })
      return
    }
    case "kill-pod": {
      const named = [
        ...plan.apps.flatMap((a, i) => Array.from({ length: a.barePods }, (_, j) => ({ pod: barePodName(i, j), ns: nsOf(a) }))),
        ...plan.clients.flatMap((c, k) => (c.external === null ? [{ pod: clientPodName(k), ns: "default" }] : [])),
      ]
      const p = pick(named, ch.a)
      if (p !== undefined) out.actions.push({ at, kill: { pod: p.pod, ...nsField(p.ns), ...(ch.c % 2 === 0 ? { gracePeriodSeconds: 0 } : {}) } })
      return
    }
    case "scale": {
      const x = pick(deployments, ch.a)
      if (x !== undefined) out.actions.push({ at, scale: { deployment: appName(x.i), ...nsField(nsOf(x.a)), replicas: ch.b % 5 } })
      return
    }
    case "rollout": {
      const x = pick(deployments, ch.a)
      if (x !== undefined) out.actions.push({ at, rollout: { deployment: appName(x.i), ...nsField(nsOf(x.a)), ...(ch.c % 2 === 0 ? { image: `nginx:1.${26 + (ch.b % 3)}` } : {}) } })
      return
    }
    case "set-readiness": {
      const x = pick(probed, ch.a)
      if (x !== undefined) out.actions.push({ at, setReadiness: { selector: { app: appName(x.i) }, ...nsField(nsOf(x.a)), ready: ch.b % 2 === 0 } })
      return
    }
    case "node-failure": {
      out.actions.push({ at, failNode: node })
      const back = Math.min(ch.atMs, end - 1) + ch.b
      if (back < end && plan.inputs.nodeRecovery) out.actions.push({ at: ms(back), recoverNode: node })
      return
    }
    case "edit-service": {
      const orig = plan.services[svc] as ServicePlan
      const edit = editedService(orig, ch.edit ?? { ...orig, affinity: orig.affinity === null ? 1 + (ch.b % 600) : null })
      out.actions.push({ at, apply: { inline: serviceManifest(edit, svc, plan, pinsIp(orig) && edit.kind !== "ExternalName", serviceNs(orig, plan)) } })
      return
    }
    case "delete-service":
      out.actions.push({ at, delete: { kind: "Service", name: serviceName(svc), ...nsField(serviceNs(plan.services[svc] as ServicePlan, plan)) } })
      return
    case "recreate-service": {
      const orig = plan.services[svc] as ServicePlan
      out.actions.push({ at, delete: { kind: "Service", name: serviceName(svc), ...nsField(serviceNs(orig, plan)) } })
      const back = Math.min(ch.atMs, end - 1) + 1 + (ch.b % 5_000)
      if (back < end) out.actions.push({ at: ms(back), apply: { inline: serviceManifest(orig, svc, plan, pinsIp(orig), serviceNs(orig, plan)) } })
      return
    }
    case "kill-pods-churn": {
      const x = pick(live, ch.a)
      if (x !== undefined) out.churn.push({ type: "kill-pods", selector: { app: appName(x.i) }, ...nsField(nsOf(x.a)), rate: 0.1 + (ch.b % 5) / 10, start: at, ...(ch.c % 2 === 0 ? { gracePeriodSeconds: 0 } : {}) })
      return
    }
    case "readiness-flap": {
      const x = pick(probed, ch.a)
      if (x !== undefined) out.churn.push({ type: "readiness-flap", selector: { app: appName(x.i) }, ...nsField(nsOf(x.a)), period: ms(2_000 + (ch.b % 4_000)), down: ms(500 + (ch.c % 1_500)), start: at })
      return
    }
    case "liveness-fail": {
      const x = pick(alive, ch.a)
      if (x !== undefined) out.churn.push({ type: "liveness-fail", selector: { app: appName(x.i) }, ...nsField(nsOf(x.a)), period: ms(3_000 + (ch.b % 6_000)), start: at })
      return
    }
    case "scale-churn": {
      const x = pick(deployments, ch.a)
      if (x !== undefined) out.churn.push({ type: "scale", deployment: appName(x.i), ...nsField(nsOf(x.a)), schedule: [{ at, replicas: ch.b % 5 }, { at: ms(Math.min(end - 1, ch.atMs + 2_000)), replicas: ch.c % 5 }] })
      return
    }
    case "rolling-update-churn": {
      const x = pick(deployments, ch.a)
      if (x !== undefined) out.churn.push({ type: "rolling-update", deployment: appName(x.i), ...nsField(nsOf(x.a)), at: [at], ...(ch.c % 2 === 0 ? { images: ["nginx:1.26", "nginx:1.27"] } : {}) })
      return
    }
    case "node-failure-churn":
      out.churn.push({ type: "node-failure", node, at: [at], ...(plan.inputs.nodeRecovery ? { recoverAfter: ms(Math.max(1, ch.b)) } : {}) })
      return
  }
}

/** The scenario (the scenarios package's own format) of a plan, with the case's seed as its only seed. */
export const scenarioOfPlan = (plan: ClusterPlan, seed: number): Scenario => {
  const docs: string[] = []
  for (const ns of NAMESPACES) if (ns !== "default" && plan.apps.some((a) => nsOf(a) === ns)) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`)
  plan.apps.forEach((a, i) => docs.push(...appManifests(a, i)))
  plan.services.forEach((s, i) => docs.push(serviceManifest(s, i, plan, pinsIp(s), serviceNs(s, plan))))
  plan.clients.forEach((c, k) => {
    if (c.external === null) docs.push(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${clientPodName(k)}\n  labels: {run: ${clientPodName(k)}}\nspec:\n  containers:\n    - {name: client, image: busybox, command: ["sh", "-c", "sleep 3600"]}`)
  })
  const clients: ClientSpec[] = plan.clients.map((c, k) => ({
    name: clientPodName(k),
    ...(c.external === null ? { pod: clientPodName(k) } : { external: { count: c.external } }),
    traffic: trafficOf(c, plan),
  }))
  const timeline: Timeline = { actions: [], churn: [] }
  for (const ch of plan.changes) addChange(ch, plan, timeline)
  const records: Record<string, string> = {}
  for (let k = 0; k < plan.upstreamNames; k++) records[upstreamName(k)] = `203.0.113.${k + 1}`
  return {
    apiVersion: "kubesim.dev/v1alpha1",
    kind: "Scenario",
    metadata: { name: "random-cluster", description: "generated by the whole-system property tests (packages/scenarios/test/properties)" },
    cluster: {
      nodes: plan.nodes,
      delays: { minSyncPeriod: ms(plan.minSyncPeriodMs) },
      loadBalancer: { algorithm: plan.lbAlgorithm },
      ...(plan.upstreamNames > 0 ? { upstreamDns: { records } } : {}),
    },
    manifests: [{ inline: `${docs.join("\n---\n")}\n` }],
    clients,
    ...(timeline.actions.length > 0 ? { actions: timeline.actions } : {}),
    ...(timeline.churn.length > 0 ? { churn: timeline.churn } : {}),
    duration: ms(plan.durationMs),
    seeds: [seed],
  }
}

/** The scenario as a YAML file `kubesim run` accepts. */
export const scenarioYaml = (s: Scenario): string => stringify(s, { lineWidth: 0 })

/** A generated case as it prints in a failure: the replayable scenario YAML. */
export const describeCase = (c: GeneratedCase): string => scenarioYaml(scenarioOfPlan(c.plan, c.seed))
