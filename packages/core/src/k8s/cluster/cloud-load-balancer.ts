import type { EventKind, Nanos, Simulation } from "../../sim/index"
import { applyRestore, parseIpv4, type Host, type Ruleset } from "../../net/index"
import type { RecordLog } from "../../records/index"
import type { Service } from "../api/index"
import type { ApiStore } from "../store/index"
import { hash16 } from "../proxy/index"
import { kubeProxyProbability } from "../../net/index"
import type { LoadBalancerAlgorithm } from "./cluster-config"

export interface CloudLoadBalancerOptions {
  readonly host: Host
  readonly ruleset: Ruleset
  readonly algorithm: LoadBalancerAlgorithm
  readonly watchDelay: Nanos
  /** Node name → InternalIP, in the order nodes are listed. */
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly ip: string }>
  /** Whether a node passes the load balancer's health check at all (a failed node does not). */
  readonly nodeUp: (name: string) => boolean
  readonly records?: RecordLog
}

/**
 * The cloud provider's load balancer itself (the service controller, which hands out the ingress IP, is
 * controllers' LoadBalancerController): for each `type: LoadBalancer` Service with an ingress IP in its status, the
 * LB host answers on that address with a frontend for each port, forwarding new connections to `nodeIP:nodePort` of the healthy nodes:
 * every live node for `externalTrafficPolicy: Cluster`; for `Local` only nodes whose healthCheckNodePort would
 * answer 200, i.e. that hold a ready local endpoint (pkg/proxy/healthcheck service_health.go: 503 with no local
 * endpoints). The frontend is a proxying LB: DNAT to the node and MASQUERADE to its own address, so replies come
 * back through it (the node sees the LB as the client, as behind AWS' classic ELB).
 *
 * Node choice per new connection: `random` (statistic random), `round-robin` (statistic nth), or
 * `five-tuple-hash` — with conntrack pinning each connection, hashing ephemeral source ports is modelled as a
 * uniform draw per connection (same distribution, not the same function).
 */
export class CloudLoadBalancer {
  private readonly assigned = new Map<string, string>()
  private readonly hostAddresses = new Set<string>()
  private readonly kind: EventKind<CloudLoadBalancer>
  private pending = false

  constructor(
    readonly sim: Simulation,
    readonly store: ApiStore,
    readonly options: CloudLoadBalancerOptions,
  ) {
    this.kind = sim.defineKind<CloudLoadBalancer>("cloud-lb/reconcile", (lb) => lb.reconcile())
  }

  start(): void {
    const o = { delay: this.options.watchDelay, sendInitialEvents: true }
    this.store.watch("Service", () => this.schedule(), o)
    this.store.watch("EndpointSlice", () => this.schedule(), o)
  }

  /** Re-evaluates health (a node failed or recovered). */
  schedule(): void {
    if (this.pending) return
    this.pending = true
    this.sim.after(0, this.kind, this)
  }

  /** The ingress IP given to a Service, if any. */
  ingressOf(namespace: string, name: string): string | undefined {
    return this.assigned.get(`${namespace}/${name}`)
  }

  private reconcile(): void {
    this.pending = false
    const services = this.store.list("Service")
    const live = new Set<string>()
    const nat: string[] = []
    const filter: string[] = []
    const chains: string[] = []
    for (const svc of services) {
      if (svc.spec.type !== "LoadBalancer") continue
      const key = `${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`
      live.add(key)
      const ip = this.ensureIngress(key, svc)
      if (ip === undefined) continue
      const backends = this.backends(svc)
      for (const p of svc.spec.ports) {
        if (p.nodePort === undefined) continue
        const proto = p.protocol.toLowerCase()
        const chain = `LB-${hash16(`${key}:${p.port}/${proto}`)}`
        if (backends.length === 0) {
          // No healthy node: the cloud LB drops the connection attempt (clients time out).
          filter.push(`-A INPUT -d ${ip}/32 -p ${proto} -m ${proto} --dport ${p.port} -j DROP`)
          continue
        }
        chains.push(`:${chain} - [0:0]`)
        nat.push(`-A PREROUTING -d ${ip}/32 -p ${proto} -m ${proto} --dport ${p.port} -j ${chain}`)
        // Mark for MASQUERADE on the way out, as kube-proxy's KUBE-MARK-MASQ does.
        nat.push(`-A ${chain} -j MARK --set-xmark 0x1/0x1`)
        backends.forEach((b, i) => {
          const rest = backends.length - i
          let stat = ""
          if (rest > 1) {
            stat =
              this.options.algorithm === "round-robin"
                ? ` -m statistic --mode nth --every ${rest} --packet 0`
                : ` -m statistic --mode random --probability ${kubeProxyProbability(rest)}`
          }
          nat.push(`-A ${chain}${stat} -p ${proto} -j DNAT --to-destination ${b}:${p.nodePort}`)
        })
      }
    }
    for (const k of [...this.assigned.keys()]) if (!live.has(k)) this.assigned.delete(k)
    const text =
      `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${filter.join("\n")}${filter.length > 0 ? "\n" : ""}COMMIT\n` +
      `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${chains.join("\n")}${chains.length > 0 ? "\n" : ""}` +
      `${nat.join("\n")}${nat.length > 0 ? "\n" : ""}-A POSTROUTING -m mark --mark 0x1/0x1 -j MASQUERADE\nCOMMIT\n`
    applyRestore(this.options.ruleset, text, { noflush: false })
  }

  /** The address the service controller wrote to status (EXTERNAL-IP); the LB host answers on it from then on. */
  private ensureIngress(key: string, svc: Service): string | undefined {
    const ip = svc.status.loadBalancer.ingress?.[0]?.ip
    if (ip === undefined) return undefined
    if (this.assigned.get(key) !== ip) {
      this.assigned.set(key, ip)
      this.options.records?.append({ kind: "action", t: this.sim.now, actor: "cloud-lb", verb: "program", object: `Service ${key}`, detail: ip })
    }
    if (!this.hostAddresses.has(ip)) {
      this.hostAddresses.add(ip)
      this.options.host.addAddress("eth0", parseIpv4(ip))
    }
    return ip
  }

  private backends(svc: Service): string[] {
    const nodes = this.options.nodes.filter((n) => this.options.nodeUp(n.name))
    if (svc.spec.externalTrafficPolicy !== "Local") return nodes.map((n) => n.ip)
    const withLocal = new Set<string>()
    const ns = svc.metadata.namespace ?? "default"
    for (const slice of this.store.list("EndpointSlice", { namespace: ns, labelSelector: { matchLabels: { "kubernetes.io/service-name": svc.metadata.name } } })) {
      for (const ep of slice.endpoints) if (ep.conditions.ready !== false && ep.nodeName !== undefined) withLocal.add(ep.nodeName)
    }
    return nodes.filter((n) => withLocal.has(n.name)).map((n) => n.ip)
  }
}
