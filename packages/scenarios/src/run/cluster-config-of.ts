import { cluster, net, parseDuration } from "@kubesim/core"
import { type ScenarioIssue, ScenarioError, issueWithMessage } from "../format/scenario-issue"
import type { PreparedScenario } from "../validate/prepare-scenario"
import type { LinkSettings, NetworkSpec } from "../format/schema"
import { ipvsConfigOf } from "./ipvs-config-of"

/** The external hosts of one client: name (`<client>-<k>`) and address. */
export interface ExternalHostPlan {
  readonly client: string
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly ip: string }>
}

/** Delay names a scenario may set under `cluster.delays`, and where they go in the core's ClusterConfig. */
export const KNOWN_DELAYS = ["watch", "minSyncPeriod", "syncPeriod", "nginxStartupMin", "nginxStartupMax"] as const

const NODE_LAN = "172.18.0.0/16"

/** kube-controller-manager `--node-cidr-mask-size` default for IPv4 (cmd/kube-controller-manager nodeipam options). */
const NODE_CIDR_MASK_SIZE = 24

/**
 * Node InternalIPs as docker hands them out on kind's network: in order from 172.18.0.3, past the addresses the
 * cluster already uses (API server .0.2, the cloud LB .0.250, the upstream resolver .0.254), the load balancer's
 * pool and the external clients' subnets. Up to 247 nodes this is 172.18.0.3, .4, … as it always was.
 */
const nodeAddresses = (lan: net.Cidr, count: number, reserved: ReadonlyArray<net.Cidr>): string[] => {
  const taken = new Set<number>(["172.18.0.2", "172.18.0.250", "172.18.0.254"].map((ip) => net.parseIpv4(ip)))
  const out: string[] = []
  for (let k = 3; out.length < count && k < net.cidrSize(lan) - 1; k++) {
    const ip = net.cidrAt(lan, k)
    if (taken.has(ip) || reserved.some((b) => net.cidrContains(b, ip))) continue
    out.push(net.formatIpv4(ip))
  }
  return out
}

/** External clients' default subnets: 172.18.(10 + i).0/24 for the i-th external client, clear of nodes and the LB pool. */
const defaultExternalCidr = (i: number): string => `172.18.${10 + i}.0/24`

/**
 * The core Cluster's config for a prepared scenario, plus the external host plan. Features the core does not
 * model are errors, not silently ignored.
 */
export const clusterConfigOf = (p: PreparedScenario, seed: number): { config: cluster.ClusterConfigInput; externals: ExternalHostPlan[] } => {
  const c = p.scenario.cluster ?? {}
  const file = p.file
  const issues: ScenarioIssue[] = []

  const lan = net.parseCidr(NODE_LAN)
  const podCidr = net.parseCidr(c.podCIDR ?? "10.244.0.0/16")
  const nodeCidrs = podCidr.prefix > NODE_CIDR_MASK_SIZE ? 0 : 2 ** (NODE_CIDR_MASK_SIZE - podCidr.prefix)
  // kube-controller-manager's range allocator hands each node a /24 (--node-cidr-mask-size) from the cluster CIDR, the
  // control plane first; past the last one it fails with cidrset's ErrCIDRRangeNoCIDRsRemaining and the node gets
  // no podCIDR (event CIDRNotAvailable), so its pods could never get an address: refuse the cluster up front.
  if (p.nodes.length + 1 > nodeCidrs) {
    const need = NODE_CIDR_MASK_SIZE - Math.ceil(Math.log2(p.nodes.length + 1))
    issues.push(
      issueWithMessage(
        file,
        "cluster.podCIDR",
        `a prefix of /${need} or shorter for ${p.nodes.length} nodes`,
        c.podCIDR ?? "10.244.0.0/16",
        `${p.nodes.length} nodes and the control plane need ${p.nodes.length + 1} /${NODE_CIDR_MASK_SIZE} pod CIDRs (kube-controller-manager --node-cidr-mask-size ${NODE_CIDR_MASK_SIZE}) but podCIDR ${net.formatCidr(podCidr)} holds ${nodeCidrs}: the range allocator would fail with "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range" (CIDRNotAvailable); use a /${need} or larger podCIDR`,
      ),
    )
    // The nodes could not all get a pod CIDR: nothing below can be computed for them.
    throw new ScenarioError(issues)
  }
  const serviceCidr = net.parseCidr(c.serviceCIDR ?? "10.96.0.0/12")
  if (serviceCidr.prefix > 24) issues.push(issueWithMessage(file, "cluster.serviceCIDR", "a prefix of /24 or shorter", c.serviceCIDR ?? "", "serviceCIDR too small"))
  const delays = c.delays ?? {}
  for (const k of Object.keys(delays)) {
    if (!(KNOWN_DELAYS as ReadonlyArray<string>).includes(k)) issues.push(issueWithMessage(file, `cluster.delays.${k}`, `one of ${KNOWN_DELAYS.join(", ")}`, k, `unknown delay "${k}" (known: ${KNOWN_DELAYS.join(", ")})`))
  }
  // nginx's start-up (entrypoint scripts, then bind): uniform in [min, max]; an unset bound keeps the core's default.
  const nginxDefault = cluster.resolveClusterConfig({}).delays.nginxStartup
  const nginxStartup = {
    min: delays.nginxStartupMin !== undefined ? parseDuration(delays.nginxStartupMin) : nginxDefault.min,
    max: delays.nginxStartupMax !== undefined ? parseDuration(delays.nginxStartupMax) : Math.max(nginxDefault.max, delays.nginxStartupMin !== undefined ? parseDuration(delays.nginxStartupMin) : 0),
  }
  if (nginxStartup.max < nginxStartup.min) {
    issues.push(issueWithMessage(file, "cluster.delays.nginxStartupMax", `a duration ≥ nginxStartupMin (${delays.nginxStartupMin ?? "50ms"})`, delays.nginxStartupMax ?? "", "nginxStartupMax must not be shorter than nginxStartupMin"))
  }
  const externals: ExternalHostPlan[] = []
  const externalBlocks: net.Cidr[] = []
  let ext = 0
  ;(p.scenario.clients ?? []).forEach((cl, i) => {
    if (cl.external === undefined) return
    const text = cl.external.cidr ?? defaultExternalCidr(ext)
    ext++
    const block = net.parseCidr(text)
    externalBlocks.push(block)
    if (!net.cidrContainsCidr(lan, block)) issues.push(issueWithMessage(file, `clients[${i}].external.cidr`, `a subnet of the nodes' network ${NODE_LAN}`, text, `external hosts live on the nodes' network ${NODE_LAN}; ${text} is outside it`))
    else if (cl.external.count > net.cidrSize(block) - 2) issues.push(issueWithMessage(file, `clients[${i}].external.count`, `at most ${net.cidrSize(block) - 2} hosts in ${text}`, String(cl.external.count), `${cl.external.count} hosts do not fit in ${text}`))
    else externals.push({ client: cl.name, hosts: Array.from({ length: cl.external.count }, (_, k) => ({ name: `${cl.name}-${k + 1}`, ip: net.formatIpv4(net.cidrAt(block, k + 1)) })) })
  })
  const reserved = [
    // The core's default LB pool is 172.18.255.200–249.
    net.parseCidr(c.loadBalancer?.pool ?? "172.18.255.192/26"),
    ...externalBlocks,
  ]
  const nodeIps = nodeAddresses(lan, p.nodes.length, reserved)
  if (nodeIps.length < p.nodes.length) {
    throw new ScenarioError([issueWithMessage(file, "cluster.nodes", `at most ${nodeIps.length} nodes on the nodes' network ${NODE_LAN}`, String(p.nodes.length), `${p.nodes.length} nodes do not fit on the nodes' network ${NODE_LAN}`)])
  }
  const zones = c.zones ?? []
  const nodes = p.nodes.map((n, i) => {
    const labels = zones.length > 0 && n.labels[cluster.ZONE_LABEL] === undefined ? { ...n.labels, [cluster.ZONE_LABEL]: zones[i % zones.length] as string } : n.labels
    return { name: n.name, ip: nodeIps[i] as string, podCIDR: net.formatCidr(net.cidrSubnet(podCidr, NODE_CIDR_MASK_SIZE, i + 1)), ...(Object.keys(labels).length > 0 ? { labels } : {}) }
  })
  const lbPool = c.loadBalancer?.pool
  checkExternalServers(p, { podCidr, serviceCidr, nodes, externals, lbPool }, issues)
  if (issues.length > 0) throw new ScenarioError(issues)

  // kubeadm: the control plane holds the first /24 of the pod CIDR, workers the next (kind's node IPAM order).
  const zone = Object.entries(c.upstreamDns?.records ?? {})
    .map(([name, ip]) => `${name} A ${ip}\n`)
    .join("")
  const config: cluster.ClusterConfigInput = {
    seed,
    nodes,
    ...(c.maxPods !== undefined ? { maxPods: c.maxPods } : {}),
    clusterCIDR: net.formatCidr(podCidr),
    serviceCIDR: net.formatCidr(serviceCidr),
    // kubeadm: the DNS Service IP is the 10th address of the service CIDR (cmd/kubeadm/app/constants GetDNSIP).
    dnsServiceIP: net.formatIpv4(net.cidrAt(serviceCidr, 10)),
    externalClients: externals.flatMap((e) => e.hosts),
    ...(c.externalServers !== undefined ? { externalServers: c.externalServers.map((e) => ({ name: e.name, ip: e.ip, ...(e.port !== undefined ? { port: e.port } : {}) })) } : {}),
    // Records add to the default upstream zone (db.example.com, example.com), so ExternalName examples keep working.
    ...(zone !== "" ? { upstreamDns: { zone: cluster.DEFAULT_UPSTREAM_ZONE + zone } } : {}),
    ...(lbPool !== undefined || c.loadBalancer?.algorithm !== undefined
      ? {
          loadBalancer: {
            ...(lbPool !== undefined ? { pool: Array.from({ length: Math.min(256, net.cidrSize(net.parseCidr(lbPool))) }, (_, k) => net.formatIpv4(net.cidrAt(net.parseCidr(lbPool), k))) } : {}),
            ...(c.loadBalancer?.algorithm !== undefined ? { algorithm: c.loadBalancer.algorithm } : {}),
          },
        }
      : {}),
    ...(c.network !== undefined ? { network: networkOf(c.network) } : {}),
    delays: { ...(delays.watch !== undefined ? { watch: parseDuration(delays.watch) } : {}), nginxStartup },
    ...(delays.minSyncPeriod !== undefined || delays.syncPeriod !== undefined || c.proxyMode !== undefined
      ? {
          proxy: {
            ...(c.proxyMode !== undefined ? { mode: c.proxyMode } : {}),
            ...(delays.minSyncPeriod !== undefined ? { minSyncPeriod: parseDuration(delays.minSyncPeriod) } : {}),
            ...(delays.syncPeriod !== undefined ? { syncPeriod: parseDuration(delays.syncPeriod) } : {}),
            // decode-scenario: cluster.ipvs comes only with proxyMode ipvs, so this block is always present then.
            ...(c.ipvs !== undefined ? { ipvs: ipvsConfigOf(c.ipvs) } : {}),
          },
        }
      : {}),
  }
  return { config, externals }
}

/**
 * `cluster.externalServers`: each address must be free — outside the pod and Service CIDRs, not a node, an
 * external client, the cluster's fixed hosts (API server, upstream DNS, cloud LB) or the LB pool — and each name
 * distinct from every other host's.
 */
const checkExternalServers = (
  p: PreparedScenario,
  ctx: {
    readonly podCidr: net.Cidr
    readonly serviceCidr: net.Cidr
    readonly nodes: ReadonlyArray<{ readonly name: string; readonly ip: string }>
    readonly externals: ReadonlyArray<ExternalHostPlan>
    readonly lbPool: string | undefined
  },
  issues: ScenarioIssue[],
): void => {
  const servers = p.scenario.cluster?.externalServers ?? []
  if (servers.length === 0) return
  const defaults = cluster.resolveClusterConfig({})
  const taken = new Map<string, string>([
    [defaults.apiServer.ip, "the API server"],
    [defaults.upstreamDns.ip, "the upstream DNS server"],
    [defaults.loadBalancer.ip, "the cloud load balancer"],
  ])
  const names = new Map<string, string>([["kube-apiserver", "the API server"], ["upstream-dns", "the upstream DNS server"], ["cloud-lb", "the cloud load balancer"]])
  for (const n of ctx.nodes) {
    taken.set(n.ip, `node ${n.name}`)
    names.set(n.name, `node ${n.name}`)
  }
  for (const e of ctx.externals) for (const h of e.hosts) {
    taken.set(h.ip, `external client host ${h.name}`)
    names.set(h.name, `external client host ${h.name}`)
  }
  const pool = ctx.lbPool !== undefined ? net.parseCidr(ctx.lbPool) : null
  servers.forEach((s, i) => {
    const at = `cluster.externalServers[${i}]`
    const ip = net.parseIpv4(s.ip)
    const clash =
      taken.get(s.ip) ??
      (net.cidrContains(ctx.podCidr, ip) ? `the pod CIDR ${net.formatCidr(ctx.podCidr)}` : undefined) ??
      (net.cidrContains(ctx.serviceCidr, ip) ? `the Service CIDR ${net.formatCidr(ctx.serviceCidr)}` : undefined) ??
      (pool !== null && net.cidrContains(pool, ip) ? `the load balancer pool ${ctx.lbPool}` : undefined) ??
      (pool === null && defaults.loadBalancer.pool.includes(s.ip) ? "the load balancer pool" : undefined)
    if (clash !== undefined) issues.push(issueWithMessage(p.file, `${at}.ip`, "an address no other host or range uses", s.ip, `${s.ip} is already ${clash}`))
    else taken.set(s.ip, `external server ${s.name}`)
    const other = names.get(s.name)
    if (other !== undefined) issues.push(issueWithMessage(p.file, `${at}.name`, "a host name not used yet", s.name, `"${s.name}" is already the name of ${other}`))
    else names.set(s.name, `external server ${s.name}`)
  })
}

const linkOf = (base: net.LinkParams, s: LinkSettings | undefined): net.LinkParams => ({
  latency: s?.latency !== undefined ? parseDuration(s.latency) : base.latency,
  ...(s?.jitter !== undefined ? { jitter: parseDuration(s.jitter) } : base.jitter !== undefined ? { jitter: base.jitter } : {}),
  ...(s?.loss !== undefined ? { loss: s.loss } : base.loss !== undefined ? { loss: base.loss } : {}),
})

/** `cluster.network`: the top level is the nodes' network (nodes and external), each class refines it. */
const networkOf = (n: NetworkSpec): cluster.ClusterNetwork => {
  const d = cluster.DEFAULT_NETWORK
  const top = { latency: n.latency, jitter: n.jitter, loss: n.loss }
  const nodes = linkOf(linkOf(d.nodes, top), n.nodes)
  return {
    veth: linkOf(d.veth, n.veth),
    nodes,
    crossZone: linkOf(nodes, n.crossZone),
    external: linkOf(linkOf(d.external, top), n.external),
  }
}
