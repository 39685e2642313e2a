import { Simulation } from "../../sim/index"
import { applyRestore, parseCidr, parseIpv4, type Ipv4 } from "../index"
import { Fabric } from "../fabric/fabric"
import type { Host } from "../host/host"
import type { LinkParams } from "../link/link"
import { Network } from "../network"
import { NAT_BASE_CHAINS, NAT_BASE_RULES, endpointChainRules, statisticMatch } from "./kube-proxy-rules"

/** Test fixture: a small cluster wired by a Fabric, with kube-proxy-shaped iptables rules for one Service. */
export interface TestCluster {
  readonly sim: Simulation
  readonly net: Network
  readonly fabric: Fabric
  readonly nodes: Host[]
  /** Backend pods, in endpoint order. */
  readonly backends: Host[]
  readonly client: Host
  readonly external: Host
  readonly serviceIp: Ipv4
  readonly servicePort: number
  readonly targetPort: number
}

export interface ClusterOptions {
  readonly seed?: number | string
  readonly nodes?: number
  readonly backends?: number
  readonly lanLink?: LinkParams
  readonly vethLink?: LinkParams
  readonly costPerRule?: number
  /** Extra filter rules appended to the restore payload (full `-A …` lines). */
  readonly extraFilter?: readonly string[]
}

export const ip = parseIpv4

/**
 * The iptables-restore payload kube-proxy writes for one ClusterIP service (pkg/proxy/iptables/proxier.go
 * syncProxyRules layout: KUBE-SERVICES → KUBE-SVC-… → statistic → KUBE-SEP-… → DNAT; KUBE-MARK-MASQ and
 * KUBE-POSTROUTING masquerade for traffic from outside the cluster CIDR).
 */
export const serviceRestore = (
  serviceIp: string,
  port: number,
  endpoints: ReadonlyArray<{ ip: string; port: number }>,
  extraFilter: readonly string[] = [],
): string => {
  const n = endpoints.length
  const sep = (i: number): string => `KUBE-SEP-TEST${String(i).padStart(10, "0")}`
  const lines = [
    "*filter",
    ":KUBE-FORWARD - [0:0]",
    "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
    "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
    "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    ...extraFilter,
    "COMMIT",
    "*nat",
    ...NAT_BASE_CHAINS,
    ":KUBE-SVC-TESTTESTTESTTEST - [0:0]",
    ...endpoints.map((_, i) => `:${sep(i)} - [0:0]`),
    ...NAT_BASE_RULES,
    `-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d ${serviceIp}/32 --dport ${port} -j KUBE-SVC-TESTTESTTESTTEST`,
    `-A KUBE-SVC-TESTTESTTESTTEST -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d ${serviceIp}/32 --dport ${port} ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
    ...endpoints.map((e, i) => `-A KUBE-SVC-TESTTESTTESTTEST -m comment --comment "default/web:http -> ${e.ip}:${e.port}"${statisticMatch(n - i)} -j ${sep(i)}`),
    ...endpoints.flatMap((e, i) => endpointChainRules(sep(i), "default/web:http", e.ip, `${e.ip}:${e.port}`, "tcp")),
    "COMMIT",
    "",
  ]
  return lines.join("\n")
}

/**
 * `nodes` nodes (192.168.0.10+i, pod CIDR 10.244.i.0/24), `backends` backend pods spread round-robin over
 * the nodes (10.244.i.(10+k)), a client pod on node 0, an external host 192.168.0.100; every node has the
 * service 10.96.0.10:80 → backends:8080.
 */
export const makeCluster = (o: ClusterOptions = {}): TestCluster => {
  const sim = new Simulation(o.seed ?? 1)
  const net = new Network(sim, o.costPerRule !== undefined ? { costPerRule: o.costPerRule } : {})
  const fabric = new Fabric(net, {
    lan: parseCidr("192.168.0.0/24"),
    ...(o.lanLink !== undefined ? { lanLink: o.lanLink } : {}),
    ...(o.vethLink !== undefined ? { vethLink: o.vethLink } : {}),
  })
  const nNodes = o.nodes ?? 2
  const nodes: Host[] = []
  for (let i = 0; i < nNodes; i++) {
    nodes.push(fabric.addNode(`node-${i}`, { ip: ip(`192.168.0.${10 + i}`), podCidr: parseCidr(`10.244.${i}.0/24`) }))
  }
  const backends: Host[] = []
  const eps: { ip: string; port: number }[] = []
  for (let k = 0; k < (o.backends ?? 3); k++) {
    const node = k % nNodes
    const addr = `10.244.${node}.${10 + k}`
    backends.push(fabric.addPod(`node-${node}`, `web-${k}`, ip(addr)))
    eps.push({ ip: addr, port: 8080 })
  }
  const client = fabric.addPod("node-0", "client", ip("10.244.0.200"))
  const external = fabric.addLanHost("external", {
    ip: ip("192.168.0.100"),
    routes: [{ dst: parseCidr("10.96.0.0/12"), via: ip("192.168.0.10") }],
  })
  const text = serviceRestore("10.96.0.10", 80, eps, o.extraFilter)
  for (const n of fabric.nodes.keys()) applyRestore(fabric.ruleset(n), text, { noflush: true })
  return { sim, net, fabric, nodes, backends, client, external, serviceIp: ip("10.96.0.10"), servicePort: 80, targetPort: 8080 }
}
