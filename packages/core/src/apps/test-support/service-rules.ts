import { NAT_BASE_CHAINS, NAT_BASE_RULES, endpointChainRules, statisticMatch } from "../../net/test/kube-proxy-rules"

/** A service port for the hand-written rules: kube-proxy's layout, for tests of the apps without the proxier. */
export interface ClusterService {
  /** The ServicePortName, used in comments. */
  readonly name: string
  readonly ip: string
  readonly port: number
  readonly proto: "tcp" | "udp"
  /** `ip:port` of each endpoint; none gives the REJECT rule kube-proxy writes for a service without endpoints. */
  readonly endpoints: ReadonlyArray<string>
}

const chainId = (i: number, j: number): string => `${String(i).padStart(4, "0")}${String(j).padStart(12, "0")}`

/**
 * An iptables-restore payload shaped like kube-proxy's (pkg/proxy/iptables/proxier.go syncProxyRules): filter
 * KUBE-SERVICES rejecting services without endpoints; nat KUBE-SERVICES → KUBE-SVC-… → `statistic` → KUBE-SEP-…
 * → DNAT, and KUBE-POSTROUTING masquerading marked traffic from outside the pod CIDR.
 */
export const restoreFor = (services: ReadonlyArray<ClusterService>): string => {
  const filter: string[] = []
  const natChains: string[] = []
  const nat: string[] = []
  services.forEach((s, i) => {
    const m = `-m ${s.proto} -p ${s.proto} -d ${s.ip}/32 --dport ${s.port}`
    if (s.endpoints.length === 0) {
      filter.push(`-A KUBE-SERVICES -m comment --comment "${s.name} has no endpoints" ${m} -j REJECT --reject-with icmp-port-unreachable`)
      return
    }
    const svcChain = `KUBE-SVC-${chainId(i, 0)}`
    natChains.push(`:${svcChain} - [0:0]`)
    nat.push(`-A KUBE-SERVICES -m comment --comment "${s.name} cluster IP" ${m} -j ${svcChain}`)
    nat.push(`-A ${svcChain} -m comment --comment "${s.name} cluster IP" ${m} ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`)
    const n = s.endpoints.length
    s.endpoints.forEach((e, j) => {
      const sep = `KUBE-SEP-${chainId(i, j + 1)}`
      natChains.push(`:${sep} - [0:0]`)
      nat.push(`-A ${svcChain} -m comment --comment "${s.name} -> ${e}"${statisticMatch(n - j)} -j ${sep}`)
      nat.push(...endpointChainRules(sep, s.name, e.slice(0, e.lastIndexOf(":")), e, s.proto))
    })
  })
  return [
    "*filter",
    ":KUBE-SERVICES - [0:0]",
    ":KUBE-FORWARD - [0:0]",
    "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
    "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
    "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
    "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
    ...filter,
    "COMMIT",
    "*nat",
    ...NAT_BASE_CHAINS,
    ...natChains,
    ...NAT_BASE_RULES,
    ...nat,
    "COMMIT",
    "",
  ].join("\n")
}
