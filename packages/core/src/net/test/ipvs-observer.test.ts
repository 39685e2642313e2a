import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND, Simulation } from "../../sim/index"
import { Fabric } from "../fabric/fabric"
import { formatIpv4, IPVS_TCP_STATES, IpvsTable, parseCidr } from "../index"
import { Network } from "../network"
import { ip } from "./cluster"

describe("PacketObserver.onIpvs (what kubesim trace shows of ip_vs_in and ip_vs_out)", () => {
  it("sees every client packet IPVS takes before the destination becomes the real server, and every reply after it is un-NATed, with the connection's state", () => {
    const sim = new Simulation(1)
    const net = new Network(sim)
    const fabric = new Fabric(net, { lan: parseCidr("192.168.0.0/24") })
    const node = fabric.addNode("node-0", { ip: ip("192.168.0.10"), podCidr: parseCidr("10.244.0.0/24") })
    const web = fabric.addPod("node-0", "web", ip("10.244.0.10"))
    const client = fabric.addPod("node-0", "client", ip("10.244.0.200"))
    const vip = ip("10.96.0.10")
    node.addInterface("kube-ipvs0")
    node.addAddress("kube-ipvs0", vip)
    node.ipvs = new IpvsTable()
    node.ipvs.addDest(node.ipvs.addService({ protocol: "TCP", address: vip, port: 80, scheduler: "rr", persistence: null, netmask: 0xffffffff }), web.primaryAddress, 8080, 1)
    web.tcpListen(8080, () => ({ onData: (c) => c.send("ok", 10) }))
    const seen: string[] = []
    const replies: string[] = []
    net.observer = {
      onIpvs: (h, p, conn, reply) =>
        reply
          ? replies.push(`${h.name} ${formatIpv4(p.src)}:${p.sport} from ${formatIpv4(conn.dest.address)}:${conn.dest.port} ${IPVS_TCP_STATES[conn.state]}`)
          : seen.push(`${h.name} ${formatIpv4(p.dst)}:${p.dport} -> ${formatIpv4(conn.dest.address)}:${conn.dest.port} ${IPVS_TCP_STATES[conn.state]}`),
    }
    client.tcpConnect(vip, 80, { onConnected: (k) => k.send("hi", 10), onData: (k) => k.close() })
    sim.run({ until: NANOS_PER_SECOND })
    // SYN, ACK, the request, then the client's FIN and its last ACK: each found by ip_vs_in and sent on.
    expect(seen[0]).toBe("node-0 10.96.0.10:80 -> 10.244.0.10:8080 SYN_RECV")
    expect(seen[1]).toBe("node-0 10.96.0.10:80 -> 10.244.0.10:8080 ESTABLISHED")
    expect(seen.length).toBeGreaterThanOrEqual(4)
    expect(seen.every((s) => s.startsWith("node-0 10.96.0.10:80 -> 10.244.0.10:8080 "))).toBe(true)
    // The server's SYN-ACK leaves IPVS with the virtual address as its source (ip_vs_proto_tcp.c OUTPUT row: SYN_RECV
    // stays SYN_RECV), then the response and the server's FIN.
    expect(replies[0]).toBe("node-0 10.96.0.10:80 from 10.244.0.10:8080 SYN_RECV")
    expect(replies.length).toBeGreaterThanOrEqual(3)
    expect(replies.every((s) => s.startsWith("node-0 10.96.0.10:80 from 10.244.0.10:8080 "))).toBe(true)
  })
})
