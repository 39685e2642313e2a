import { describe, expect, it } from "vitest"
import { formatIpv4, parseIpv4, TCP_ACK, TCP_SYN } from "../../net/index"
import { millis, seconds, Simulation } from "../../sim/index"
import { KubeProxy, type RestoreOutcome } from "./kube-proxy"
import { service, slice } from "./test-support/fixtures"
import { FakeIpvsKernel } from "./test-support/ipvs-node"

// KubeProxy in IPVS mode: the virtual servers change during the sync, the iptables payload lands when the sync
// ends, the runner's maxInterval is syncPeriod (every IPVS sync is a full one), and removed real servers go
// through graceful termination, retried every rsCheckDeleteInterval (60 s).

const svc = service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p", port: 80, protocol: "TCP" }] })
const eps = (...ips: string[]) => slice("ns1", "svc1", 1, ips.map((ip) => ({ addresses: [ip] })), [{ name: "p", port: 8080 }])

const setup = () => {
  const sim = new Simulation(1)
  const kernel = new FakeIpvsKernel([])
  const applied: string[] = []
  const outcomes: RestoreOutcome[] = []
  const kp = new KubeProxy(
    sim,
    { nodeName: "node-1", nodeIPs: ["192.168.0.2"], clusterCIDR: "10.0.0.0/8", syncPeriod: seconds(30) },
    {
      node: { apply: (payload, jumpRules) => (kernel.restore(payload, jumpRules ?? []), applied.push(`${sim.now / 1e6}ms`)) },
      ipvsNode: kernel,
      onRestore: (o) => outcomes.push(o),
    },
  )
  return { sim, kernel, kp, applied, outcomes }
}

describe("KubeProxy in IPVS mode", () => {
  it("IPVS changes at sync time, the iptables payload when the sync's duration ends; periodic full syncs every syncPeriod", () => {
    const { sim, kernel, kp, applied, outcomes } = setup()
    kp.onServiceAdd(svc)
    kp.onEndpointSliceAdd(eps("10.0.1.1", "10.0.1.2"))
    kp.start()
    kp.onSynced()
    expect(kernel.state()).toEqual(["TCP 172.30.0.41:80 rr -> 10.0.1.1:8080/1 10.0.1.2:8080/1"])
    expect(applied).toEqual([])
    sim.run({ until: millis(100) })
    expect(applied.length).toBeGreaterThanOrEqual(1)
    const o = outcomes[0]!
    // Duration: 5 ms + 2 µs per payload line and per kernel call (ipvsadm, ipset, address bind).
    expect(o.end - o.start).toBeGreaterThan(millis(5))
    expect(o.result.fullSync).toBe(true)
    const before = outcomes.length
    sim.run({ until: seconds(31) })
    expect(outcomes.length).toBeGreaterThan(before)
  })

  it("graceful termination: a removed real server with a live connection keeps weight 0 until the connection expires, then the 60 s pass deletes it", () => {
    const { sim, kernel, kp } = setup()
    kp.onServiceAdd(svc)
    kp.onEndpointSliceAdd(eps("10.0.1.1", "10.0.1.2"))
    kp.start()
    kp.onSynced()
    sim.run({ until: millis(10) })
    // One established connection to each real server.
    const t = kernel.ipvs
    const vip = parseIpv4("172.30.0.41")
    const dests = [0, 1].map((i) => {
      const cp = t.inbound(6, parseIpv4("10.0.9.9"), 40000 + i, vip, 80, TCP_SYN, sim.now)
      if (typeof cp === "string") throw new Error(cp)
      t.inbound(6, parseIpv4("10.0.9.9"), 40000 + i, vip, 80, TCP_ACK, sim.now)
      return formatIpv4(cp.dest.address)
    })
    expect(dests.sort()).toEqual(["10.0.1.1", "10.0.1.2"])
    kp.onEndpointSliceUpdate(eps("10.0.1.1", "10.0.1.2"), eps("10.0.1.1"))
    sim.run({ until: seconds(2) })
    expect(kernel.state()).toEqual(["TCP 172.30.0.41:80 rr -> 10.0.1.1:8080/1 10.0.1.2:8080/0"])
    // Established: 900 s of IPVS's TCP timeout; the real server stays (weight 0, no new connections) meanwhile.
    sim.run({ until: seconds(600) })
    expect(kernel.state()).toEqual(["TCP 172.30.0.41:80 rr -> 10.0.1.1:8080/1 10.0.1.2:8080/0"])
    // After the connection expired, the next 60 s pass (or sync) deletes it.
    sim.run({ until: seconds(1000) })
    expect(kernel.state()).toEqual(["TCP 172.30.0.41:80 rr -> 10.0.1.1:8080/1"])
  })
})
