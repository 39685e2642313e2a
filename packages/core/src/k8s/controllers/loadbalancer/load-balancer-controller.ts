import type { Service } from "../../api/index"
import type { ApiStore } from "../../store/index"
import { cidrHosts, formatIpv4, parseCidr, parseIpv4 } from "../../../net/addr/index"
import type { RecordLog } from "../../../records/index"
import { type EventKind, NANOS_PER_SECOND, type Nanos, type Rng, type Simulation, hashName } from "../../../sim/index"
import { recordAction } from "../util/actions"
import { type ControllerDelay, drawDelay, uniformDelay } from "../util/delay"
import { Informers } from "../util/controller-loop"
import { keyOf, splitKey } from "../util/pods"

export interface LoadBalancerControllerConfig {
  /** Addresses the simulated cloud hands out: CIDRs (every host address) and/or single addresses, in order. */
  readonly pool: ReadonlyArray<string>
  /** How long the cloud takes to provision a load balancer (`<pending>` meanwhile). No upstream default; default uniform 2–5 s. */
  readonly provisionDelay?: ControllerDelay
  readonly watchDelay?: Nanos
  readonly log?: RecordLog
}

const ACTOR = "service-controller"

/**
 * The cloud provider's service controller (k8s.io/cloud-provider controllers/service/controller.go) against a
 * simulated cloud: a `type: LoadBalancer` Service without a loadBalancerClass gets, after the provisioning delay,
 * an address from the pool — the requested `spec.loadBalancerIP` when it is in the pool and free, else the first
 * free one — written as `status.loadBalancer.ingress[0] = {ip, ipMode: VIP}` (`EnsureLoadBalancer` then
 * `patchStatus`). Until then kubectl shows EXTERNAL-IP `<pending>`. The address is released and the status cleared
 * when the Service is deleted or stops being a LoadBalancer (`EnsureLoadBalancerDeleted`). Draws use the
 * "cloud-loadbalancer" stream.
 */
export class LoadBalancerController {
  private readonly free: string[]
  private readonly assigned = new Map<string, string>()
  private readonly provisioning = new Map<string, number>()
  private readonly done: EventKind<string>
  private readonly rng: Rng
  private readonly delay: ControllerDelay
  private readonly informers: Informers

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly config: LoadBalancerControllerConfig,
  ) {
    this.free = []
    for (const entry of config.pool) {
      if (entry.includes("/")) for (const ip of cidrHosts(parseCidr(entry))) this.free.push(formatIpv4(ip))
      else this.free.push(formatIpv4(parseIpv4(entry)))
    }
    this.rng = sim.rng("cloud-loadbalancer")
    this.delay = config.provisionDelay ?? uniformDelay(2 * NANOS_PER_SECOND, 5 * NANOS_PER_SECOND)
    this.done = sim.defineKind<string>(ACTOR, (key) => this.provisioned(key))
    this.informers = new Informers(store, config.watchDelay)
  }

  /** Addresses not handed out. */
  get available(): number {
    return this.free.length
  }

  start(): void {
    this.informers.start("LoadBalancerController")
    this.informers.watch("Service", (e) => (e.type === "DELETED" ? this.release(keyOf(e.object), undefined) : this.changed(e.object)), true)
  }

  private wants(s: Service): boolean {
    return s.spec.type === "LoadBalancer" && (s.spec.loadBalancerClass === undefined || s.spec.loadBalancerClass === "")
  }

  private changed(s: Service): void {
    const key = keyOf(s)
    if (!this.wants(s)) {
      this.release(key, s)
      return
    }
    const ip = this.assigned.get(key)
    if (ip !== undefined) {
      if (s.status.loadBalancer.ingress?.[0]?.ip !== ip) this.writeStatus(s, ip)
      return
    }
    if (!this.provisioning.has(key)) this.provisioning.set(key, this.sim.after(drawDelay(this.rng, this.delay), this.done, key, hashName(key)))
  }

  private provisioned(key: string): void {
    this.provisioning.delete(key)
    const [ns, name] = splitKey(key)
    const s = this.store.get("Service", ns, name)
    if (s === undefined || !this.wants(s) || this.assigned.has(key)) return
    const wanted = s.spec.loadBalancerIP
    let i = wanted !== undefined && wanted !== "" ? this.free.indexOf(wanted) : -1
    if (i < 0) i = 0
    const ip = this.free[i]
    if (ip === undefined) {
      recordAction(this.config.log, this.sim.now, ACTOR, "sync-load-balancer-failed", "Service", ns, name, "Error syncing load balancer: no address left in the pool")
      return
    }
    this.free.splice(i, 1)
    this.assigned.set(key, ip)
    this.writeStatus(s, ip)
    recordAction(this.config.log, this.sim.now, ACTOR, "ensure-load-balancer", "Service", ns, name, `Ensured load balancer ${ip}`)
  }

  private writeStatus(s: Service, ip: string | undefined): void {
    const loadBalancer = ip === undefined ? {} : { ingress: [{ ip, ipMode: "VIP" as const }] }
    this.store.update({ ...s, status: { ...s.status, loadBalancer } })
  }

  private release(key: string, s: Service | undefined): void {
    const pending = this.provisioning.get(key)
    if (pending !== undefined) {
      this.sim.cancel(pending)
      this.provisioning.delete(key)
    }
    const ip = this.assigned.get(key)
    if (ip !== undefined) {
      this.assigned.delete(key)
      this.free.push(ip)
      const [ns, name] = splitKey(key)
      recordAction(this.config.log, this.sim.now, ACTOR, "delete-load-balancer", "Service", ns, name, `Deleted load balancer ${ip}`)
    }
    if (s !== undefined && (s.status.loadBalancer.ingress?.length ?? 0) > 0) this.writeStatus(s, undefined)
  }
}
