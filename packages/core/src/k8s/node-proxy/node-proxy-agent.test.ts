import { describe, expect, it } from "vitest"
import { NANOS_PER_HOUR, NANOS_PER_SECOND, Simulation } from "../../sim/index"
import { Fabric, Network, PROTO_UDP, Packet, applyNft, applyRestore, renderNftRuleset, parseCidr, parseIpv4, probabilityThreshold, renderSave } from "../../net/index"
import { servicePortEndpointChain, type SyncCostModel } from "../proxy/index"
import { RecordLog } from "../../records/index"
import { decodeManifests, type KubeObject } from "../api/index"
import { ApiStore } from "../store/index"
import { NodeProxyAgent } from "./node-proxy-agent"

const S = NANOS_PER_SECOND

const objects = (eps: string[]): string => `apiVersion: v1
kind: Service
metadata:
  name: dns
spec:
  clusterIP: 10.96.0.53
  selector:
    app: dns
  ports:
    - name: dns
      port: 53
      protocol: UDP
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: dns-abcde
  labels:
    kubernetes.io/service-name: dns
addressType: IPv4
endpoints:
${eps.map((ip) => `  - addresses: [${ip}]\n    conditions:\n      ready: true\n    nodeName: node-a\n`).join("")}ports:
  - name: dns
    port: 5353
    protocol: UDP
`

const harness = (cost?: SyncCostModel, cpus?: number, mode?: "nftables" | "ipvs") => {
  const sim = new Simulation(9)
  const net = new Network(sim)
  const fabric = new Fabric(net, { lan: parseCidr("192.168.0.0/24") })
  const host = fabric.addNode("node-a", { ip: parseIpv4("192.168.0.10"), podCidr: parseCidr("10.244.1.0/24") })
  const store = new ApiStore(sim)
  const records = new RecordLog()
  const apply = (text: string) => {
    for (const d of decodeManifests(text).objects) expect(store.apply(d.object as KubeObject).ok).toBe(true)
  }
  const agent = new NodeProxyAgent(sim, store, host, fabric.ruleset("node-a"), {
    nodeName: "node-a",
    nodeIPs: ["192.168.0.10"],
    clusterCIDR: "10.244.0.0/16",
    watchDelay: 20_000_000,
    records,
    ...(cost !== undefined ? { cost } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(mode === "nftables" ? { mode, nft: fabric.nftRuleset("node-a"), serviceCIDRs: ["10.96.0.0/12"] } : {}),
    ...(mode === "ipvs" ? { mode, ipvs: { scheduler: "rr" as const, tcpTimeout: 0, tcpFinTimeout: 0, udpTimeout: 30 * S } } : {}),
  })
  return { sim, host, store, records, apply, agent, ruleset: fabric.ruleset("node-a"), nft: fabric.nftRuleset("node-a") }
}

describe("node kube-proxy agent", () => {
  it("syncs the store's Services into the node's ruleset and records the kernel's share per endpoint", () => {
    const h = harness()
    h.apply(objects(["10.244.1.2", "10.244.1.3", "10.244.1.4"]))
    h.agent.start()
    h.sim.run({ until: 2 * S })
    const rules = h.records.ofKind("rules")
    expect(rules.length).toBeGreaterThanOrEqual(1)
    const last = rules.at(-1)
    expect(last?.node).toBe("node-a")
    expect(last?.services).toBe(1)
    const s0 = probabilityThreshold(1 / 3) / 2 ** 31
    const s1 = (1 - s0) * (probabilityThreshold(0.5) / 2 ** 31)
    expect(last?.shares).toEqual({ "default/dns:dns": { "10.244.1.2:5353": s0, "10.244.1.3:5353": s1, "10.244.1.4:5353": 1 - s0 - s1 } })
    const save = renderSave(h.ruleset)
    expect(save).toContain("-A KUBE-SERVICES -d 10.96.0.53/32 -p udp -m comment --comment \"default/dns:dns cluster IP\" -m udp --dport 53 -j KUBE-SVC-")
  })

  it("jump rules from the built-in chains exist exactly once across many full and partial syncs", () => {
    const h = harness()
    h.apply(objects(["10.244.1.2"]))
    h.agent.start()
    h.sim.run({ until: 2 * NANOS_PER_HOUR + 5 * S })
    expect(h.records.ofKind("rules").filter((r) => r.full).length).toBeGreaterThanOrEqual(2)
    const pre = h.ruleset.chain("nat", "PREROUTING")?.rules.filter((r) => r.target.kind === "chain" && r.target.chain === "KUBE-SERVICES")
    expect(pre).toHaveLength(1)
    const fwd = h.ruleset.chain("filter", "FORWARD")?.rules.map((r) => (r.target.kind === "chain" ? r.target.chain : r.target.kind))
    expect(fwd).toEqual(["KUBE-PROXY-FIREWALL", "KUBE-FORWARD", "KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES"])
  })

  it("clears UDP conntrack entries to the service whose endpoint is gone (conntrack/cleanup.go)", () => {
    const h = harness()
    h.apply(objects(["10.244.1.2", "10.244.1.3"]))
    h.agent.start()
    h.sim.run({ until: 2 * S })
    const ct = h.host.conntrack
    expect(ct).not.toBeNull()
    const mk = (sport: number, backend: string) => {
      const e = ct!.create(PROTO_UDP, parseIpv4("10.244.1.9"), parseIpv4("10.96.0.53"), sport, 53, h.sim.now)
      e.replySrc = parseIpv4(backend)
      e.replySport = 5353
      e.expires = h.sim.now + 100 * S
      ct!.confirm(e, h.sim.now)
    }
    mk(40001, "10.244.1.2")
    mk(40002, "10.244.1.3")
    expect(ct!.size).toBe(2)
    h.apply(objects(["10.244.1.3"]))
    h.sim.run({ until: 5 * S })
    expect(h.agent.node.conntrackCleared).toBe(1)
    expect(ct!.list(h.sim.now).map((e) => e.origSport)).toEqual([40002])
  })

  it("IPVS mode: the host's IPVS gets the virtual server and NewProxier's sysctls, kube-ipvs0 the address; deleting the Service unbinds it", () => {
    const h = harness(undefined, undefined, "ipvs")
    h.apply(objects(["10.244.1.2", "10.244.1.3"]))
    h.agent.start()
    h.sim.run({ until: 2 * S })
    const vs = h.host.ipvs?.getService("UDP", parseIpv4("10.96.0.53"), 53)
    expect(vs?.dests.map((d) => `${d.address === parseIpv4("10.244.1.2") ? "10.244.1.2" : "10.244.1.3"}:${d.port}/${d.weight}`).sort()).toEqual(["10.244.1.2:5353/1", "10.244.1.3:5353/1"])
    expect(h.host.ipvs?.sysctls).toEqual({ expireNodestConn: true, expireQuiescentTemplate: true })
    // udpTimeout 30 s set by `ipvsadm --set`; the TCP timeouts stay the kernel's (0 = keep).
    expect(h.host.ipvs?.timeouts.udp).toBe(30 * S)
    expect(h.host.ipvs?.timeouts.tcp).toBe(900 * S)
    expect(h.host.isLocal(parseIpv4("10.96.0.53"))).toBe(true)
    expect(h.host.iface("kube-ipvs0").addresses).toEqual([parseIpv4("10.96.0.53")])
    expect(h.ruleset.ipsets.get("KUBE-CLUSTER-IP")?.entries()).toEqual(["10.96.0.53,udp:53"])
    const rules = h.records.ofKind("rules")
    expect(rules.at(-1)?.mode).toBe("ipvs")
    expect(rules.at(-1)?.shares["default/dns:dns"]).toEqual({ "10.244.1.2:5353": 0.5, "10.244.1.3:5353": 0.5 })
    expect(renderSave(h.ruleset)).toContain('-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ')
    // A second port on the same ClusterIP binds nothing more (EnsureAddressBind is idempotent).
    h.apply(objects(["10.244.1.2", "10.244.1.3"]).replace("    - name: dns\n      port: 53\n      protocol: UDP\n", "    - name: dns\n      port: 53\n      protocol: UDP\n    - name: dns-tcp\n      port: 53\n      protocol: TCP\n"))
    h.sim.run({ until: 3 * S })
    expect(h.host.ipvs?.getService("TCP", parseIpv4("10.96.0.53"), 53)).not.toBeNull()
    expect(h.host.iface("kube-ipvs0").addresses).toEqual([parseIpv4("10.96.0.53")])
    h.store.delete("Service", "default", "dns")
    h.sim.run({ until: 5 * S })
    expect(h.host.ipvs?.getService("UDP", parseIpv4("10.96.0.53"), 53)).toBeNull()
    expect(h.host.iface("kube-ipvs0").addresses).toEqual([])
    expect(h.host.isLocal(parseIpv4("10.96.0.53"))).toBe(false)
  })

  it("a stopped agent hears no more changes; restarting re-lists and resyncs", () => {
    const h = harness()
    h.apply(objects(["10.244.1.2"]))
    h.agent.start()
    h.sim.run({ until: 2 * S })
    h.agent.stop()
    h.apply(objects(["10.244.1.2", "10.244.1.3"]))
    h.sim.run({ until: 4 * S })
    expect(Object.keys(h.records.ofKind("rules").at(-1)?.shares["default/dns:dns"] ?? {})).toEqual(["10.244.1.2:5353"])
    h.agent.start()
    h.sim.run({ until: 7 * S })
    expect(Object.keys(h.records.ofKind("rules").at(-1)?.shares["default/dns:dns"] ?? {})).toEqual(["10.244.1.2:5353", "10.244.1.3:5353"])
  })

  it("a re-list after a lost watch (node back from a failure) delivers updates and deletions through the normal sync path", () => {
    const h = harness()
    const other = `apiVersion: v1
kind: Service
metadata:
  name: other
spec:
  clusterIP: 10.96.0.77
  ports:
    - port: 80
`
    h.apply(objects(["10.244.1.2", "10.244.1.3"]))
    h.apply(other)
    h.agent.start()
    h.sim.run({ until: 2 * S })
    h.agent.stop()
    // While the node is away, an endpoint leaves and a Service is deleted; the agent hears neither.
    h.apply(objects(["10.244.1.2"]))
    expect(h.store.delete("Service", "default", "other").ok).toBe(true)
    h.sim.run({ until: 4 * S })
    h.agent.start()
    h.sim.run({ until: 8 * S })
    // Upstream's synced callbacks run once per process; the re-list is ordinary informer events (Replace: the
    // deleted Service arrives as a deletion), synced by the runner after the restore in flight, never beside it.
    expect(h.records.ofKind("action").filter((a) => a.verb === "restore-failed")).toEqual([])
    const save = renderSave(h.ruleset)
    expect(save).not.toContain("10.96.0.77")
    expect(save).not.toContain("10.244.1.3")
    expect(Object.keys(h.records.ofKind("rules").at(-1)?.shares["default/dns:dns"] ?? {})).toEqual(["10.244.1.2:5353"])
  })

  it("a restore the kernel refuses is recorded and retried with a full sync within syncPeriod; the run goes on", () => {
    const h = harness()
    h.apply(objects(["10.244.1.2", "10.244.1.3"]))
    h.agent.start()
    h.sim.run({ until: 2 * S })
    // Someone else's rule jumps to the endpoint's chain: deleting that chain makes iptables-restore fail.
    const sep = servicePortEndpointChain("default/dns:dns", "udp", "10.244.1.3:5353")
    applyRestore(h.ruleset, `*nat\n:ADMIN-DEBUG - [0:0]\n-A ADMIN-DEBUG -j ${sep}\nCOMMIT\n`, { noflush: true })
    h.apply(objects(["10.244.1.2"]))
    h.sim.run({ until: 3 * S })
    const failures = () => h.records.ofKind("action").filter((a) => a.verb === "restore-failed")
    expect(failures()).toHaveLength(1)
    const first = failures()[0]
    expect(first?.actor).toBe("kube-proxy/node-a")
    expect(first?.object).toBe("Node node-a")
    expect(first?.detail).toBe(
      `Failed to execute iptables-restore: line ${/line (\d+)/.exec(first?.detail ?? "")?.[1]}: chain ${sep} is deleted but still referenced from chain ADMIN-DEBUG (at "${sep}"); the next sync is a full sync, within 30s`,
    )
    // The retry (a full sync, 30 s later) fails the same way while the foreign rule stays.
    h.sim.run({ until: 33 * S + 500_000_000 })
    expect(failures()).toHaveLength(2)
    expect((failures()[1]?.t ?? 0) - (first?.t ?? 0)).toBeGreaterThanOrEqual(30 * S)
    applyRestore(h.ruleset, "*nat\n:ADMIN-DEBUG - [0:0]\n-X ADMIN-DEBUG\nCOMMIT\n", { noflush: true })
    h.sim.run({ until: 64 * S })
    expect(failures()).toHaveLength(2)
    const last = h.records.ofKind("rules").at(-1)
    expect(last?.full).toBe(true)
    expect(Object.keys(last?.shares["default/dns:dns"] ?? {})).toEqual(["10.244.1.2:5353"])
    expect(renderSave(h.ruleset)).not.toContain(sep)
  })

  it("nftables mode: a transaction the kernel refuses is recorded and retried with a full sync within syncPeriod; the run goes on", () => {
    const h = harness(undefined, undefined, "nftables")
    h.apply(objects(["10.244.1.2"]))
    h.agent.start()
    h.sim.run({ until: 2 * S })
    // Someone removes kube-proxy's service-ips map (and the rule using it): the next partial sync's element
    // changes to it are refused; only a full sync (which re-adds the map) recovers.
    applyNft(h.nft, "flush chain ip kube-proxy services\ndelete map ip kube-proxy service-ips\n", { now: h.sim.now })
    // The dns Service moves to port 54: its service-ips element is replaced.
    h.apply(objects(["10.244.1.2"]).replace("port: 53", "port: 54"))
    h.sim.run({ until: 3 * S })
    const failures = () => h.records.ofKind("action").filter((a) => a.verb === "restore-failed")
    expect(failures()).toHaveLength(1)
    const first = failures()[0]
    expect(first?.actor).toBe("kube-proxy/node-a")
    expect(first?.detail).toMatch(/^nftables sync failed: .*service-ips.*; the next sync is a full sync, within 30s$/)
    h.sim.run({ until: 40 * S })
    expect(failures()).toHaveLength(1)
    const last = h.records.ofKind("rules").at(-1)
    expect(last?.mode).toBe("nftables")
    expect(last?.full).toBe(true)
    expect((last?.t ?? 0) - (first?.t ?? 0)).toBeGreaterThanOrEqual(30 * S)
    const listing = renderNftRuleset(h.nft, h.sim.now)
    expect(listing).toContain("map service-ips {")
    expect(listing).toContain("10.96.0.53 . udp . 54")
    expect(listing).toContain("ip daddr . meta l4proto . th dport vmap @service-ips")
  })

  it("a UDP flow opened to the leaving endpoint while the restore runs is cleared once the new rules are in", () => {
    // A slow restore (400 ms): upstream runs CleanStaleEntries after RestoreAll, so an entry created meanwhile
    // (the old rules still DNAT to the leaving endpoint) is cleared too; cleaning first would leave it pinned.
    const h = harness({ base: 400_000_000, perLine: 0 })
    h.apply(objects(["10.244.1.2", "10.244.1.3"]))
    h.agent.start()
    h.sim.run({ until: 2 * S })
    const ct = h.host.conntrack!
    const flow = (sport: number, backend: string) => {
      const e = ct.create(PROTO_UDP, parseIpv4("10.244.1.9"), parseIpv4("10.96.0.53"), sport, 53, h.sim.now)
      e.replySrc = parseIpv4(backend)
      e.replySport = 5353
      e.expires = h.sim.now + 100 * S
      ct.confirm(e, h.sim.now)
    }
    h.apply(objects(["10.244.1.2"]))
    // The change reaches kube-proxy at 2.02 s; its sync runs until 2.42 s.
    const during = h.sim.defineKind<null>("flow-during-restore", () => flow(40001, "10.244.1.3"))
    h.sim.at(2 * S + 200_000_000, during, null)
    h.sim.run({ until: 2 * S + 300_000_000 })
    expect(ct.size).toBe(1)
    h.sim.run({ until: 3 * S })
    expect(ct.size).toBe(0)
    expect(h.agent.node.conntrackCleared).toBe(1)
  })

  it("kube-proxy's start raises the node's conntrack sysctls; a packet refused for a full table is a drop record", () => {
    // server_linux.go setupConntrack on a stock 64-bit kernel: nf_conntrack_max 32768 × 16 cores, close_wait 1 h;
    // the established timeout stays at the kernel's 5 days (kube-proxy only raises: conntrack.go setIntSysCtl).
    const h = harness(undefined, 16)
    const ct = h.host.conntrack!
    expect([ct.max, ct.buckets]).toEqual([524288, 262144])
    expect(h.host.conntrackTimeouts.tcpCloseWait).toBe(3600 * S)
    expect(h.host.conntrackTimeouts.tcpEstablished).toBe(432000 * S)
    expect(harness().host.conntrack!.max).toBe(262144)
    const pkt = new Packet(1, 0)
    pkt.proto = PROTO_UDP
    pkt.src = parseIpv4("10.244.1.9")
    pkt.sport = 40000
    pkt.dst = parseIpv4("10.96.0.53")
    pkt.dport = 53
    ct.onTableFull?.(pkt, 7 * S)
    expect(h.records.ofKind("drop")).toEqual([
      { kind: "drop", t: 7 * S, host: "node-a", reason: "conntrack-full", protocol: "udp", src: "10.244.1.9:40000", dst: "10.96.0.53:53" },
    ])
  })
})
