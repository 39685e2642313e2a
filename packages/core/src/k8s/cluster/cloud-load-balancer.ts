import type { EventKind, Nanos, Simulation } from "../../sim/index"
import { formatIpv4, parseIpv4, type Host, type Interface } from "../../net/index"
import type { RecordLog } from "../../records/index"
import type { Service } from "../api/index"
import type { ApiStore } from "../store/index"
import type { LoadBalancerAlgorithm, LoadBalancerHealthCheck } from "./cluster-config"
import { LbFlowTable } from "./lb-flow-table"

export interface CloudLoadBalancerOptions {
  /** The LB host: forwards, no NAT; its eth0 is on the nodes' network. */
  readonly host: Host
  readonly algorithm: LoadBalancerAlgorithm
  readonly healthCheck: LoadBalancerHealthCheck
  readonly watchDelay: Nanos
  /** Node name → InternalIP, in the order nodes are listed (the next hops' order). */
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly ip: string }>
  /** Whether a node answers health checks at all (a failed node does not). */
  readonly nodeUp: (name: string) => boolean
  readonly records?: RecordLog
}

/** AWS NLB's idle timeout for TCP flows (350 s): how long the flow table remembers a quiet flow. */
export const LB_FLOW_IDLE_TIMEOUT: Nanos = 350_000_000_000

interface NodeHealth {
  healthy: boolean
  passes: number
  fails: number
}

interface Frontend {
  readonly key: string
  readonly ip: string
  readonly vip: number
  /** Per node, in config order. */
  readonly health: NodeHealth[]
  announced: boolean
}

/**
 * The cloud provider's pass-through network load balancer (GCP's passthrough Network LB, AWS NLB, MetalLB): for
 * each `type: LoadBalancer` Service with an ingress IP, the LB host takes packets for that VIP and forwards them
 * unchanged to a healthy node, whose kube-proxy rules for the LB IP (KUBE-SERVICES `-d <lb ip>/32` → KUBE-EXT-…)
 * handle them; replies go from the node straight to the client with the VIP as source (direct server return).
 * With `externalTrafficPolicy: Local` the client's IP reaches the pod; with `Cluster` KUBE-EXT masquerades.
 *
 * The forwarding is a Linux multipath route `<vip>/32 nexthop via <node> …` on the LB host: `five-tuple-hash`
 * is the kernel's own choice with fib_multipath_hash_policy=1 (route.c fib_multipath_hash, seeded per host);
 * `random` and `round-robin` pick per new flow and keep it in a flow table (LbFlowTable).
 *
 * Next hops are the nodes passing the health check: every up node with Cluster; with Local, nodes whose
 * healthCheckNodePort would answer 200, i.e. that hold a ready local endpoint (pkg/proxy/healthcheck
 * service_health.go: 503 without local endpoints) — computed from the EndpointSlices, not by probing kube-proxy's
 * health server (kubesim's kube-proxy serves none). Checks run every `interval`; a node turns healthy after
 * `healthyThreshold` passes in a row and unhealthy after `unhealthyThreshold` failures (cloud-provider-gcp
 * gce_loadbalancer_external.go: 8 s, 1, 3). With no healthy node the VIP is withdrawn: nothing answers for it
 * on the LAN, and clients time out.
 */
export class CloudLoadBalancer {
  private readonly frontends = new Map<string, Frontend>()
  private readonly reconcileKind: EventKind<CloudLoadBalancer>
  private readonly checkKind: EventKind<CloudLoadBalancer>
  private readonly eth0: Interface
  private pending = false
  private checking = false
  readonly flows: LbFlowTable | null

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly options: CloudLoadBalancerOptions,
  ) {
    this.reconcileKind = sim.defineKind<CloudLoadBalancer>("cloud-lb/reconcile", (lb) => lb.reconcile())
    this.checkKind = sim.defineKind<CloudLoadBalancer>("cloud-lb/health-check", (lb) => lb.checkAll())
    const host = options.host
    this.eth0 = host.iface("eth0")
    host.forwarding = true
    host.multipathHashPolicy = 1
    this.flows =
      options.algorithm === "five-tuple-hash" ? null : new LbFlowTable(options.algorithm, sim.rng("cloud-lb/flows"), LB_FLOW_IDLE_TIMEOUT)
    host.multipathSelector = this.flows
  }

  start(): void {
    const o = { delay: this.options.watchDelay, sendInitialEvents: true }
    this.store.watch("Service", () => this.schedule(), o)
  }

  /** Re-reads the Services (frontends appear and go); health changes only through the periodic checks. */
  schedule(): void {
    if (this.pending) return
    this.pending = true
    this.sim.after(0, this.reconcileKind, this)
  }

  /** The ingress IP given to a Service, if any. */
  ingressOf(namespace: string, name: string): string | undefined {
    return this.frontends.get(`${namespace}/${name}`)?.ip
  }

  /** The names of the nodes a Service's VIP currently forwards to, in config order. */
  healthyNodes(namespace: string, name: string): string[] {
    const f = this.frontends.get(`${namespace}/${name}`)
    if (f === undefined) return []
    return this.options.nodes.filter((_, i) => f.health[i]?.healthy === true).map((n) => n.name)
  }

  /** The LB host's VIP routes as `ip route show` prints them (multipath: one `nexthop` line per node). */
  routes(): string {
    const out: string[] = []
    for (const r of this.options.host.routes.list()) {
      if (r.prefixLen !== 32 || r.dev !== this.eth0) continue
      const dst = formatIpv4(r.dst)
      if (r.nexthops === null) out.push(`${dst} via ${formatIpv4(r.via)} dev eth0`)
      else {
        out.push(dst)
        for (const h of r.nexthops) out.push(`\tnexthop via ${formatIpv4(h.via)} dev eth0 weight ${h.weight}`)
      }
    }
    return out.length === 0 ? "" : `${out.join("\n")}\n`
  }

  private reconcile(): void {
    this.pending = false
    const live = new Set<string>()
    for (const svc of this.store.list("Service")) {
      if (svc.spec.type !== "LoadBalancer") continue
      const key = `${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`
      const ip = svc.status.loadBalancer.ingress?.[0]?.ip
      if (ip === undefined) continue
      live.add(key)
      const f = this.frontends.get(key)
      if (f !== undefined && f.ip === ip) continue
      if (f !== undefined) this.remove(f)
      const nf: Frontend = { key, ip, vip: parseIpv4(ip), health: this.options.nodes.map(() => ({ healthy: false, passes: 0, fails: 0 })), announced: false }
      this.frontends.set(key, nf)
      this.options.records?.append({ kind: "action", t: this.sim.now, actor: "cloud-lb", verb: "program", object: `Service ${key}`, detail: ip })
      // The first health check runs as the backend service is created.
      this.check(nf, svc)
    }
    for (const f of [...this.frontends.values()]) if (!live.has(f.key)) this.remove(f)
    if (this.frontends.size > 0 && !this.checking) {
      this.checking = true
      this.sim.after(this.options.healthCheck.interval, this.checkKind, this)
    }
  }

  private checkAll(): void {
    for (const f of this.frontends.values()) {
      const [ns, name] = f.key.split("/") as [string, string]
      const svc = this.store.get("Service", ns, name)
      if (svc !== undefined) this.check(f, svc)
    }
    if (this.frontends.size > 0) this.sim.after(this.options.healthCheck.interval, this.checkKind, this)
    else this.checking = false
  }

  private check(f: Frontend, svc: Service): void {
    const hc = this.options.healthCheck
    const pass = this.passing(svc)
    let changed = false
    this.options.nodes.forEach((n, i) => {
      const h = f.health[i] as NodeHealth
      if (pass.has(n.name)) {
        h.passes++
        h.fails = 0
        if (!h.healthy && h.passes >= hc.healthyThreshold) (h.healthy = true), (changed = true)
      } else {
        h.fails++
        h.passes = 0
        if (h.healthy && h.fails >= hc.unhealthyThreshold) (h.healthy = false), (changed = true)
      }
    })
    if (changed || !f.announced) this.program(f)
  }

  /** Installs the VIP's multipath route over the healthy nodes and announces the VIP, or withdraws both. */
  private program(f: Frontend): void {
    const host = this.options.host
    const hops = this.options.nodes.filter((_, i) => f.health[i]?.healthy === true).map((n) => ({ via: parseIpv4(n.ip), dev: this.eth0 }))
    const link = this.eth0.link
    if (hops.length === 0) {
      host.routes.delete(f.vip, 32)
      if (f.announced && link !== null) link.forget(f.vip)
      f.announced = false
      return
    }
    host.routes.addMultipath(f.vip, 32, hops)
    if (!f.announced && link !== null) link.learn(this.eth0, f.vip)
    f.announced = true
  }

  private remove(f: Frontend): void {
    const host = this.options.host
    host.routes.delete(f.vip, 32)
    if (f.announced) this.eth0.link?.forget(f.vip)
    this.frontends.delete(f.key)
  }

  /** Nodes whose health check would pass now: up, and for Local holding a ready endpoint of the Service. */
  private passing(svc: Service): Set<string> {
    const up = this.options.nodes.filter((n) => this.options.nodeUp(n.name)).map((n) => n.name)
    if (svc.spec.externalTrafficPolicy !== "Local") return new Set(up)
    const withLocal = new Set<string>()
    const ns = svc.metadata.namespace ?? "default"
    for (const slice of this.store.list("EndpointSlice", { namespace: ns, labelSelector: { matchLabels: { "kubernetes.io/service-name": svc.metadata.name } } })) {
      for (const ep of slice.endpoints) if (ep.conditions.ready !== false && ep.nodeName !== undefined) withLocal.add(ep.nodeName)
    }
    return new Set(up.filter((n) => withLocal.has(n)))
  }
}
