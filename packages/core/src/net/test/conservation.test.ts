import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { NANOS_PER_SECOND } from "../../sim/index"
import { DROP_REASONS, type Host, type Packet } from "../index"
import { ip, makeCluster } from "./cluster"

const S = NANOS_PER_SECOND

/** One random action of the traffic: who sends what to where, and when. */
const action = fc.record({
  at: fc.integer({ min: 0, max: 20 * S }),
  from: fc.nat(),
  kind: fc.constantFrom("tcp-service", "tcp-pod", "tcp-closed", "tcp-nowhere", "udp-pod", "udp-closed", "kill-pod", "ping-pod", "ping-service", "ping-nowhere", "ping-node"),
  target: fc.nat(),
  msgs: fc.integer({ min: 0, max: 3 }),
})

const filterRule = fc.constantFrom(
  "",
  "-A FORWARD -d 10.244.1.11/32 -p tcp -m tcp --dport 8080 -j DROP",
  "-A FORWARD -d 10.244.0.10/32 -p tcp -m tcp --dport 8080 -j REJECT",
  "-A FORWARD -p udp -m udp --dport 53 -j REJECT --reject-with icmp-host-prohibited",
  "-A FORWARD -s 192.168.0.100/32 -j DROP",
  "-A FORWARD -p icmp -j REJECT --reject-with icmp-admin-prohibited",
  "-A INPUT -p icmp -j DROP",
)

describe("packet conservation", () => {
  it("property: every packet sent ends exactly once (delivered or dropped by reason) or is in flight", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        filterRule,
        fc.array(action, { maxLength: 25 }),
        (seed, nodes, backends, loss, rule, actions) => {
          const c = makeCluster({
            seed,
            nodes,
            backends,
            lanLink: { latency: 200_000, jitter: 100_000, loss },
            extraFilter: rule === "" ? [] : [rule],
          })
          const hosts: Host[] = [...c.net.hosts.values()]
          const live = new Map<number, Packet>()
          const problems: string[] = []
          c.net.observer = {
            onSend: (_h, p) => {
              if (live.has(p.id)) problems.push(`packet ${p.id} sent twice`)
              live.set(p.id, p)
            },
            onDeliver: (h, p) => {
              if (!live.delete(p.id)) problems.push(`packet ${p.id} delivered at ${h.name} but not in flight`)
            },
            onDrop: (h, p, reason) => {
              if (!live.delete(p.id)) problems.push(`packet ${p.id} dropped (${reason}) at ${h.name} but not in flight`)
            },
          }
          for (const b of c.backends) {
            b.tcpListen(8080, () => ({ onData: (k, m) => k.send(m, 300) }))
            b.udpBind(53, { onMessage: (s, m, n, from, port) => s.sendTo(from, port, m, n) })
          }
          const senders = [c.client, c.external, ...c.backends]
          const sim = c.sim
          const kind = sim.defineKind<(typeof actions)[number]>("test/action", (a) => {
            const from = senders[a.from % senders.length] as Host
            if (!from.up) return
            const pod = c.backends[a.target % c.backends.length] as Host
            switch (a.kind) {
              case "kill-pod": {
                const name = pod.name
                if (c.fabric.pods.has(name)) c.fabric.removePod(name)
                return
              }
              case "udp-pod":
              case "udp-closed": {
                const s = from.udpBind(0, {})
                s.connect(ip(`10.244.${a.target % nodes}.${10 + (a.target % backends)}`), a.kind === "udp-pod" ? 53 : 54)
                for (let i = 0; i <= a.msgs; i++) s.send(i, 40)
                return
              }
              case "ping-pod":
              case "ping-service":
              case "ping-nowhere":
              case "ping-node": {
                const dst =
                  a.kind === "ping-service" ? c.serviceIp
                  : a.kind === "ping-nowhere" ? ip(`10.244.${a.target % nodes}.250`)
                  : a.kind === "ping-node" ? (c.nodes[a.target % nodes] as Host).primaryAddress
                  : ip(`10.244.${a.target % nodes}.${10 + (a.target % backends)}`)
                const s = from.icmpEchoOpen({})
                for (let i = 0; i <= a.msgs; i++) s.send(dst, i)
                return
              }
              default: {
                const dst =
                  a.kind === "tcp-service" ? c.serviceIp
                  : a.kind === "tcp-nowhere" ? ip(`10.244.${a.target % nodes}.250`)
                  : ip(`10.244.${a.target % nodes}.${10 + (a.target % backends)}`)
                const port = a.kind === "tcp-service" ? 80 : a.kind === "tcp-closed" ? 9 : 8080
                let left = a.msgs
                from.tcpConnect(dst, port, {
                  onConnected: (k) => (left > 0 ? k.send(left, 100) : k.close()),
                  onData: (k) => (--left > 0 ? k.send(left, 100) : k.close()),
                }, a.target % 2 === 0 ? { connectTimeout: 3 * S } : {})
              }
            }
          })
          for (const a of actions) sim.at(a.at, kind, a)
          // Sample mid-run: the counters' in-flight equals the packets really travelling.
          for (const t of [1, 5, 12, 30]) {
            sim.run({ until: t * S })
            expect(c.net.counters.inFlight).toBe(live.size)
          }
          sim.run()
          expect(problems).toEqual([])
          expect(live.size).toBe(0)
          const g = c.net.counters
          expect(g.inFlight).toBe(0)
          expect(g.sent).toBe(g.delivered + g.droppedTotal)
          // Per-host counters add up to the network's.
          let sent = 0, delivered = 0
          const dropped = new Array<number>(DROP_REASONS.length).fill(0)
          for (const h of hosts) {
            sent += h.counters.sent
            delivered += h.counters.delivered
            h.counters.dropped.forEach((n, i) => (dropped[i] = (dropped[i] as number) + n))
          }
          expect(sent).toBe(g.sent)
          expect(delivered).toBe(g.delivered)
          expect(dropped).toEqual([...g.dropped])
        },
      ),
      { numRuns: runs(40) },
    )
  })

  it("a run is a pure function of its seed (same trace hash and counters)", () => {
    const once = (): string => {
      const c = makeCluster({ seed: 42, lanLink: { latency: 100_000, jitter: 80_000, loss: 0.1 } })
      for (const b of c.backends) b.tcpListen(8080, () => ({ onData: (k, m) => k.send(m, 100) }))
      for (let i = 0; i < 30; i++) c.client.tcpConnect(c.serviceIp, 80, { onConnected: (k) => k.send(i, 10), onData: (k) => k.close() })
      c.sim.run()
      return `${c.sim.traceHash} ${JSON.stringify(c.net.counters.snapshot())}`
    }
    expect(once()).toBe(once())
  })
})
