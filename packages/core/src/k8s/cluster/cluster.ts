import { Simulation, type Nanos } from "../../sim/index"
import { Fabric, Network, cidrContains, formatIpv4, parseCidr, parseIpv4, renderNftRuleset, renderRestore, renderSave, RuleParseCache, TableShareCache, type Host, type Ruleset } from "../../net/index"
import { RecordLog } from "../../records/index"
import { AppEnv, DnsServer, HttpServer, zoneAnswerer, type RequestLoop } from "../../apps/index"
import { nslookupSync, parseResolvConf, renderResolvConf, type CorednsServer } from "../../dns/index"
import { decodeManifests, formatManifestIssues, type Kind, type KubeObject } from "../api/index"
import { ApiStore, type StoreResult } from "../store/index"
import { formatEnv } from "../envvars/index"
import { AppReadinessError, Kubelet } from "../kubelet/index"
import { NodeProxyAgent, SharedProxyInformers } from "../node-proxy/index"
import { IptablesRenderCache } from "../proxy/index"
import {
  DaemonSetController,
  DeploymentController,
  EndpointSliceController,
  StatefulSetController,
  LoadBalancerController,
  NodeLeases,
  NodeLifecycleController,
  ReplicaSetController,
  Scheduler,
  ServiceAllocator,
} from "../controllers/index"
import { bootstrapManifests } from "./bootstrap"
import { CloudLoadBalancer } from "./cloud-load-balancer"
import { clusterDns } from "./cluster-dns"
import { ZONE_LABEL, resolveClusterConfig, type ClusterConfig, type ClusterConfigInput } from "./cluster-config"
import { ImageLauncher } from "./image-launcher"
import { installKindMasqAgent } from "./kind-masq-agent"
import { requestLabeller } from "./request-labeller"
import { ServiceRecorder } from "./service-records"

/** Manifests that could not be applied: every problem, with file, document, line and field. */
export class ClusterApplyError extends Error {
  override readonly name = "ClusterApplyError"
}

export interface ClusterNode {
  readonly name: string
  readonly ip: string
  readonly host: Host
  readonly ruleset: Ruleset
  readonly kubelet: Kubelet
  readonly proxy: NodeProxyAgent
  failed: boolean
}

/** One `kubectl apply` line per object: `service/web-service created`. */
export interface ApplyOutcome {
  readonly object: string
  readonly action: string
}

const RESOURCE: Readonly<Record<string, string>> = {
  Namespace: "namespace",
  Node: "node",
  Pod: "pod",
  Service: "service",
  EndpointSlice: "endpointslice.discovery.k8s.io",
  Deployment: "deployment.apps",
  ReplicaSet: "replicaset.apps",
  StatefulSet: "statefulset.apps",
  DaemonSet: "daemonset.apps",
  ConfigMap: "configmap",
  Secret: "secret",
  ServiceAccount: "serviceaccount",
}

/**
 * A whole simulated cluster on one Simulation: the API store with the Service IP/NodePort allocators as admission,
 * the controllers (Deployment, ReplicaSet, scheduler, EndpointSlice), on every node a kubelet and a kube-proxy
 * writing iptables rules into the node's kernel, CoreDNS pods behind `kube-dns`, an upstream DNS server, the cloud
 * load balancer and external client hosts on the nodes' network. Same config, manifests and seed → the same
 * records and trace hash.
 */
export class Cluster {
  readonly sim: Simulation
  readonly net: Network
  readonly fabric: Fabric
  readonly store: ApiStore
  readonly records = new RecordLog()
  readonly env: AppEnv
  readonly nodes = new Map<string, ClusterNode>()
  readonly coredns: CorednsServer
  readonly loadBalancer: CloudLoadBalancer
  readonly externalHosts = new Map<string, Host>()
  /** Web servers outside the cluster (`config.externalServers`), by name. */
  readonly externalServers = new Map<string, HttpServer>()
  /** Busybox-style request loops started by containers, by `namespace/pod`. */
  readonly clients = new Map<string, RequestLoop>()
  readonly allocator: ServiceAllocator

  private constructor(readonly config: ClusterConfig) {
    const c = config
    this.sim = new Simulation(c.seed)
    this.net = new Network(this.sim)
    this.fabric = new Fabric(this.net, {
      lan: parseCidr(c.nodeNetwork),
      ...(c.network !== null ? { vethLink: c.network.veth, lanPairs: { nodes: c.network.nodes, crossZone: c.network.crossZone, external: c.network.external } } : {}),
    })
    const validation = { nodePortRange: c.nodePortRange }
    this.store = new ApiStore(this.sim, { validation })
    this.env = new AppEnv(this.sim, this.records)
    const watch = c.delays.watch
    const log = this.records

    this.allocator = new ServiceAllocator(this.sim, this.store, { serviceCidr: c.serviceCIDR, nodePortRange: c.nodePortRange, validation })
    this.allocator.start()

    const dns = clusterDns(this.store, watch, c.clusterDomain, c.upstreamDns.zone)
    this.coredns = dns.server
    const upstreamHost = this.fabric.addLanHost("upstream-dns", { ip: parseIpv4(c.upstreamDns.ip) })
    new DnsServer(upstreamHost, this.env, { name: "upstream-dns", answer: zoneAnswerer(dns.upstream) })

    const nodeByIp = new Map<string, string>()
    for (const n of c.nodes) nodeByIp.set(n.ip, n.name)
    const labellerCtx = { store: this.store, nodeByIp, nodeHost: (name: string) => this.fabric.node(name) }
    const renderCache = new IptablesRenderCache()
    const ruleCache = new RuleParseCache()
    const tableCache = new TableShareCache()
    const leases = new NodeLeases()
    const proxyInformers = new SharedProxyInformers(this.sim, this.store, watch)
    const nodeResolv = parseResolvConf(`nameserver ${c.upstreamDns.ip}\n`, "node /etc/resolv.conf")

    for (const n of c.nodes) {
      const zone = n.labels?.[ZONE_LABEL]
      const host = this.fabric.addNode(n.name, { ip: parseIpv4(n.ip), podCidr: parseCidr(n.podCIDR), ...(zone !== undefined ? { zone } : {}) })
      const ruleset = this.fabric.ruleset(n.name)
      installKindMasqAgent(ruleset, c.clusterCIDR, tableCache)
      const launcher = new ImageLauncher({
        env: this.env,
        coredns: dns.startReplica,
        upstreamDns: c.upstreamDns.ip,
        labeller: requestLabeller(labellerCtx, n.name),
        onClient: (pod, loop) => this.clients.set(pod, loop),
        nginxStartup: c.delays.nginxStartup,
      })
      const kubelet = new Kubelet(this.sim, this.store, {
        nodeName: n.name,
        nodeIp: n.ip,
        podCidr: parseCidr(n.podCIDR),
        fabric: this.fabric,
        launcher,
        dns: { clusterDomain: c.clusterDomain, clusterDns: [c.dnsServiceIP], nodeResolvConf: nodeResolv, nodeIps: [n.ip] },
        watchDelay: watch,
        timings: c.delays.kubelet,
        records: log,
        leases,
      })
      const proxy = new NodeProxyAgent(this.sim, this.store, host, ruleset, {
        nodeName: n.name,
        nodeIPs: [n.ip],
        clusterCIDR: c.clusterCIDR,
        watchDelay: watch,
        minSyncPeriod: c.proxy.minSyncPeriod,
        syncPeriod: c.proxy.syncPeriod,
        renderCache,
        mode: c.proxy.mode,
        ...(c.proxy.mode === "ipvs" ? { ipvs: c.proxy.ipvs } : {}),
        nft: this.fabric.nftRuleset(n.name),
        serviceCIDRs: [c.serviceCIDR],
        ruleCache,
        tableCache,
        informers: proxyInformers,
        records: log,
        ...(n.cpus !== undefined ? { cpus: n.cpus } : {}),
        ...(zone !== undefined ? { zone } : {}),
      })
      this.nodes.set(n.name, { name: n.name, ip: n.ip, host, ruleset, kubelet, proxy, failed: false })
    }

    // The API server's address answers on the LAN (nothing listens on it: kubesim has no API traffic).
    this.fabric.addLanHost("kube-apiserver", { ip: parseIpv4(c.apiServer.ip) })
    for (const e of c.externalClients) {
      this.externalHosts.set(e.name, this.fabric.addLanHost(e.name, { ip: parseIpv4(e.ip), routes: [] }))
    }
    const lan = parseCidr(c.nodeNetwork)
    for (const e of c.externalServers) {
      const ip = parseIpv4(e.ip)
      const host = this.fabric.addLanHost(e.name, { ip, beyondLan: !cidrContains(lan, ip) })
      this.externalServers.set(e.name, new HttpServer(host, this.env, { hostname: e.name, port: e.port ?? 80, rngStream: `external-server/${e.name}` }))
    }
    const lbHost = this.fabric.addLanHost("cloud-lb", { ip: parseIpv4(c.loadBalancer.ip), forwarding: true })
    this.loadBalancer = new CloudLoadBalancer(this.sim, this.store, {
      host: lbHost,
      algorithm: c.loadBalancer.algorithm,
      healthCheck: c.loadBalancer.healthCheck,
      watchDelay: watch,
      nodes: c.nodes.map((n) => ({ name: n.name, ip: n.ip })),
      nodeUp: (name) => this.nodes.get(name)?.failed === false,
      records: log,
    })

    const ctl = { watchDelay: watch, log }
    new DeploymentController(this.sim, this.store, ctl).start()
    new ReplicaSetController(this.sim, this.store, ctl).start()
    new StatefulSetController(this.sim, this.store, ctl).start()
    new DaemonSetController(this.sim, this.store, ctl).start()
    new Scheduler(this.sim, this.store, ctl).start()
    new EndpointSliceController(this.sim, this.store, ctl).start()
    new LoadBalancerController(this.sim, this.store, { ...ctl, pool: c.loadBalancer.pool }).start()
    new NodeLifecycleController(this.sim, this.store, { ...ctl, leases }).start()
    this.loadBalancer.start()
    new ServiceRecorder(this.sim, this.store, log).start()
    for (const n of this.nodes.values()) {
      n.kubelet.start()
      n.proxy.start()
    }
    this.applyText(bootstrapManifests(c), "<kubeadm bootstrap>", "kubeadm")
  }

  /** Builds and starts a cluster (nothing runs until `runUntil`). */
  static create(config: ClusterConfigInput = {}): Cluster {
    return new Cluster(resolveClusterConfig(config))
  }

  /**
   * `kubectl apply`: YAML text (one or many documents) or decoded objects. Throws ClusterApplyError listing every
   * problem (decoding or the API's validation) after applying the objects that were fine, as kubectl does.
   */
  apply(input: string | KubeObject | ReadonlyArray<KubeObject>, options: { readonly file?: string } = {}): ApplyOutcome[] {
    if (typeof input === "string") return this.applyText(input, options.file ?? "<stdin>", "scenario")
    const objects = Array.isArray(input) ? (input as ReadonlyArray<KubeObject>) : [input as KubeObject]
    return this.applyObjects(objects.map((object) => ({ object, where: options.file ?? "<objects>" })), "scenario")
  }

  /** `kubectl delete <kind> <name> [-n ns] [--grace-period]`. */
  delete(kind: Kind, namespace: string | undefined, name: string, options: { readonly gracePeriodSeconds?: number } = {}): StoreResult<KubeObject> {
    const r = this.store.delete(kind, namespace, name, options)
    this.records.append({ kind: "action", t: this.sim.now, actor: "scenario", verb: "delete", object: `${kind} ${namespace ?? "default"}/${name}`, detail: r.ok ? r.action : r.message })
    return r as StoreResult<KubeObject>
  }

  /** Runs the simulation until time `t` (absolute, ns). */
  runUntil(t: Nanos): void {
    this.sim.run({ until: t })
  }

  /** Runs for `d` more nanoseconds. */
  runFor(d: Nanos): void {
    this.sim.run({ until: this.sim.now + d })
  }

  /** Ends the run: requests still in flight are written, then the `run-end` record. Call once. */
  finish(): RecordLog {
    this.env.flushInFlight()
    this.records.append({ kind: "run-end", t: this.sim.now, events: this.sim.eventsProcessed, traceHash: this.sim.traceHash })
    return this.records
  }

  node(name: string): ClusterNode {
    const n = this.nodes.get(name)
    if (n === undefined) throw new Error(`cluster: no node named "${name}" (nodes: ${[...this.nodes.keys()].join(", ")})`)
    return n
  }

  /** The node fails: its kernel and pods stop answering, its kubelet and kube-proxy stop, the LB drops it. */
  failNode(name: string): void {
    const n = this.node(name)
    if (n.failed) return
    n.failed = true
    n.host.up = false
    n.kubelet.stop()
    n.proxy.stop()
    this.loadBalancer.schedule()
    this.records.append({ kind: "action", t: this.sim.now, actor: "scenario", verb: "fail-node", object: `Node ${name}`, detail: null })
  }

  /** The node is back: kernel up, pods answer, kubelet and kube-proxy re-list and resync. */
  recoverNode(name: string): void {
    const n = this.node(name)
    if (!n.failed) return
    n.failed = false
    n.host.up = true
    n.kubelet.resume()
    n.proxy.start()
    this.loadBalancer.schedule()
    this.records.append({ kind: "action", t: this.sim.now, actor: "scenario", verb: "recover-node", object: `Node ${name}`, detail: null })
  }

  /**
   * The application's own readiness in a running pod (what its readiness endpoint answers; the kubelet's probes
   * then mark the pod ready or not). Returns the containers it was set in; throws for a pod that is not running
   * on a node or has no readiness probe the app can fail (see Kubelet.setAppReadiness).
   */
  setAppReadiness(namespace: string, pod: string, ready: boolean): string[] {
    const p = this.store.get("Pod", namespace, pod)
    const kubelet = p?.spec.nodeName === undefined ? undefined : this.nodes.get(p.spec.nodeName)?.kubelet
    if (kubelet === undefined) throw new AppReadinessError(`pod "${namespace}/${pod}" is not running on a node`)
    return kubelet.setAppReadiness(namespace, pod, ready)
  }

  /**
   * The application's own health in a running pod (what its liveness endpoint answers; after failureThreshold
   * failed probes the kubelet restarts the container). Throws as setAppReadiness (see Kubelet.setAppLiveness).
   */
  setAppLiveness(namespace: string, pod: string, live: boolean): string[] {
    const p = this.store.get("Pod", namespace, pod)
    const kubelet = p?.spec.nodeName === undefined ? undefined : this.nodes.get(p.spec.nodeName)?.kubelet
    if (kubelet === undefined) throw new AppReadinessError(`pod "${namespace}/${pod}" is not running on a node`)
    return kubelet.setAppLiveness(namespace, pod, live)
  }

  /**
   * `kubectl exec <pod> -- <command>` for what kubesim can answer: `env`, `cat /etc/resolv.conf`, `hostname`,
   * `nslookup NAME` (busybox's output, answered by the cluster's CoreDNS view). Throws for anything else.
   */
  exec(pod: string, command: ReadonlyArray<string>, namespace = "default"): string {
    const p = this.store.get("Pod", namespace, pod)
    if (p === undefined) throw new Error(`Error from server (NotFound): pods "${pod}" not found`)
    const kubelet = p.spec.nodeName === undefined ? undefined : this.nodes.get(p.spec.nodeName)?.kubelet
    const env = kubelet?.containerEnv(namespace, pod)
    const conf = kubelet?.resolvConf(namespace, pod)
    if (env === undefined || conf === undefined) throw new Error(`error: unable to upgrade connection: container not found ("${p.spec.containers[0]?.name ?? ""}")`)
    const [cmd, ...args] = command
    if (cmd === "env" && args.length === 0) return formatEnv(env)
    if (cmd === "hostname" && args.length === 0) return `${p.spec.hostname ?? pod}\n`
    if (cmd === "cat" && args.length === 1 && args[0] === "/etc/resolv.conf") return renderResolvConf(conf)
    if (cmd === "nslookup" && args.length === 1) return nslookupSync(args[0] as string, conf, (q) => this.coredns.answer(q)).text
    throw new Error(`kubesim exec: cannot run ${JSON.stringify(command)} (supported: env, hostname, cat /etc/resolv.conf, nslookup NAME)`)
  }

  /** `iptables-save` on a node (form "save"), or the rules as an `iptables-restore` payload (form "restore"). */
  iptablesSave(node: string, form: "save" | "restore" = "save"): string {
    const rs = this.node(node).ruleset
    return form === "save" ? renderSave(rs) : renderRestore(rs)
  }

  /** A node's nftables as `nft list ruleset` prints it there (kube-proxy's table in nftables mode; empty otherwise). */
  nftListRuleset(node: string): string {
    this.node(node)
    return renderNftRuleset(this.fabric.nftRuleset(node), this.sim.now)
  }

  /** The cloud load balancer's VIP routes as `ip route show` prints them on its host (one `nexthop` per healthy node). */
  loadBalancerRoutes(): string {
    return this.loadBalancer.routes()
  }

  /** The node a pod runs on and its host, once it has a sandbox. */
  podHost(pod: string, namespace = "default"): Host | null {
    const p = this.store.get("Pod", namespace, pod)
    const kubelet = p?.spec.nodeName === undefined ? undefined : this.nodes.get(p.spec.nodeName)?.kubelet
    return kubelet?.podHost(namespace, pod) ?? null
  }

  /** The IP of a host outside the cluster. */
  externalIp(name: string): string {
    const h = this.externalHosts.get(name)
    if (h === undefined) throw new Error(`cluster: no external host named "${name}"`)
    return formatIpv4(h.primaryAddress)
  }

  private applyText(text: string, file: string, actor: string): ApplyOutcome[] {
    const decoded = decodeManifests(text, { file })
    const out = this.applyObjects(decoded.objects.map((d) => ({ object: d.object, where: `${d.file}:${d.line}` })), actor)
    if (decoded.errors.length > 0) throw new ClusterApplyError(formatManifestIssues(decoded.errors))
    return out
  }

  private applyObjects(items: ReadonlyArray<{ object: KubeObject; where: string }>, actor: string): ApplyOutcome[] {
    const out: ApplyOutcome[] = []
    const errors: string[] = []
    for (const { object, where } of items) {
      const r = this.store.apply(object)
      const ref = `${object.kind} ${object.metadata.namespace ?? (object.kind === "Node" || object.kind === "Namespace" ? "" : "default")}/${object.metadata.name}`
      if (!r.ok) {
        errors.push(`${where}: Error from server (${r.reason}): ${r.message}`)
        continue
      }
      const name = `${RESOURCE[object.kind] ?? object.kind.toLowerCase()}/${r.object.metadata.name}`
      out.push({ object: name, action: r.action })
      this.records.append({ kind: "action", t: this.sim.now, actor, verb: "apply", object: ref.replace(" /", " "), detail: r.action })
    }
    if (errors.length > 0) throw new ClusterApplyError(errors.join("\n"))
    return out
  }
}
