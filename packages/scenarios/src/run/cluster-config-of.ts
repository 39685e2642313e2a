import { cluster, net, parseDuration } from "@kubesim/core"
import { type ScenarioIssue, ScenarioError, issueWithMessage } from "../format/scenario-issue"
import type { PreparedScenario } from "../validate/prepare-scenario"

/** The external hosts of one client: name (`<client>-<k>`) and address. */
export interface ExternalHostPlan {
  readonly client: string
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly ip: string }>
}

/** Delay names a scenario may set under `cluster.delays`, and where they go in the core's ClusterConfig. */
export const KNOWN_DELAYS = ["watch", "minSyncPeriod", "syncPeriod", "nginxStartupMin", "nginxStartupMax"] as const

const NODE_LAN = "172.18.0.0/16"

/** External clients' default subnets: 172.18.(10 + i).0/24 for the i-th external client, clear of nodes and the LB pool. */
const defaultExternalCidr = (i: number): string => `172.18.${10 + i}.0/24`

/**
 * The core Cluster's config for a prepared scenario, plus the external host plan. Features the core does not
 * model yet (proxyMode ipvs, link latency/jitter/loss) are errors, not silently ignored.
 */
export const clusterConfigOf = (p: PreparedScenario, seed: number): { config: cluster.ClusterConfigInput; externals: ExternalHostPlan[] } => {
  const c = p.scenario.cluster ?? {}
  const file = p.file
  const issues: ScenarioIssue[] = []
  const unsupported = (path: string, what: string) =>
    issues.push(issueWithMessage(file, path, "a feature the core Cluster models", what, `${what} is not modelled by the core Cluster yet (only iptables, links without latency/jitter/loss)`))
  // iptables and nftables are modelled; ipvs is accepted by the schema (it is a kube-proxy mode) but not yet here.
  if (c.proxyMode === "ipvs") {
    issues.push(issueWithMessage(file, "cluster.proxyMode", "iptables or nftables", "ipvs", "proxyMode ipvs is not modelled by the core Cluster yet (iptables and nftables are)"))
  }
  if (c.network !== undefined && Object.keys(c.network).length > 0) unsupported("cluster.network", "network latency, jitter and loss")

  const lan = net.parseCidr(NODE_LAN)
  const podCidr = net.parseCidr(c.podCIDR ?? "10.244.0.0/16")
  if (podCidr.prefix > 23) issues.push(issueWithMessage(file, "cluster.podCIDR", "a prefix of /23 or shorter", c.podCIDR ?? "", "podCIDR must hold a /24 per node plus the control plane's"))
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
  let ext = 0
  ;(p.scenario.clients ?? []).forEach((cl, i) => {
    if (cl.external === undefined) return
    const text = cl.external.cidr ?? defaultExternalCidr(ext)
    ext++
    const block = net.parseCidr(text)
    if (!net.cidrContainsCidr(lan, block)) issues.push(issueWithMessage(file, `clients[${i}].external.cidr`, `a subnet of the nodes' network ${NODE_LAN}`, text, `external hosts live on the nodes' network ${NODE_LAN}; ${text} is outside it`))
    else if (cl.external.count > net.cidrSize(block) - 2) issues.push(issueWithMessage(file, `clients[${i}].external.count`, `at most ${net.cidrSize(block) - 2} hosts in ${text}`, String(cl.external.count), `${cl.external.count} hosts do not fit in ${text}`))
    else externals.push({ client: cl.name, hosts: Array.from({ length: cl.external.count }, (_, k) => ({ name: `${cl.name}-${k + 1}`, ip: net.formatIpv4(net.cidrAt(block, k + 1)) })) })
  })
  if (issues.length > 0) throw new ScenarioError(issues)

  // kubeadm: the control plane holds the first /24 of the pod CIDR, workers the next (kind's node IPAM order).
  const nodes = p.nodes.map((n, i) => ({ name: n.name, ip: `172.18.0.${3 + i}`, podCIDR: net.formatCidr(net.cidrSubnet(podCidr, 24, i + 1)) }))
  const zone = Object.entries(c.upstreamDns?.records ?? {})
    .map(([name, ip]) => `${name} A ${ip}\n`)
    .join("")
  const lbPool = c.loadBalancer?.pool
  const config: cluster.ClusterConfigInput = {
    seed,
    nodes,
    clusterCIDR: net.formatCidr(podCidr),
    serviceCIDR: net.formatCidr(serviceCidr),
    // kubeadm: the DNS Service IP is the 10th address of the service CIDR (cmd/kubeadm/app/constants GetDNSIP).
    dnsServiceIP: net.formatIpv4(net.cidrAt(serviceCidr, 10)),
    externalClients: externals.flatMap((e) => e.hosts),
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
    delays: { ...(delays.watch !== undefined ? { watch: parseDuration(delays.watch) } : {}), nginxStartup },
    ...(delays.minSyncPeriod !== undefined || delays.syncPeriod !== undefined || c.proxyMode !== undefined
      ? {
          proxy: {
            ...(c.proxyMode === "nftables" || c.proxyMode === "iptables" ? { mode: c.proxyMode } : {}),
            ...(delays.minSyncPeriod !== undefined ? { minSyncPeriod: parseDuration(delays.minSyncPeriod) } : {}),
            ...(delays.syncPeriod !== undefined ? { syncPeriod: parseDuration(delays.syncPeriod) } : {}),
          },
        }
      : {}),
  }
  return { config, externals }
}
