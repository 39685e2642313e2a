import { Simulation, type Nanos } from "../../sim/index"
import { ClusterZoneIndex, CorednsCache, type CorednsCacheConfig, CorednsServer, UpstreamZone, kubeadmKubernetesStanza, parseUpstreamRecords, type ResolvConf } from "../../dns/index"
import { svc } from "../../dns/test-fixtures"
import { Fabric, Network, applyRestore, parseCidr, parseIpv4, type Host, type LinkParams } from "../../net/index"
import { RecordLog } from "../../records/index"
import { AppEnv } from "../app-env"
import { DnsServer, corednsAnswerer, zoneAnswerer } from "../dns-server"
import { HttpServer, type HttpServerConfig } from "../http-server"
import type { RequestLabeller } from "../request-labeller"
import { StubResolverDriver } from "../stub-resolver-driver"
import { type ClusterService, restoreFor } from "./service-rules"

/** Test fixture: two nodes, web pods behind `web-service`, two CoreDNS pods behind `kube-dns`, an upstream resolver. */
export interface SmallCluster {
  readonly sim: Simulation
  readonly net: Network
  readonly fabric: Fabric
  readonly env: AppEnv
  readonly records: RecordLog
  readonly web: ReadonlyArray<{ readonly host: Host; readonly server: HttpServer; readonly ip: string }>
  readonly coredns: ReadonlyArray<DnsServer>
  readonly upstream: DnsServer
  readonly client: Host
  readonly resolver: StubResolverDriver
  readonly labeller: RequestLabeller
  readonly services: ReadonlyArray<ClusterService>
}

export interface SmallClusterOptions {
  readonly seed?: number | string
  readonly webPods?: number
  readonly web?: Partial<HttpServerConfig>
  /** Extra services (hand-written kube-proxy rules). */
  readonly extraServices?: ReadonlyArray<ClusterService>
  readonly lanLink?: LinkParams
  readonly vethLink?: LinkParams
  readonly flavour?: "musl" | "glibc"
  readonly dnsProcessing?: Nanos
  /** Each CoreDNS pod gets its own `cache` with this config (default none). */
  readonly dnsCache?: CorednsCacheConfig
  /** CoreDNS' `loadbalance` (default off). */
  readonly dnsLoadbalance?: boolean
}

export const WEB_SERVICE_IP = "10.96.100.10"
export const KUBE_DNS_IP = "10.96.0.10"
export const UPSTREAM_IP = "192.168.0.2"

/** The resolv.conf the kubelet writes for a ClusterFirst pod in `default` (ndots:5, three search domains). */
export const podResolvConf: ResolvConf = {
  nameservers: [KUBE_DNS_IP],
  searches: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"],
  options: ["ndots:5"],
}

export const makeSmallCluster = (o: SmallClusterOptions = {}): SmallCluster => {
  const sim = new Simulation(o.seed ?? 1)
  const net = new Network(sim)
  const records = new RecordLog()
  const env = new AppEnv(sim, records)
  const fabric = new Fabric(net, {
    lan: parseCidr("192.168.0.0/24"),
    ...(o.lanLink !== undefined ? { lanLink: o.lanLink } : {}),
    ...(o.vethLink !== undefined ? { vethLink: o.vethLink } : {}),
  })
  fabric.addNode("node-0", { ip: parseIpv4("192.168.0.10"), podCidr: parseCidr("10.244.0.0/24") })
  fabric.addNode("node-1", { ip: parseIpv4("192.168.0.11"), podCidr: parseCidr("10.244.1.0/24") })
  const web: { host: Host; server: HttpServer; ip: string }[] = []
  for (let k = 0; k < (o.webPods ?? 3); k++) {
    const ip = `10.244.${k % 2}.${10 + k}`
    const name = `web-${k}`
    const host = fabric.addPod(`node-${k % 2}`, name, parseIpv4(ip))
    web.push({ host, ip, server: new HttpServer(host, env, { hostname: name, ...o.web }) })
  }
  const zone = new UpstreamZone(parseUpstreamRecords("www.example.com A 93.184.216.34\nexample.com SOA ns.example.com. admin.example.com. 1 7200 900 1209600 60"))
  const index = new ClusterZoneIndex()
  index.setNamespace("default")
  index.setNamespace("kube-system")
  index.setService(svc("default", "web-service", { type: "ClusterIP", clusterIP: WEB_SERVICE_IP, ports: [{ port: 80 }] }))
  index.setService(svc("kube-system", "kube-dns", { type: "ClusterIP", clusterIP: KUBE_DNS_IP, ports: [{ name: "dns", port: 53, protocol: "UDP" }] }))
  const core = new CorednsServer(index, kubeadmKubernetesStanza(), zone)
  const coredns: DnsServer[] = []
  const dnsIps: string[] = []
  for (let k = 0; k < 2; k++) {
    const ip = `10.244.${k}.53`
    dnsIps.push(ip)
    const host = fabric.addPod(`node-${k}`, `coredns-${k}`, parseIpv4(ip))
    coredns.push(
      new DnsServer(host, env, {
        name: `coredns-${k}`,
        answer: corednsAnswerer(core),
        upstream: { ip: parseIpv4(UPSTREAM_IP) },
        ...(o.dnsProcessing !== undefined ? { processingTime: { kind: "constant", value: o.dnsProcessing } } : {}),
        ...(o.dnsCache !== undefined ? { cache: new CorednsCache(o.dnsCache) } : {}),
        ...(o.dnsLoadbalance !== undefined ? { loadbalance: o.dnsLoadbalance } : {}),
      }),
    )
  }
  // Routes back to the pod CIDRs stand in for the CNI's masquerade here; the real Cluster has no such routes and
  // relies on kindnetd's KIND-MASQ-AGENT (k8s/cluster/kind-masq-agent.ts, tested in dns-forward.e2e.test.ts).
  const upstreamHost = fabric.addLanHost("upstream-dns", {
    ip: parseIpv4(UPSTREAM_IP),
    routes: [
      { dst: parseCidr("10.244.0.0/24"), via: parseIpv4("192.168.0.10") },
      { dst: parseCidr("10.244.1.0/24"), via: parseIpv4("192.168.0.11") },
    ],
  })
  const upstream = new DnsServer(upstreamHost, env, { name: "upstream", answer: zoneAnswerer(zone) })
  const client = fabric.addPod("node-0", "busybox", parseIpv4("10.244.0.200"))
  const resolver = new StubResolverDriver(client, env, { client: "busybox", conf: podResolvConf, flavour: o.flavour ?? "musl" })
  const services: ClusterService[] = [
    { name: "default/web-service:", ip: WEB_SERVICE_IP, port: 80, proto: "tcp", endpoints: web.map((w) => `${w.ip}:80`) },
    { name: "kube-system/kube-dns:dns", ip: KUBE_DNS_IP, port: 53, proto: "udp", endpoints: dnsIps.map((i) => `${i}:53`) },
    { name: "kube-system/kube-dns:dns-tcp", ip: KUBE_DNS_IP, port: 53, proto: "tcp", endpoints: dnsIps.map((i) => `${i}:53`) },
    ...(o.extraServices ?? []),
  ]
  const text = restoreFor(services)
  for (const n of fabric.nodes.keys()) applyRestore(fabric.ruleset(n), text, { noflush: true })
  const labeller: RequestLabeller = {
    service: (t) => services.find((s) => s.ip === t.ip && s.port === t.port && s.proto === "tcp")?.name ?? null,
    node: (t) => (services.some((s) => s.ip === t.ip) ? "node-0" : null),
  }
  return { sim, net, fabric, env, records, web, coredns, upstream, client, resolver, labeller, services }
}
