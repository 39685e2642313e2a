import type { Simulation } from "../../sim/index"
import type { RecordLog, ServiceRecord } from "../../records/index"
import type { Service } from "../api/index"
import type { ApiStore, Watch } from "../store/index"
import { servicePortText } from "../node-proxy/index"

/** A service port's record fields besides `t` and `deleted`, as docs/records.md orders them. */
type PortView = Omit<ServiceRecord, "t" | "deleted">

/**
 * Writes a `service` record (docs/records.md) for each service port when it appears, when any recorded field
 * changes, and with `deleted: true` when the port or its Service goes away. Reads a Service watch with no delay
 * (the API's own view, not an informer's). Port names follow kube-proxy's ServicePortName (pkg/proxy/types.go):
 * `<namespace>/<name>:<port name>`, empty for an unnamed port.
 */
export class ServiceRecorder {
  /** Last recorded view per service port, by Service key then port text; insertion order is stable. */
  private readonly last = new Map<string, Map<string, { readonly text: string; readonly view: PortView }>>()
  private watch: Watch | null = null

  constructor(readonly sim: Simulation, readonly store: ApiStore, readonly log: RecordLog) {}

  start(): void {
    if (this.watch !== null) return
    this.watch = this.store.watch("Service", (e) => this.observe(e.object, e.type === "DELETED"), { delay: 0, sendInitialEvents: true })
  }

  stop(): void {
    this.watch?.stop()
    this.watch = null
  }

  private observe(svc: Service, deleted: boolean): void {
    const ns = svc.metadata.namespace ?? "default"
    const key = `${ns}/${svc.metadata.name}`
    const before = this.last.get(key) ?? new Map<string, { readonly text: string; readonly view: PortView }>()
    const after = new Map<string, { readonly text: string; readonly view: PortView }>()
    if (!deleted) {
      for (const p of svc.spec.ports) {
        const view = portView(svc, ns, p)
        const text = JSON.stringify(view)
        after.set(view.service, { text, view })
        if (before.get(view.service)?.text !== text) this.append(view, false)
      }
    }
    for (const [spn, old] of before) if (!after.has(spn)) this.append(old.view, true)
    if (after.size === 0) this.last.delete(key)
    else this.last.set(key, after)
  }

  private append(v: PortView, deleted: boolean): void {
    this.log.append({
      kind: "service",
      t: this.sim.now,
      service: v.service,
      type: v.type,
      clusterIP: v.clusterIP,
      port: v.port,
      protocol: v.protocol,
      nodePort: v.nodePort,
      sessionAffinity: v.sessionAffinity,
      affinityTimeoutSeconds: v.affinityTimeoutSeconds,
      externalTrafficPolicy: v.externalTrafficPolicy,
      internalTrafficPolicy: v.internalTrafficPolicy,
      deleted,
    })
  }
}

const portView = (svc: Service, ns: string, p: Service["spec"]["ports"][number]): PortView => {
  const s = svc.spec
  const clusterIP = s.clusterIP === undefined || s.clusterIP === "" ? null : s.clusterIP
  return {
    kind: "service",
    service: servicePortText(ns, svc.metadata.name, p.name ?? ""),
    type: s.type,
    clusterIP,
    port: p.port,
    protocol: p.protocol,
    nodePort: p.nodePort ?? null,
    sessionAffinity: s.sessionAffinity,
    // Defaulted by the API to 10800 with ClientIP (pkg/apis/core/v1/defaults.go SetDefaults_Service).
    affinityTimeoutSeconds: s.sessionAffinity === "ClientIP" ? (s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? null) : null,
    externalTrafficPolicy: s.externalTrafficPolicy ?? null,
    internalTrafficPolicy: s.internalTrafficPolicy ?? null,
  }
}
