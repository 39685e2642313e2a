import { describe, expect, it } from "vitest"
import { NANOS_PER_HOUR, NANOS_PER_SECOND, Simulation } from "../../sim/index"
import { Fabric, Network, PROTO_UDP, parseCidr, parseIpv4, probabilityThreshold, renderSave } from "../../net/index"
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

const harness = () => {
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
  })
  return { sim, host, store, records, apply, agent, ruleset: fabric.ruleset("node-a") }
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
})
