import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../../sim/index"
import { TCP_SYN, type Packet } from "../index"
import { ip, makeCluster } from "./cluster"

const S = NANOS_PER_SECOND

describe("TCP over the fabric", () => {
  it("handshake, request/response and orderly close through a ClusterIP; 11 packets, none lost", () => {
    const c = makeCluster()
    const serverClosed: string[] = []
    for (const b of c.backends) {
      b.tcpListen(8080, () => ({
        onData: (conn, msg) => conn.send(`echo ${String(msg)} from ${b.name}`, 100),
        onClosed: (_k, r) => serverClosed.push(r),
      }))
    }
    const got: string[] = []
    const conn = c.client.tcpConnect(c.serviceIp, 80, {
      onConnected: (k) => k.send("hello", 50),
      onData: (k, msg) => {
        got.push(String(msg))
        k.close()
      },
    })
    c.sim.run()
    expect(got).toHaveLength(1)
    expect(got[0]).toMatch(/^echo hello from web-\d$/)
    expect(serverClosed).toEqual(["fin"])
    expect(conn.state).toBe("TIME_WAIT")
    const s = c.net.counters.snapshot()
    expect(s).toEqual({ sent: 11, delivered: 11, forwarded: 0, inFlight: 0, dropped: {} })
  })

  it("a closed port answers RST: refused", () => {
    const c = makeCluster()
    let reason = ""
    c.client.tcpConnect(c.backends[1]!.primaryAddress, 9999, { onClosed: (_k, r) => (reason = r) })
    c.sim.run()
    expect(reason).toBe("refused")
    expect(c.net.counters.droppedBy("no-socket")).toBe(1)
  })

  it("SYNs that vanish are retransmitted at 1, 3, 7, 15, 31, 63 s and connect times out at 127 s", () => {
    const c = makeCluster()
    // A pod address in node-1's CIDR with no pod: node-1 has no /32 route, so its default route sends it to
    // a LAN neighbour that does not exist.
    const synTimes: number[] = []
    c.net.observer = {
      onSend: (h, p: Packet) => {
        if (h === c.client && (p.flags & TCP_SYN) !== 0) synTimes.push(c.sim.now / S)
      },
    }
    let reason = ""
    let at = 0
    c.client.tcpConnect(ip("10.244.1.99"), 80, {
      onClosed: (_k, r) => {
        reason = r
        at = c.sim.now / S
      },
    })
    c.sim.run()
    expect(synTimes).toEqual([0, 1, 3, 7, 15, 31, 63])
    expect(reason).toBe("timeout")
    expect(at).toBe(127)
    expect(c.net.counters.droppedBy("no-neighbor")).toBe(7)
  })

  it("the application's connect timeout ends the attempt earlier", () => {
    const c = makeCluster()
    let reason = ""
    let at = 0
    c.client.tcpConnect(ip("10.244.1.99"), 80, { onClosed: (_k, r) => ((reason = r), (at = c.sim.now)) }, { connectTimeout: 2 * S })
    c.sim.run()
    expect(reason).toBe("timeout")
    expect(at).toBe(2 * S)
  })

  it("a REJECT rule gives the client an ICMP port unreachable: rejected, not a timeout", () => {
    const c = makeCluster({
      extraFilter: ["-A FORWARD -d 10.244.1.11/32 -p tcp -m tcp --dport 8080 -j REJECT"],
    })
    c.backends[1]!.tcpListen(8080, () => ({}))
    let reason = ""
    let at = -1
    c.client.tcpConnect(c.backends[1]!.primaryAddress, 8080, { onClosed: (_k, r) => ((reason = r), (at = c.sim.now)) })
    c.sim.run()
    expect(reason).toBe("rejected")
    expect(at).toBeLessThan(S / 1000)
    expect(c.net.counters.droppedBy("rejected")).toBe(1)
  })

  it("REJECT --reject-with tcp-reset looks like a closed port: refused", () => {
    const c = makeCluster({
      extraFilter: ["-A FORWARD -d 10.244.1.11/32 -p tcp -m tcp --dport 8080 -j REJECT --reject-with tcp-reset"],
    })
    c.backends[1]!.tcpListen(8080, () => ({}))
    let reason = ""
    c.client.tcpConnect(c.backends[1]!.primaryAddress, 8080, { onClosed: (_k, r) => (reason = r) })
    c.sim.run()
    expect(reason).toBe("refused")
  })

  it("no route on a router: ICMP net unreachable aborts the connect (unreachable)", () => {
    const c = makeCluster()
    // node-0 forwards 172.16.0.1 nowhere once its default route is gone.
    c.nodes[0]!.routes.delete(0, 0)
    let reason = ""
    c.client.tcpConnect(ip("172.16.0.1"), 80, { onClosed: (_k, r) => (reason = r) })
    c.sim.run()
    expect(reason).toBe("unreachable")
    expect(c.net.counters.droppedBy("no-route")).toBe(1)
  })

  it("no route on the sender itself fails connect at once (ENETUNREACH)", () => {
    const c = makeCluster()
    c.client.routes.delete(0, 0)
    let reason = ""
    c.client.tcpConnect(ip("172.16.0.1"), 80, { onClosed: (_k, r) => (reason = r) })
    c.sim.run()
    expect(reason).toBe("unreachable")
    expect(c.sim.now).toBe(0)
  })

  it("a lost data segment is retransmitted and delivered once, in order", () => {
    const c = makeCluster({ lanLink: { latency: 100_000, loss: 0.3 }, seed: 7 })
    const server = c.backends[1]!
    const got: number[] = []
    server.tcpListen(8080, () => ({ onData: (_k, m) => got.push(m as number) }))
    c.client.tcpConnect(server.primaryAddress, 8080, {
      onConnected: (k) => {
        for (let i = 0; i < 20; i++) k.send(i, 100)
      },
    })
    c.sim.run({ until: 600 * S })
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(c.net.counters.droppedBy("link-loss")).toBeGreaterThan(0)
  })

  it("a reset from the server reaches the client as reset", () => {
    const c = makeCluster()
    c.backends[0]!.tcpListen(8080, () => ({ onData: (k) => k.abort() }))
    let reason = ""
    c.client.tcpConnect(c.backends[0]!.primaryAddress, 8080, {
      onConnected: (k) => k.send("x", 10),
      onClosed: (_k, r) => (reason = r),
    })
    c.sim.run()
    expect(reason).toBe("reset")
  })
})

describe("UDP", () => {
  it("datagrams reach a bound socket; a closed port answers ICMP port unreachable to a connected socket", () => {
    const c = makeCluster()
    const server = c.backends[0]!
    const got: string[] = []
    server.udpBind(53, { onMessage: (s, m, _b, from, port) => {
      got.push(String(m))
      s.sendTo(from, port, `re:${String(m)}`, 10)
    } })
    const replies: string[] = []
    const errors: string[] = []
    const s1 = c.client.udpBind(0, { onMessage: (_s, m) => replies.push(String(m)) })
    s1.sendTo(server.primaryAddress, 53, "q1", 30)
    const s2 = c.client.udpBind(0, { onError: (_s, r) => errors.push(r) })
    s2.connect(server.primaryAddress, 54)
    s2.send("q2", 30)
    c.sim.run()
    expect(got).toEqual(["q1"])
    expect(replies).toEqual(["re:q1"])
    expect(errors).toEqual(["rejected"])
    expect(c.net.counters.droppedBy("no-socket")).toBe(1)
    expect(c.net.counters.inFlight).toBe(0)
  })
})
