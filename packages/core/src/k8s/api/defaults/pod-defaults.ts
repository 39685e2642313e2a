import type { IntOrString } from "../meta"
import type {
  Container,
  ContainerPort,
  DNSPolicy,
  HTTPGetAction,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  Protocol,
  PullPolicy,
  RestartPolicy,
} from "../pod"
import type { ContainerWire, PodSpecWire, PodTemplateWire, PodWire, ProbeWire } from "../wire/pod-wire"
import { defaultObjectMeta, defined } from "./meta-defaults"

// pkg/apis/core/v1/defaults.go and pkg/apis/core/types.go constants.
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
export const DEFAULT_SCHEDULER_NAME = "default-scheduler"
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log"

/** `SetDefaults_Container`: Always for `:latest` or an untagged image, IfNotPresent otherwise (a digest counts as a tag). */
export const defaultPullPolicy = (image: string): PullPolicy => {
  if (image.includes("@")) return "IfNotPresent"
  const lastSlash = image.lastIndexOf("/")
  const colon = image.indexOf(":", lastSlash + 1)
  const tag = colon < 0 ? "" : image.slice(colon + 1)
  return tag === "" || tag === "latest" ? "Always" : "IfNotPresent"
}

/** `SetDefaults_HTTPGetAction` (path "/", scheme HTTP) and `SetDefaults_Probe` (1s, 10s, 1, 3). */
const defaultProbe = (p: ProbeWire | undefined): Probe | undefined => {
  if (p === undefined) return undefined
  const httpGet: HTTPGetAction | undefined =
    p.httpGet === undefined
      ? undefined
      : defined({
          path: p.httpGet.path ?? "/",
          port: p.httpGet.port ?? 0,
          host: p.httpGet.host,
          scheme: (p.httpGet.scheme ?? "HTTP") as HTTPGetAction["scheme"],
        })
  return defined({
    httpGet,
    tcpSocket: p.tcpSocket === undefined ? undefined : defined({ port: p.tcpSocket.port ?? 0, host: p.tcpSocket.host }),
    exec: p.exec,
    initialDelaySeconds: p.initialDelaySeconds,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    periodSeconds: p.periodSeconds ?? 10,
    successThreshold: p.successThreshold ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
    terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
  })
}

const quantities = (m: Readonly<Record<string, IntOrString>> | undefined) =>
  m === undefined ? undefined : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]))

const defaultContainer = (c: ContainerWire, hostNetwork: boolean): Container => {
  const image = c.image ?? ""
  return defined({
    name: c.name ?? "",
    image,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    ports: c.ports?.map(
      (p): ContainerPort =>
        defined({
          name: p.name,
          containerPort: p.containerPort ?? 0,
          // `SetDefaults_PodSpec`: with hostNetwork, hostPort defaults to containerPort.
          hostPort: p.hostPort ?? (hostNetwork ? p.containerPort : undefined),
          protocol: (p.protocol ?? "TCP") as Protocol,
        }),
    ),
    env: c.env?.map((e) => defined({ name: e.name ?? "", value: e.value })),
    resources:
      c.resources === undefined
        ? undefined
        : defined({ limits: quantities(c.resources.limits), requests: quantities(c.resources.requests ?? c.resources.limits) }),
    readinessProbe: defaultProbe(c.readinessProbe),
    livenessProbe: defaultProbe(c.livenessProbe),
    startupProbe: defaultProbe(c.startupProbe),
    lifecycle: c.lifecycle as Container["lifecycle"],
    imagePullPolicy: (c.imagePullPolicy ?? defaultPullPolicy(image)) as PullPolicy,
    terminationMessagePath: c.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH,
    terminationMessagePolicy: (c.terminationMessagePolicy ?? "File") as Container["terminationMessagePolicy"],
  })
}

/** `SetDefaults_PodSpec` and `SetDefaults_Pod` (enableServiceLinks). */
export const defaultPodSpec = (s: PodSpecWire | undefined): PodSpec => {
  const hostNetwork = s?.hostNetwork === true
  return defined({
    containers: (s?.containers ?? []).map((c) => defaultContainer(c, hostNetwork)),
    initContainers: s?.initContainers?.map((c) => defaultContainer(c, hostNetwork)),
    restartPolicy: (s?.restartPolicy ?? "Always") as RestartPolicy,
    terminationGracePeriodSeconds: s?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    dnsPolicy: (s?.dnsPolicy ?? "ClusterFirst") as DNSPolicy,
    dnsConfig: s?.dnsConfig as PodSpec["dnsConfig"],
    enableServiceLinks: s?.enableServiceLinks ?? true,
    schedulerName: s?.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    hostname: s?.hostname,
    subdomain: s?.subdomain,
    setHostnameAsFQDN: s?.setHostnameAsFQDN,
    nodeName: s?.nodeName,
    nodeSelector: s?.nodeSelector,
    hostNetwork: s?.hostNetwork,
    // `SetDefaults_PodSpec` copies the deprecated serviceAccount into serviceAccountName.
    serviceAccountName: s?.serviceAccountName ?? s?.serviceAccount,
    priority: s?.priority,
    readinessGates: s?.readinessGates?.map((g) => ({ conditionType: g.conditionType ?? "" })),
    tolerations: s?.tolerations as PodSpec["tolerations"],
  })
}

/**
 * The pod's QoS class (pkg/apis/core/helper/qos/qos.go `GetPodQOS`): BestEffort without any request or limit,
 * Guaranteed when every container limits cpu and memory with requests equal to limits, else Burstable.
 */
export const podQosClass = (spec: PodSpec): "BestEffort" | "Burstable" | "Guaranteed" => {
  let any = false
  let guaranteed = true
  for (const c of spec.containers) {
    const req = c.resources?.requests ?? {}
    const lim = c.resources?.limits ?? {}
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true
    for (const r of ["cpu", "memory"]) {
      if (lim[r] === undefined || (req[r] ?? lim[r]) !== lim[r]) guaranteed = false
    }
  }
  if (!any) return "BestEffort"
  return guaranteed ? "Guaranteed" : "Burstable"
}

export const defaultPod = (w: PodWire, namespace: string): Pod => {
  const spec = defaultPodSpec(w.spec)
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: defaultObjectMeta(w.metadata, namespace),
    spec,
    // pkg/registry/core/pod/strategy.go `PrepareForCreate`: status starts as phase Pending with the QoS class.
    status: { phase: "Pending", qosClass: podQosClass(spec) },
  }
}

export const defaultPodTemplate = (t: PodTemplateWire | undefined): PodTemplateSpec => ({
  metadata: defined({ name: t?.metadata?.name, labels: t?.metadata?.labels, annotations: t?.metadata?.annotations }),
  spec: defaultPodSpec(t?.spec),
})
