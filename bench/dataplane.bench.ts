/**
 * Packets per second through one node that forwards pod → ClusterIP traffic for a Service with 3 endpoints
 * (kube-proxy-shaped iptables rules): the SYN of each connection traverses nat (statistic → DNAT), every
 * later packet in either direction is translated from its conntrack entry; filter FORWARD runs for all.
 * Each packet is one `receive` at the node plus one link-hop event to the pod beyond it (the pods are down,
 * so they only count the arrival).
 */
import { Simulation } from "../packages/core/src/sim/index"
import {
  applyRestore, Fabric, Network, parseCidr, parseIpv4, PROTO_TCP, TCP_ACK, TCP_PSH, TCP_SYN, vethName,
  type ConntrackEntry, type Host, type Interface,
} from "../packages/core/src/net/index"
import { serviceRestore } from "../packages/core/src/net/test/cluster"
import type { Benchmark } from "./registry"

const clock = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

interface Setup {
  sim: Simulation
  net: Network
  node: Host
  clientVeth: Interface
  backendVeth: Map<number, Interface>
  client: number
  service: number
}

const setup = (): Setup => {
  const sim = new Simulation(1)
  const net = new Network(sim)
  const fabric = new Fabric(net, { lan: parseCidr("192.168.0.0/24") })
  const node = fabric.addNode("node-0", { ip: parseIpv4("192.168.0.10"), podCidr: parseCidr("10.244.0.0/24") })
  const backendVeth = new Map<number, Interface>()
  const eps: { ip: string; port: number }[] = []
  for (let k = 0; k < 3; k++) {
    const addr = `10.244.0.${10 + k}`
    const pod = fabric.addPod("node-0", `web-${k}`, parseIpv4(addr))
    pod.up = false
    backendVeth.set(parseIpv4(addr), node.iface(vethName(`web-${k}`)))
    eps.push({ ip: addr, port: 8080 })
  }
  const client = fabric.addPod("node-0", "client", parseIpv4("10.244.0.200"))
  client.up = false
  applyRestore(fabric.ruleset("node-0"), serviceRestore("10.96.0.10", 80, eps), { noflush: true })
  return { sim, net, node, clientVeth: node.iface(vethName("client")), backendVeth, client: parseIpv4("10.244.0.200"), service: parseIpv4("10.96.0.10") }
}

/** `conns` connections of `perConn` packets each (SYN, SYN-ACK, ACK, then data alternating directions). */
const drive = (s: Setup, conns: number, perConn: number): { packets: number; seconds: number; nat: number } => {
  const { sim, net, node } = s
  let packets = 0
  let nat = 0
  const t0 = clock()
  for (let c = 0; c < conns; c++) {
    const sport = 10000 + (c % 50000)
    let backend = 0
    for (let i = 0; i < perConn; i++) {
      const reply = i === 1 || (i > 2 && (i & 1) === 0)
      const p = net.newPacket()
      p.proto = PROTO_TCP
      p.length = 100
      if (!reply) {
        p.src = s.client
        p.dst = s.service
        p.sport = sport
        p.dport = 80
        p.flags = i === 0 ? TCP_SYN : i === 2 ? TCP_ACK : TCP_PSH | TCP_ACK
        net.sent(p, node)
        node.receive(p, s.clientVeth)
        if (i === 0) {
          const e = p.ct as ConntrackEntry
          backend = e.replySrc
          nat++
        }
      } else {
        p.src = backend
        p.dst = s.client
        p.sport = 8080
        p.dport = sport
        p.flags = i === 1 ? TCP_SYN | TCP_ACK : TCP_PSH | TCP_ACK
        net.sent(p, node)
        node.receive(p, s.backendVeth.get(backend) as Interface)
      }
      packets++
    }
    if ((c & 63) === 63) sim.run()
  }
  sim.run()
  return { packets, seconds: clock() - t0, nat }
}

const conntrackPath: Benchmark = {
  name: "dataplane-conntrack",
  about: "packets/s through a node: 1 Service × 3 endpoints, 20k connections × 50 packets (DNAT on SYN, conntrack after)",
  warmUp: () => void drive(setup(), 2_000, 50),
  run: () => {
    const s = setup()
    const r = drive(s, 20_000, 50)
    const c = s.net.counters
    return {
      events: r.packets,
      seconds: r.seconds,
      figures: {
        packetsPerSecond: Math.round(r.packets / r.seconds),
        natTraversals: r.nat,
        conntrackEntries: s.node.conntrack?.size ?? 0,
        filtered: c.droppedBy("filtered"),
        arrivedAtPods: c.droppedBy("host-down"),
      },
    }
  },
}

export const benchmarks: Benchmark[] = [conntrackPath]
export default benchmarks
