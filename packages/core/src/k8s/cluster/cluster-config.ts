import { NANOS_PER_MICRO, NANOS_PER_MILLI, NANOS_PER_SECOND, type Nanos } from "../../sim/index"
import type { IpvsScheduler, LinkParams } from "../../net/index"
import { DEFAULT_KUBELET_TIMINGS, type DelayRange, type KubeletTimings } from "../kubelet/index"
import { NGINX_STARTUP_DEFAULT } from "./image-launcher"

/** How the cloud load balancer picks a node for a new connection. */
export type LoadBalancerAlgorithm = "random" | "round-robin" | "five-tuple-hash"

/**
 * The load balancer's health check of each node (cloud-provider-gcp gce_loadbalancer_external.go: every 8 s,
 * healthy after 1 pass, unhealthy after 3 failures — "3 * 8 = 24 seconds before the LB will steer traffic away").
 */
export interface LoadBalancerHealthCheck {
  readonly interval: Nanos
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
}

export const DEFAULT_LB_HEALTH_CHECK: LoadBalancerHealthCheck = { interval: 8 * NANOS_PER_SECOND, healthyThreshold: 1, unhealthyThreshold: 3 }

export interface NodeConfig {
  readonly name: string
  /** InternalIP on the nodes' network. */
  readonly ip: string
  /** spec.podCIDR. */
  readonly podCIDR: string
  /**
   * The node's CPUs, default 8: what its kube-proxy sees (runtime.NumCPU: --conntrack-max-per-core scales with it)
   * and the Node's status.capacity.cpu / allocatable.cpu (the scheduler's fit and the topology-aware hints' zone
   * shares read it).
   */
  readonly cpus?: number
  /** Labels beyond the kubelet's own (`kubernetes.io/hostname` etc.), e.g. `topology.kubernetes.io/zone`. */
  readonly labels?: Readonly<Record<string, string>>
}

/** The well-known zone label (k8s.io/api/core/v1 well_known_labels.go LabelTopologyZone). */
export const ZONE_LABEL = "topology.kubernetes.io/zone"

/**
 * Link settings by class. The defaults (`DEFAULT_NETWORK`) are the Fabric's own: a veth 5 µs, the LAN 100 µs
 * between any two hosts, no jitter, no loss.
 */
export interface ClusterNetwork {
  /** pod ⇄ node (the pod's veth pair). */
  readonly veth: LinkParams
  /** node ⇄ node in one zone. */
  readonly nodes: LinkParams
  /** node ⇄ node in different zones (`topology.kubernetes.io/zone` labels). */
  readonly crossZone: LinkParams
  /** node ⇄ anything outside the cluster (external clients and servers, the cloud LB, the upstream DNS). */
  readonly external: LinkParams
}

export const DEFAULT_NETWORK: ClusterNetwork = {
  veth: { latency: 5 * NANOS_PER_MICRO },
  nodes: { latency: 100 * NANOS_PER_MICRO },
  crossZone: { latency: 100 * NANOS_PER_MICRO },
  external: { latency: 100 * NANOS_PER_MICRO },
}

/**
 * A web server outside the cluster: the built-in HTTP app (body = `name`) listening on `ip:port`. An address in
 * the nodes' network is a LAN host; any other is an internet host one hop past the LAN (see Fabric `beyondLan`).
 */
export interface ExternalServerConfig {
  readonly name: string
  readonly ip: string
  /** Default 80. */
  readonly port?: number
}

export interface ClusterDelays {
  /** Informer lag of every controller, kubelet and kube-proxy watch. */
  readonly watch: Nanos
  readonly kubelet: KubeletTimings
  /** nginx containers: container start → listening on :80 (the image's entrypoint scripts, then bind). */
  readonly nginxStartup: DelayRange
}

/**
 * A cluster's shape. Defaults follow a kind cluster (kind's `kindnet` + kubeadm): nodes on the docker network
 * 172.18.0.0/16 with the control plane at 172.18.0.2 (the API server, 6443) and workers `kind-worker`,
 * `kind-worker2`, `kind-worker3` at .3, .4, .5; pod CIDR 10.244.0.0/16 with a /24 per node (the control plane
 * holds 10.244.0.0/24, workers 10.244.1.0/24…); Service CIDR 10.96.0.0/12 (kube-dns 10.96.0.10); NodePorts
 * 30000-32767. Node names are arbitrary in Kubernetes; kind's are used so output reads like a real session.
 */
export interface ClusterConfig {
  readonly seed: number | string
  readonly nodes: ReadonlyArray<NodeConfig>
  /** The nodes' LAN (docker network). */
  readonly nodeNetwork: string
  readonly apiServer: { readonly ip: string; readonly port: number }
  readonly clusterCIDR: string
  readonly serviceCIDR: string
  readonly nodePortRange: { readonly base: number; readonly size: number }
  readonly clusterDomain: string
  /** kube-dns ClusterIP (kubeadm: the 10th address of the service CIDR). */
  readonly dnsServiceIP: string
  readonly corednsImage: string
  readonly corednsReplicas: number
  /** The resolver outside the cluster (the nodes' /etc/resolv.conf nameserver, CoreDNS' `forward` target). */
  readonly upstreamDns: { readonly ip: string; readonly zone: string }
  /** Hosts outside the cluster on the nodes' network, by name → IP. */
  readonly externalClients: ReadonlyArray<{ readonly name: string; readonly ip: string }>
  /** HTTP servers outside the cluster (the answer an upstream DNS record points at); none by default. */
  readonly externalServers: ReadonlyArray<ExternalServerConfig>
  readonly loadBalancer: {
    readonly ip: string
    /** Addresses handed to LoadBalancer Services, in order (kind + MetalLB style: the top of the docker network). */
    readonly pool: ReadonlyArray<string>
    readonly algorithm: LoadBalancerAlgorithm
    readonly healthCheck: LoadBalancerHealthCheck
  }
  /** kube-proxy on every node: --proxy-mode and its sync periods. */
  readonly proxy: {
    readonly mode: ProxyMode
    readonly minSyncPeriod: Nanos
    readonly syncPeriod: Nanos
    /** KubeProxyIPVSConfiguration (used in ipvs mode only). */
    readonly ipvs: IpvsProxyConfig
  }
  readonly delays: ClusterDelays
  /**
   * kubelet `--max-pods` (KubeletConfiguration maxPods, default 110: pkg/kubelet/apis/config/v1beta1/defaults.go):
   * each Node's capacity and allocatable `pods`, which the scheduler's NodeResourcesFit filter enforces
   * ("Too many pods").
   */
  readonly maxPods: number
  /** Per-class link settings; null: the Fabric's defaults on one LAN (what every cluster had before classes). */
  readonly network: ClusterNetwork | null
}

/** kube-proxy's --proxy-mode (pkg/proxy/apis/config/types.go ProxyMode; kubesim models Linux's three). */
export type ProxyMode = "iptables" | "nftables" | "ipvs"

/**
 * KubeProxyIPVSConfiguration (pkg/proxy/apis/config/types.go): the scheduler (empty → rr, proxier.go NewProxier)
 * and the `ipvsadm --set` timeouts; a zero timeout leaves the kernel's value (900 s / 120 s / 300 s), as
 * upstream only calls ConfigureTimeouts when one of them is non-zero.
 */
export interface IpvsProxyConfig {
  readonly scheduler: IpvsScheduler
  readonly tcpTimeout: Nanos
  readonly tcpFinTimeout: Nanos
  readonly udpTimeout: Nanos
}

export const DEFAULT_IPVS_PROXY_CONFIG: IpvsProxyConfig = { scheduler: "rr", tcpTimeout: 0, tcpFinTimeout: 0, udpTimeout: 0 }

export type ClusterConfigInput = Partial<Omit<ClusterConfig, "delays" | "loadBalancer" | "proxy" | "upstreamDns" | "network">> & {
  /** Classes left out take DEFAULT_NETWORK's (crossZone: `nodes`' settings). */
  readonly network?: Partial<ClusterNetwork>
  readonly delays?: Partial<ClusterDelays>
  readonly loadBalancer?: Partial<ClusterConfig["loadBalancer"]>
  readonly proxy?: Partial<Omit<ClusterConfig["proxy"], "ipvs">> & { readonly ipvs?: Partial<IpvsProxyConfig> }
  readonly upstreamDns?: Partial<ClusterConfig["upstreamDns"]>
  /** Shorthand for `nodes`: this many kind workers. */
  readonly nodeCount?: number
}

/** kind's worker names: `kind-worker`, `kind-worker2`, … (kind pkg/cluster/internal/create/actions/config). */
export const kindWorkerName = (i: number): string => (i === 0 ? "kind-worker" : `kind-worker${i + 1}`)

export const defaultNodes = (n: number): NodeConfig[] =>
  Array.from({ length: n }, (_, i) => ({ name: kindWorkerName(i), ip: `172.18.0.${3 + i}`, podCIDR: `10.244.${1 + i}.0/24` }))

/** kubelet `--max-pods` default (pkg/kubelet/apis/config/v1beta1/defaults.go `SetDefaults_KubeletConfiguration`). */
export const DEFAULT_MAX_PODS = 110

export const DEFAULT_UPSTREAM_ZONE = "db.example.com A 93.184.216.34\nexample.com A 93.184.216.34\n"

export class ClusterConfigError extends Error {
  override readonly name = "ClusterConfigError"
}

/** Applies the defaults; throws ClusterConfigError naming the field for values that cannot work. */
export const resolveClusterConfig = (c: ClusterConfigInput = {}): ClusterConfig => {
  const nodes = c.nodes ?? defaultNodes(c.nodeCount ?? 3)
  if (nodes.length === 0) throw new ClusterConfigError("nodes: a cluster needs at least one node")
  const names = new Set<string>()
  for (const [i, n] of nodes.entries()) {
    if (names.has(n.name)) throw new ClusterConfigError(`nodes[${i}].name: duplicate node name "${n.name}"`)
    if (n.cpus !== undefined && (!Number.isSafeInteger(n.cpus) || n.cpus < 1)) {
      throw new ClusterConfigError(`nodes[${i}].cpus: expected a whole number of CPUs ≥ 1, got ${n.cpus}`)
    }
    names.add(n.name)
  }
  const cfg: ClusterConfig = {
    seed: c.seed ?? 1,
    nodes,
    nodeNetwork: c.nodeNetwork ?? "172.18.0.0/16",
    apiServer: c.apiServer ?? { ip: "172.18.0.2", port: 6443 },
    clusterCIDR: c.clusterCIDR ?? "10.244.0.0/16",
    serviceCIDR: c.serviceCIDR ?? "10.96.0.0/12",
    nodePortRange: c.nodePortRange ?? { base: 30000, size: 2768 },
    clusterDomain: c.clusterDomain ?? "cluster.local",
    dnsServiceIP: c.dnsServiceIP ?? "10.96.0.10",
    corednsImage: c.corednsImage ?? "registry.k8s.io/coredns/coredns:v1.11.1",
    corednsReplicas: c.corednsReplicas ?? 2,
    upstreamDns: { ip: c.upstreamDns?.ip ?? "172.18.0.254", zone: c.upstreamDns?.zone ?? DEFAULT_UPSTREAM_ZONE },
    externalClients: c.externalClients ?? [{ name: "external-client", ip: "172.18.0.100" }],
    externalServers: c.externalServers ?? [],
    loadBalancer: {
      ip: c.loadBalancer?.ip ?? "172.18.0.250",
      pool: c.loadBalancer?.pool ?? Array.from({ length: 50 }, (_, i) => `172.18.255.${200 + i}`),
      algorithm: c.loadBalancer?.algorithm ?? "random",
      healthCheck: c.loadBalancer?.healthCheck ?? DEFAULT_LB_HEALTH_CHECK,
    },
    maxPods: c.maxPods ?? DEFAULT_MAX_PODS,
    proxy: {
      mode: c.proxy?.mode ?? "iptables",
      minSyncPeriod: c.proxy?.minSyncPeriod ?? 1 * NANOS_PER_SECOND,
      syncPeriod: c.proxy?.syncPeriod ?? 30 * NANOS_PER_SECOND,
      ipvs: { ...DEFAULT_IPVS_PROXY_CONFIG, ...c.proxy?.ipvs },
    },
    delays: {
      watch: c.delays?.watch ?? 50 * NANOS_PER_MILLI,
      kubelet: c.delays?.kubelet ?? DEFAULT_KUBELET_TIMINGS,
      nginxStartup: c.delays?.nginxStartup ?? NGINX_STARTUP_DEFAULT,
    },
    network: c.network === undefined ? null : resolveNetwork(c.network),
  }
  if (!["random", "round-robin", "five-tuple-hash"].includes(cfg.loadBalancer.algorithm)) {
    throw new ClusterConfigError(`loadBalancer.algorithm: expected "random", "round-robin" or "five-tuple-hash", got ${JSON.stringify(cfg.loadBalancer.algorithm)}`)
  }
  if (!Number.isInteger(cfg.maxPods) || cfg.maxPods < 1) throw new ClusterConfigError(`maxPods: expected an integer ≥ 1, got ${cfg.maxPods}`)
  const ns = cfg.delays.nginxStartup
  if (!Number.isSafeInteger(ns.min) || !Number.isSafeInteger(ns.max) || ns.min < 0 || ns.max < ns.min) {
    throw new ClusterConfigError(`delays.nginxStartup: expected whole nanoseconds 0 ≤ min ≤ max, got {min: ${ns.min}, max: ${ns.max}}`)
  }
  for (const [i, e] of cfg.externalServers.entries()) {
    if (names.has(e.name)) throw new ClusterConfigError(`externalServers[${i}].name: "${e.name}" is already the name of a node or another external server`)
    names.add(e.name)
    const port = e.port ?? 80
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ClusterConfigError(`externalServers[${i}].port: expected a port 1-65535, got ${port}`)
  }
  const hc = cfg.loadBalancer.healthCheck
  if (!Number.isInteger(hc.interval) || hc.interval <= 0) throw new ClusterConfigError(`loadBalancer.healthCheck.interval: expected a positive duration in ns, got ${hc.interval}`)
  for (const f of ["healthyThreshold", "unhealthyThreshold"] as const) {
    if (!Number.isInteger(hc[f]) || hc[f] < 1) throw new ClusterConfigError(`loadBalancer.healthCheck.${f}: expected an integer ≥ 1, got ${hc[f]}`)
  }
  return cfg
}

const resolveNetwork = (n: Partial<ClusterNetwork>): ClusterNetwork => {
  const nodes = n.nodes ?? DEFAULT_NETWORK.nodes
  const r: ClusterNetwork = { veth: n.veth ?? DEFAULT_NETWORK.veth, nodes, crossZone: n.crossZone ?? nodes, external: n.external ?? DEFAULT_NETWORK.external }
  for (const k of ["veth", "nodes", "crossZone", "external"] as const) {
    const p = r[k]
    if (!Number.isSafeInteger(p.latency) || p.latency < 0) throw new ClusterConfigError(`network.${k}.latency: expected whole nanoseconds ≥ 0, got ${p.latency}`)
    if (p.jitter !== undefined && (!Number.isSafeInteger(p.jitter) || p.jitter < 0)) throw new ClusterConfigError(`network.${k}.jitter: expected whole nanoseconds ≥ 0, got ${p.jitter}`)
    if (p.loss !== undefined && !(p.loss >= 0 && p.loss <= 1)) throw new ClusterConfigError(`network.${k}.loss: expected a probability in [0, 1], got ${p.loss}`)
  }
  return r
}
