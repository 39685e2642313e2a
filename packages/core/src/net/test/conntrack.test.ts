import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { NANOS_PER_SECOND } from "../../sim/index"
import { formatIpv4, PROTO_TCP, TCP_CT_NAMES, type Host } from "../index"
import { ip, makeCluster } from "./cluster"

const S = NANOS_PER_SECOND

describe("conntrack", () => {
  it("the first packet is DNATed; the entry keeps both tuples; replies are un-DNATed", () => {
    const c = makeCluster({ backends: 1 })
    c.backends[0]!.tcpListen(8080, () => ({ onData: (k) => k.send("pong", 10) }))
    const seen: string[] = []
    c.net.observer = {
      onDeliver: (h, p) => {
        if (h === c.client) seen.push(`${formatIpv4(p.src)}:${p.sport}`)
      },
    }
    c.client.tcpConnect(c.serviceIp, 80, { onConnected: (k) => k.send("ping", 10) })
    c.sim.run({ until: 10 * S })
    expect(new Set(seen)).toEqual(new Set(["10.96.0.10:80"]))
    const [e] = c.nodes[0]!.conntrack!.list(c.sim.now)
    expect(e).toBeDefined()
    expect(formatIpv4(e!.origSrc)).toBe("10.244.0.200")
    expect(formatIpv4(e!.origDst)).toBe("10.96.0.10")
    expect(e!.origDport).toBe(80)
    expect(formatIpv4(e!.replySrc)).toBe("10.244.0.10")
    expect(e!.replySport).toBe(8080)
    expect(formatIpv4(e!.replyDst)).toBe("10.244.0.200")
    expect(TCP_CT_NAMES[e!.tcpState]).toBe("ESTABLISHED")
    // nf_conntrack_proto_tcp.c: ESTABLISHED times out after 5 days.
    expect(e!.expires - c.sim.now).toBeGreaterThan(5 * 24 * 3600 * S - 10 * S)
  })

  it("UDP entries expire 30 s after the last packet when unreplied; the node's entries survive a pod's deletion", () => {
    const c2 = makeCluster({ backends: 1 })
    const s2 = c2.client.udpBind(0, {})
    s2.sendTo(ip("10.244.0.10"), 53, "q", 30)
    c2.sim.run({ until: 1 * S })
    const ct2 = c2.nodes[0]!.conntrack!
    expect(ct2.list(c2.sim.now)).toHaveLength(1)
    c2.fabric.removePod("web-0")
    expect(ct2.list(c2.sim.now)).toHaveLength(1)
    c2.sim.run({ until: 30 * S })
    expect(ct2.list(c2.sim.now)).toHaveLength(1)
    c2.sim.run({ until: 31 * S })
    expect(ct2.list(c2.sim.now)).toHaveLength(0)
  })

  it("after a FIN exchange the entry is in TIME_WAIT for 120 s", () => {
    const c = makeCluster({ backends: 1 })
    c.backends[0]!.tcpListen(8080, () => ({}))
    c.client.tcpConnect(c.serviceIp, 80, { onConnected: (k) => k.close() })
    c.sim.run({ until: 1 * S })
    const [e] = c.nodes[0]!.conntrack!.list(c.sim.now)
    expect(TCP_CT_NAMES[e!.tcpState]).toBe("TIME_WAIT")
    c.sim.run({ until: 120 * S })
    expect(c.nodes[0]!.conntrack!.list(c.sim.now)).toHaveLength(1)
    c.sim.run({ until: 121 * S })
    expect(c.nodes[0]!.conntrack!.list(c.sim.now)).toHaveLength(0)
  })

  it("MASQUERADE keeps the source port unless the tuple clashes, then picks another (nf_nat_core.c)", () => {
    const c = makeCluster({ backends: 1 })
    const backend = c.backends[0]!
    const peers: string[] = []
    backend.tcpListen(8080, (k) => {
      peers.push(`${formatIpv4(k.remoteIp)}:${k.remotePort}`)
      return {}
    })
    // node-0 itself talks to the backend from port 40000 …
    c.nodes[0]!.tcpConnect(backend.primaryAddress, 8080, {}, { srcPort: 40000 })
    c.sim.run({ until: 1 * S })
    // … then the external host, also from port 40000, through the service: masqueraded to node-0's address.
    let ok = false
    c.external.tcpConnect(c.serviceIp, 80, { onConnected: () => (ok = true) }, { srcPort: 40000 })
    c.sim.run({ until: 2 * S })
    expect(ok).toBe(true)
    expect(peers).toHaveLength(2)
    expect(peers[0]).toBe("192.168.0.10:40000")
    expect(peers[1]).toMatch(/^192\.168\.0\.10:\d+$/)
    expect(peers[1]).not.toBe("192.168.0.10:40000")
    // Without a clash the port is kept.
    let ok2 = false
    c.external.tcpConnect(c.serviceIp, 80, { onConnected: () => (ok2 = true) }, { srcPort: 40001 })
    c.sim.run({ until: 3 * S })
    expect(ok2).toBe(true)
    expect(peers[2]).toBe("192.168.0.10:40001")
  })

  it("property: replies carry the service address; every packet of a connection reaches one backend", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 0.25, noNaN: true }),
        (seed, backends, conns, msgs, loss) => {
          const c = makeCluster({ seed, backends, nodes: 2, lanLink: { latency: 100_000, jitter: 50_000, loss } })
          const byConn = new Map<string, Set<string>>()
          for (const b of c.backends) {
            b.tcpListen(8080, () => ({
              onData: (k, m) => {
                const key = (m as { key: string }).key
                let set = byConn.get(key)
                if (set === undefined) byConn.set(key, (set = new Set()))
                set.add(b.name)
                k.send({ key }, 200)
              },
            }))
          }
          const clients: Host[] = [c.client, c.external]
          const packetsTo = new Map<number, Set<string>>()
          const wrong: string[] = []
          c.net.observer = {
            onDeliver: (h, p) => {
              if (clients.includes(h) && p.proto === PROTO_TCP && (p.src !== c.serviceIp || p.sport !== 80)) {
                wrong.push(`${h.name} got ${formatIpv4(p.src)}:${p.sport}`)
              }
              if (c.backends.includes(h) && p.proto === PROTO_TCP) {
                // Per client connection (masqueraded address·port as the backend sees it).
                const k = p.src * 65536 + p.sport
                let set = packetsTo.get(k)
                if (set === undefined) packetsTo.set(k, (set = new Set()))
                set.add(h.name)
              }
            },
          }
          let done = 0
          for (const cl of clients) {
            for (let i = 0; i < conns; i++) {
              const key = `${cl.name}/${i}`
              let sent = 0
              cl.tcpConnect(c.serviceIp, 80, {
                onConnected: (k) => {
                  k.send({ key }, 100)
                  sent++
                },
                onData: (k) => {
                  if (sent < msgs) {
                    k.send({ key }, 100)
                    sent++
                  } else {
                    done++
                    k.close()
                  }
                },
              })
            }
          }
          c.sim.run({ until: 3000 * S })
          expect(wrong).toEqual([])
          for (const [, set] of byConn) expect(set.size).toBe(1)
          for (const [, set] of packetsTo) expect(set.size).toBe(1)
          if (loss === 0) expect(done).toBe(2 * conns)
        },
      ),
      { numRuns: runs(40) },
    )
  })
})
