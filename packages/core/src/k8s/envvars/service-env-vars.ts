import type { ServiceView } from "../../dns/cluster-view"

/** One environment variable as the kubelet hands it to the runtime (`kubecontainer.EnvVar`). */
export interface EnvVar {
  readonly name: string
  readonly value: string
}

/** The master Services every pod gets variables for (kubernetes `pkg/kubelet/kubelet_pods.go` `masterServices`). */
export const MASTER_SERVICES: ReadonlySet<string> = new Set(["kubernetes"])

/** `v1helper.IsServiceIPSet`: a ClusterIP that is neither empty nor "None". */
export const isServiceIpSet = (svc: ServiceView): boolean => {
  const ip = svc.spec.clusterIP
  return ip !== undefined && ip !== "" && ip !== "None"
}

/** kubernetes `pkg/kubelet/envvars/envvars.go` `makeEnvVariableName`: upper case, '-' → '_' (nothing else). */
export const makeEnvVariableName = (s: string): string => s.replace(/-/g, "_").toUpperCase()

/** `net.JoinHostPort`: brackets around an IPv6 host. */
const joinHostPort = (host: string, port: number): string => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`)

/**
 * kubernetes `pkg/kubelet/envvars/envvars.go` `FromServices`: per Service with a ClusterIP, in this order:
 * `{SVC}_SERVICE_HOST`, `{SVC}_SERVICE_PORT` (first port), `{SVC}_SERVICE_PORT_{NAME}` for each named port,
 * then the Docker-link variables (`makeLinkVariables`): `{SVC}_PORT` for the first port and, for every port,
 * `{SVC}_PORT_{port}_{PROTO}` with its `_PROTO`, `_PORT` and `_ADDR`.
 */
export const fromServices = (services: ReadonlyArray<ServiceView>): EnvVar[] => {
  const out: EnvVar[] = []
  for (const svc of services) {
    if (!isServiceIpSet(svc)) continue
    const ports = svc.spec.ports ?? []
    const first = ports[0]
    // Validation requires a port on every Service with a ClusterIP; one without has nothing to advertise.
    if (first === undefined) continue
    const ip = svc.spec.clusterIP as string
    const prefix = makeEnvVariableName(svc.metadata.name)
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip })
    out.push({ name: `${prefix}_SERVICE_PORT`, value: String(first.port) })
    for (const p of ports) {
      if (p.name !== undefined && p.name !== "") out.push({ name: `${prefix}_SERVICE_PORT_${makeEnvVariableName(p.name)}`, value: String(p.port) })
    }
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i] as (typeof ports)[number]
      const protocol = p.protocol === undefined || p.protocol === "" ? "TCP" : p.protocol
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`
      // Docker special-cases the first port.
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: url })
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`
      out.push({ name: portPrefix, value: url })
      out.push({ name: `${portPrefix}_PROTO`, value: protocol.toLowerCase() })
      out.push({ name: `${portPrefix}_PORT`, value: String(p.port) })
      out.push({ name: `${portPrefix}_ADDR`, value: ip })
    }
  }
  return out
}

/**
 * The Services a pod's variables come from (kubernetes `pkg/kubelet/kubelet_pods.go` `getServiceEnvVarMap`):
 * `default/kubernetes` always, and with `enableServiceLinks` (API default true) every Service of the pod's
 * namespace, a same-named one there overriding the master Service. Services without a ClusterIP (headless,
 * ExternalName) are skipped. Upstream collects them in a map, so their order is unspecified; kubesim sorts
 * them by name so runs are reproducible.
 */
export const servicesForPod = (services: ReadonlyArray<ServiceView>, namespace: string, enableServiceLinks = true): ServiceView[] => {
  const byName = new Map<string, ServiceView>()
  for (const svc of services) {
    if (!isServiceIpSet(svc)) continue
    const name = svc.metadata.name
    const ns = svc.metadata.namespace ?? "default"
    if (ns === "default" && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, svc)
    } else if (ns === namespace && enableServiceLinks) {
      byName.set(name, svc)
    }
  }
  return [...byName.keys()].sort().map((k) => byName.get(k) as ServiceView)
}

/**
 * The service variables a pod created now gets: `servicesForPod` then `fromServices`. The kubelet computes
 * them once, when the container starts; Services created later are not visible to it.
 */
export const serviceEnvVars = (services: ReadonlyArray<ServiceView>, namespace: string, enableServiceLinks = true): EnvVar[] =>
  fromServices(servicesForPod(services, namespace, enableServiceLinks))
