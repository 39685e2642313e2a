import {
  type FieldError,
  type KubeObject,
  type NodePortRange,
  type Service,
  type ServicePort,
  type ValidationOptions,
  DEFAULT_NODE_PORT_RANGE,
  validateObject,
  validateUpdate,
} from "../../api/index"
import type { ApiStore } from "../../store/index"
import { type Ipv4, formatIpv4, parseCidr, tryParseIpv4 } from "../../../net/addr/index"
import type { Rng, Simulation } from "../../../sim/index"
import { NodePortAllocatorRange } from "./node-port-range"
import { DEFAULT_SERVICE_CIDR, ServiceIpRange } from "./service-ip-range"
import { dropTypeDependentFields, needsClusterIP, needsHealthCheckNodePort, needsNodePort, shouldAllocateNodePorts } from "./type-dependent-fields"

export interface ServiceAllocatorConfig {
  /** `--service-cluster-ip-range`; default kubeadm's 10.96.0.0/12. */
  readonly serviceCidr?: string
  /** `--service-node-port-range`; default 30000-32767. Pass the same range to the store's validation. */
  readonly nodePortRange?: NodePortRange
  /** The store's validation options, so allocation is attempted only for writes the store will accept. */
  readonly validation?: ValidationOptions
}

/** What one Service holds in the allocators. */
interface Held {
  ips: Ipv4[]
  ports: number[]
}

const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: "Invalid", field, value, detail })

const keyOf = (s: KubeObject) => `${s.metadata.namespace ?? ""}/${s.metadata.name}`

/**
 * The API server's Service IP and NodePort allocation (pkg/registry/core/service/storage/alloc.go), as an admission
 * hook on the store: on create and update it assigns `spec.clusterIP`/`clusterIPs` (random from the dynamic band,
 * or the requested address), every `nodePort` of NodePort/LoadBalancer Services (random, or the requested one;
 * conflicts rejected with upstream's messages) and the health-check node port of `externalTrafficPolicy: Local`
 * LoadBalancers. Values are released when a Service is deleted or stops needing them, as a store watch observes it.
 *
 * Random draws come from the streams "ipallocator/services" and "portallocator/services".
 */
export class ServiceAllocator {
  readonly ips: ServiceIpRange
  readonly nodePorts: NodePortAllocatorRange
  private readonly ipRng: Rng
  private readonly portRng: Rng
  private readonly held = new Map<string, Held>()
  private started = false

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: ServiceAllocatorConfig = {},
  ) {
    this.ips = new ServiceIpRange(parseCidr(config.serviceCidr ?? DEFAULT_SERVICE_CIDR))
    this.nodePorts = new NodePortAllocatorRange(config.nodePortRange ?? DEFAULT_NODE_PORT_RANGE)
    this.ipRng = sim.rng("ipallocator/services")
    this.portRng = sim.rng("portallocator/services")
  }

  /** The `kubernetes` Service's address: the range's first host (`GetIndexedIP(range, 1)`), 10.96.0.1 by default. */
  get kubernetesServiceIP(): string {
    return formatIpv4(this.ips.indexed(1))
  }

  /** kubeadm's cluster DNS address: `GetIndexedIP(range, 10)`, 10.96.0.10 by default. */
  get dnsServiceIP(): string {
    return formatIpv4(this.ips.indexed(10))
  }

  /** Registers the admission hook and the release watch; marks what stored Services already hold. */
  start(): void {
    if (this.started) throw new Error("ServiceAllocator already started")
    this.started = true
    this.repair()
    this.store.addAdmission((obj, old) => (obj.kind === "Service" ? this.admit(obj, old?.kind === "Service" ? old : undefined) : obj))
    this.store.watch("Service", (e) => {
      if (e.type === "DELETED") this.settle(keyOf(e.object), { ips: [], ports: [] })
      else this.settle(keyOf(e.object), this.valuesOf(e.object))
    })
  }

  /**
   * Rebuilds both bitmaps from the stored Services (the repair controllers, pkg/registry/core/service/ipallocator/
   * controller/repair.go and portallocator/controller/repair.go), dropping anything leaked by failed writes.
   */
  repair(): void {
    this.ips.clear()
    this.nodePorts.clear()
    this.held.clear()
    for (const s of this.store.list("Service")) {
      const v = this.valuesOf(s)
      for (const ip of v.ips) this.ips.allocate(ip)
      for (const p of v.ports) this.nodePorts.allocate(p)
      this.held.set(keyOf(s), v)
    }
  }

  private valuesOf(s: Service): Held {
    const ips: Ipv4[] = []
    if (needsClusterIP(s)) {
      for (const t of s.spec.clusterIPs ?? (s.spec.clusterIP !== undefined && s.spec.clusterIP !== "" ? [s.spec.clusterIP] : [])) {
        const ip = tryParseIpv4(t)
        if (ip !== null && this.ips.contains(ip)) ips.push(ip)
      }
    }
    const ports: number[] = []
    for (const p of s.spec.ports) if (p.nodePort !== undefined && this.nodePorts.contains(p.nodePort) && !ports.includes(p.nodePort)) ports.push(p.nodePort)
    const hc = s.spec.healthCheckNodePort
    if (hc !== undefined && this.nodePorts.contains(hc) && !ports.includes(hc)) ports.push(hc)
    return { ips, ports }
  }

  /** The watch saw the Service's stored state: release what it held and no longer uses, mark what it uses. */
  private settle(key: string, now: Held): void {
    const before = this.held.get(key)
    if (before !== undefined) {
      for (const ip of before.ips) if (!now.ips.includes(ip)) this.ips.release(ip)
      for (const p of before.ports) if (!now.ports.includes(p)) this.nodePorts.release(p)
    }
    for (const ip of now.ips) if (!this.ips.has(ip)) this.ips.allocate(ip)
    for (const p of now.ports) if (!this.nodePorts.has(p)) this.nodePorts.allocate(p)
    if (now.ips.length === 0 && now.ports.length === 0) this.held.delete(key)
    else this.held.set(key, now)
  }

  private admit(input: Service, old: Service | undefined): KubeObject | ReadonlyArray<FieldError> {
    const svc = old === undefined ? input : dropTypeDependentFields(input, old)
    // Allocate only for writes that will be stored: the registry validates before it allocates.
    const errs = validateObject(svc, this.config.validation)
    if (old !== undefined) errs.push(...validateUpdate(svc, old))
    if (errs.length > 0) return svc
    const key = keyOf(svc)
    const mine = this.held.get(key) ?? { ips: [], ports: [] }
    const fresh: Held = { ips: [], ports: [] }
    const rollback = (e: FieldError[]): FieldError[] => {
      for (const ip of fresh.ips) this.ips.release(ip)
      for (const p of fresh.ports) this.nodePorts.release(p)
      return e
    }

    let spec = svc.spec
    // Cluster IP (alloc.go `allocClusterIPs` / `allocIPs`).
    if (needsClusterIP(svc)) {
      const requested = spec.clusterIP !== undefined && spec.clusterIP !== "" ? spec.clusterIP : undefined
      if (requested === undefined) {
        const ip = this.ips.allocateNext(this.ipRng)
        if (ip === undefined) return rollback([invalid("spec.clusterIPs", [], "failed to allocate a serviceIP: range is full")])
        fresh.ips.push(ip)
        const t = formatIpv4(ip)
        spec = { ...spec, clusterIP: t, clusterIPs: [t] }
      } else {
        const ip = tryParseIpv4(requested)
        if (ip !== null && !mine.ips.includes(ip)) {
          const f = this.ips.allocate(ip)
          if (f !== undefined) return rollback([invalid("spec.clusterIPs", spec.clusterIPs ?? [requested], `failed to allocate IP ${requested}: ${this.ips.failureText(f, ip)}`)])
          fresh.ips.push(ip)
        }
        if (spec.clusterIPs === undefined) spec = { ...spec, clusterIPs: [requested] }
      }
    }

    // Node ports (alloc.go `initNodePorts` / `updateNodePorts`): a port number used twice (TCP and UDP) shares one.
    if (needsNodePort(svc)) {
      const should = shouldAllocateNodePorts(svc)
      const ports: ServicePort[] = spec.ports.slice()
      const byServicePort = new Map<number, number>()
      const claim = (np: number, i: number): FieldError[] | undefined => {
        if (mine.ports.includes(np) || fresh.ports.includes(np)) return undefined
        const f = this.nodePorts.allocate(np)
        if (f !== undefined) return [invalid(`spec.ports[${i}].nodePort`, np, this.nodePorts.failureText(f))]
        fresh.ports.push(np)
        return undefined
      }
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i] as ServicePort
        if (p.nodePort === undefined && !should) continue
        const shared = byServicePort.get(p.port)
        if (shared === undefined) {
          const requested = ports.find((q) => q.port === p.port && q.nodePort !== undefined)?.nodePort
          if (requested !== undefined) {
            const e = claim(requested, i)
            if (e !== undefined) return rollback(e)
            ports[i] = { ...p, nodePort: requested }
            byServicePort.set(p.port, requested)
          } else {
            const np = this.nodePorts.allocateNext(this.portRng)
            if (np === undefined) return rollback([invalid(`spec.ports[${i}].nodePort`, 0, "failed to allocate a nodePort: range is full")])
            fresh.ports.push(np)
            ports[i] = { ...p, nodePort: np }
            byServicePort.set(p.port, np)
          }
        } else if (p.nodePort !== shared) {
          if (p.nodePort === undefined) ports[i] = { ...p, nodePort: shared }
          else {
            const e = claim(p.nodePort, i)
            if (e !== undefined) return rollback(e)
          }
        }
      }
      spec = { ...spec, ports }
    }

    // Health-check node port (alloc.go `allocHealthCheckNodePort`).
    if (needsHealthCheckNodePort(svc)) {
      const hc = spec.healthCheckNodePort
      if (hc === undefined || hc === 0) {
        const np = this.nodePorts.allocateNext(this.portRng)
        if (np === undefined) return rollback([invalid("spec.healthCheckNodePort", 0, "failed to allocate a nodePort: range is full")])
        fresh.ports.push(np)
        spec = { ...spec, healthCheckNodePort: np }
      } else if (!mine.ports.includes(hc) && !fresh.ports.includes(hc)) {
        const f = this.nodePorts.allocate(hc)
        if (f !== undefined) return rollback([invalid("spec.healthCheckNodePort", hc, `failed to allocate requested HealthCheck NodePort ${hc}: ${this.nodePorts.failureText(f)}`)])
        fresh.ports.push(hc)
      }
    }

    if (fresh.ips.length > 0 || fresh.ports.length > 0) this.held.set(key, { ips: [...mine.ips, ...fresh.ips], ports: [...mine.ports, ...fresh.ports] })
    return spec === svc.spec ? svc : { ...svc, spec }
  }
}
