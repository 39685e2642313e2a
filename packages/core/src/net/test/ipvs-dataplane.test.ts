import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND, Simulation } from "../../sim/index"
import { Fabric } from "../fabric/fabric"
import { applyRestore, formatIpv4, IpvsTable, parseCidr, renderIpvsadmList, type IpvsScheduler } from "../index"
import { Network } from "../network"
import { ip } from "./cluster"

const S = NANOS_PER_SECOND
const VIP = ip("10.96.0.10")

/** Two nodes in kube-proxy's IPVS shape: the ClusterIP on kube-ipvs0, a virtual service, three real servers. */
const ipvsCluster = (scheduler: IpvsScheduler = "rr", persistence: number | null = null) => {
  const sim = new Simulation(1)
  const net = new Network(sim)
  const fabric = new Fabric(net, { lan: parseCidr("192.168.0.0/24") })
  const nodes = [0, 1].map((i) => fabric.addNode(`node-${i}`, { ip: ip(`192.168.0.${10 + i}`), podCidr: parseCidr(`10.244.${i}.0/24`) }))
  const backends = [0, 1, 2].map((k) => fabric.addPod(`node-${k % 2}`, `web-${k}`, ip(`10.244.${k % 2}.${10 + k}`)))
  const client = fabric.addPod("node-0", "client", ip("10.244.0.200"))
  for (const n of nodes) {
    n.addInterface("kube-ipvs0")
    n.addAddress("kube-ipvs0", VIP)
    const t = new IpvsTable()
    t.sysctls = { expireNodestConn: true, expireQuiescentTemplate: true }
    const svc = t.addService({ protocol: "TCP", address: VIP, port: 80, scheduler, persistence, netmask: 0xffffffff })
    for (const b of backends) t.addDest(svc, b.primaryAddress, 8080, 1)
    n.ipvs = t
  }
  const peers: string[] = []
  for (const b of backends) b.tcpListen(8080, (k) => {
    peers.push(formatIpv4(k.remoteIp))
    return { onData: (c) => c.send(b.name, 10) }
  })
  return { sim, net, fabric, nodes, backends, client, peers }
}

describe("IPVS on the packet path (ip_vs_in at LOCAL_IN, ip_vs_nat_xmit, ip_vs_out)", () => {
  it("spreads new connections round-robin, keeps the client's address, and replies come from the ClusterIP", () => {
    const c = ipvsCluster()
    const got: string[] = []
    for (let i = 0; i < 6; i++) {
      c.client.tcpConnect(VIP, 80, { onConnected: (k) => k.send("hi", 10), onData: (k, msg) => { got.push(String(msg)); k.close() } })
      c.sim.run({ until: (i + 1) * S })
    }
    // rr starts at the list head: the newest real server (web-2).
    expect(got).toEqual(["web-2", "web-1", "web-0", "web-2", "web-1", "web-0"])
    expect(new Set(c.peers)).toEqual(new Set(["10.244.0.200"]))
    // Closed connections linger in TIME_WAIT (inactive) for 120 s.
    expect(renderIpvsadmList(c.nodes[0]!.ipvs!, c.sim.now)).toContain("  -> 10.244.1.11:8080             Masq    1      0          2         ")
    expect(renderIpvsadmList(c.nodes[0]!.ipvs!, c.sim.now + 200 * S)).toContain("  -> 10.244.1.11:8080             Masq    1      0          0         ")
  })

  it("persistence keeps a client on one real server; a service without real servers answers port-unreachable", () => {
    const c = ipvsCluster("rr", 10800)
    const got: string[] = []
    for (let i = 0; i < 4; i++) {
      c.client.tcpConnect(VIP, 80, { onConnected: (k) => k.send("hi", 10), onData: (k, msg) => { got.push(String(msg)); k.close() } })
      c.sim.run({ until: (i + 1) * S })
    }
    expect(new Set(got).size).toBe(1)
    expect(got.length).toBe(4)
    const t = c.nodes[0]!.ipvs!
    const svc = t.getService("TCP", VIP, 80)!
    for (const b of c.backends) t.deleteDest(svc, b.primaryAddress, 8080)
    let why = ""
    c.client.tcpConnect(VIP, 80, { onClosed: (_k, reason) => { why = reason } })
    c.sim.run({ until: 12 * S })
    expect(why).toBe("rejected")
  })

  it("kube-proxy's masquerade rule in POSTROUTING applies to IPVS-forwarded packets (conntrack=1)", () => {
    const c = ipvsCluster()
    for (const n of c.nodes) {
      applyRestore(c.fabric.ruleset(n.name), "*nat\n-A POSTROUTING -s 10.244.0.200/32 -j MASQUERADE\nCOMMIT\n", { noflush: true })
    }
    const got: string[] = []
    for (let i = 0; i < 3; i++) {
      c.client.tcpConnect(VIP, 80, { onConnected: (k) => k.send("hi", 10), onData: (k, msg) => { got.push(String(msg)); k.close() } })
      c.sim.run({ until: (i + 1) * S })
    }
    expect(got).toEqual(["web-2", "web-1", "web-0"])
    // The real servers saw node-0's address on the way out (the pod network's veth address for local pods).
    expect(c.peers).toEqual(["192.168.0.10", "192.168.0.10", c.peers[2]])
    expect(c.peers[2]).not.toBe("10.244.0.200")
  })
})
