/**
 * The clients `kubesim run some.yaml` adds to plain manifests: the seed walkthrough's busybox pod looping
 * `wget -q -O - URL; sleep 1` (kubelet/busybox-command.ts recognises exactly that loop), one pod per Service
 * port so every Service the manifests define is exercised the way a user would poke it from a pod:
 * - ClusterIP / NodePort / LoadBalancer: `http://<svc>[:<port>]`, through the ClusterIP and kube-proxy;
 * - headless (`clusterIP: None`): the name resolves to the pods' IPs and wget connects to them directly, so the
 *   URL carries the port the pods listen on — a numeric `targetPort` (default: `port`); a named targetPort is
 *   the container's port name, which a client cannot use, so `port` is used;
 * - ExternalName: `http://<svc>[:<port>]` (port 80 when the Service lists none), resolved through the CNAME —
 *   what happens then (an answer, NXDOMAIN, a timeout) is what the records show.
 * Ports that are not TCP are left out (wget speaks HTTP over TCP), and so are headless Services without ports
 * (no port to aim at). Pods the manifests already name are left alone.
 */

/** The parts of a decoded Service this needs. */
export interface ServiceForClients {
  readonly metadata: { readonly name: string; readonly namespace?: string | undefined }
  readonly spec: {
    readonly type?: string | undefined
    readonly clusterIP?: string | undefined
    readonly ports?: ReadonlyArray<{ readonly port: number; readonly targetPort?: number | string | undefined; readonly protocol?: string | undefined }> | undefined
  }
}

/** One wget loop: the pod that runs it and what it requests. */
export interface ManifestClient {
  readonly namespace: string
  readonly pod: string
  readonly service: string
  readonly port: number
  readonly url: string
}

/** `http://web-service` for port 80 (wget's default), `http://web-service:8080` otherwise. */
const serviceUrl = (name: string, port: number): string => (port === 80 ? `http://${name}` : `http://${name}:${port}`)

// A DNS label: at most 63 characters, no trailing '-'.
const podName = (base: string): string => base.slice(0, 63).replace(/-+$/, "")

const targetsOf = (s: ServiceForClients): number[] => {
  const tcp = (s.spec.ports ?? []).filter((p) => (p.protocol ?? "TCP") === "TCP")
  if (s.spec.type === "ExternalName") return tcp.length === 0 && (s.spec.ports ?? []).length === 0 ? [80] : tcp.map((p) => p.port)
  if (s.spec.clusterIP === "None") return tcp.map((p) => (typeof p.targetPort === "number" ? p.targetPort : p.port))
  return tcp.map((p) => p.port)
}

/**
 * The loops for a set of Services, in the order given then port order. Pod names: `busybox` when there is one
 * loop in all (as in the walkthrough); `busybox-<service>` for a Service's only loop; `busybox-<service>-<port>`
 * when a Service has several.
 */
export const manifestClients = (services: ReadonlyArray<ServiceForClients>, existingPods: ReadonlySet<string>): ManifestClient[] => {
  const perService = services.map((s) => ({ s, ports: [...new Set(targetsOf(s))] }))
  const total = perService.reduce((a, x) => a + x.ports.length, 0)
  const out: ManifestClient[] = []
  for (const { s, ports } of perService) {
    const namespace = s.metadata.namespace ?? "default"
    for (const port of ports) {
      const pod = total === 1 ? "busybox" : podName(ports.length === 1 ? `busybox-${s.metadata.name}` : `busybox-${s.metadata.name}-${port}`)
      if (existingPods.has(`${namespace}/${pod}`)) continue
      out.push({ namespace, pod, service: s.metadata.name, port, url: serviceUrl(s.metadata.name, port) })
    }
  }
  return out
}

/** The busybox Pod manifest (YAML) running one client's loop. */
export const manifestClientPod = (c: ManifestClient): string =>
  [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    `  name: ${c.pod}`,
    `  namespace: ${c.namespace}`,
    "  labels:",
    `    run: ${c.pod}`,
    "spec:",
    "  restartPolicy: Never",
    "  containers:",
    "    - name: busybox",
    "      image: busybox",
    `      command: ["sh", "-c", ${JSON.stringify(`while true; do wget -q -O - ${c.url}; sleep 1; done`)}]`,
  ].join("\n")
