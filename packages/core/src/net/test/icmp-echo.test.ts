import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { NANOS_PER_SECOND } from "../../sim/index"
import { CT_ESTABLISHED, CT_INVALID, CT_NEW } from "../conntrack/ct-state"
import { conntrackIn } from "../conntrack/tracker"
import { ConntrackTable } from "../conntrack/table"
import { DEFAULT_CONNTRACK_TIMEOUTS } from "../conntrack/timeouts"
import { applyRestore, formatIpv4, ICMP_ECHO, ICMP_ECHO_KEY, ICMP_ECHOREPLY, IPS_SEEN_REPLY, Packet, PROTO_ICMP, type Host } from "../index"
import { ip, makeCluster } from "./cluster"

const S = NANOS_PER_SECOND

const echo = (type: number, src: string, dst: string, id: number, at = 0): Packet => {
  const p = new Packet(0, at)
  p.proto = PROTO_ICMP
  p.icmpType = type
  p.src = ip(src)
  p.dst = ip(dst)
  p.sport = type === ICMP_ECHO ? id : ICMP_ECHO_KEY
  p.dport = type === ICMP_ECHO ? ICMP_ECHO_KEY : id
  return p
}

/** Pings `dst` from `from` once per second, `n` times; returns the replies as "seq ttl from". */
const ping = (c: ReturnType<typeof makeCluster>, from: Host, dst: string, n: number): string[] => {
  const got: string[] = []
  const s = from.icmpEchoOpen({ onReply: (_s, seq, src, ttl) => got.push(`${seq} ttl=${ttl} ${formatIpv4(src)}`) })
  const kind = c.sim.defineKind<number>(`test/ping-${s.id}`, (seq) => s.send(ip(dst), seq))
  for (let i = 0; i < n; i++) c.sim.after(i * S, kind, i)
  c.sim.run({ until: c.sim.now + (n + 2) * S })
  return got
}

describe("ICMP echo conntrack (nf_conntrack_proto_icmp.c)", () => {
  const t = DEFAULT_CONNTRACK_TIMEOUTS

  it("the tuple carries the echo id: the reply with that id is ESTABLISHED, another id or an unasked reply INVALID", () => {
    const table = new ConntrackTable()
    const req = echo(ICMP_ECHO, "10.0.0.1", "10.0.0.2", 77)
    conntrackIn(table, t, req, 0)
    expect(req.ctState).toBe(CT_NEW)
    table.confirm(req.ct as never, 0)
    const [e] = table.list(0)
    expect(e!.origSport).toBe(77)
    expect(e!.expires).toBe(30 * S)
    const reply = echo(ICMP_ECHOREPLY, "10.0.0.2", "10.0.0.1", 77, S)
    conntrackIn(table, t, reply, S)
    expect(reply.ct).toBe(e)
    expect(reply.ctDir).toBe(1)
    expect(reply.ctState & CT_ESTABLISHED).toBe(CT_ESTABLISHED)
    expect(e!.status & IPS_SEEN_REPLY).toBe(IPS_SEEN_REPLY)
    const other = echo(ICMP_ECHOREPLY, "10.0.0.2", "10.0.0.1", 78, S)
    conntrackIn(table, t, other, S)
    expect(other.ct).toBeNull()
    expect(other.ctState).toBe(CT_INVALID)
    // A request the other way with the same id is a new connection (type 8 ≠ the reply tuple's type 0).
    const back = echo(ICMP_ECHO, "10.0.0.2", "10.0.0.1", 77, S)
    conntrackIn(table, t, back, S)
    expect(back.ct).not.toBe(e)
    expect(back.ctState).toBe(CT_NEW)
  })

  it("every packet refreshes the 30 s timeout; the reply does not end the entry; it expires 30 s after the last", () => {
    const table = new ConntrackTable()
    const req = echo(ICMP_ECHO, "10.0.0.1", "10.0.0.2", 5)
    conntrackIn(table, t, req, 0)
    table.confirm(req.ct as never, 0)
    conntrackIn(table, t, echo(ICMP_ECHOREPLY, "10.0.0.2", "10.0.0.1", 5), 10 * S)
    expect(table.list(10 * S)[0]!.expires).toBe(40 * S)
    expect(table.list(39 * S)).toHaveLength(1)
    // A second echo of the same id at 39 s is the same connection (ESTABLISHED: a reply was seen).
    const again = echo(ICMP_ECHO, "10.0.0.1", "10.0.0.2", 5)
    conntrackIn(table, t, again, 39 * S)
    expect(again.ctState & CT_ESTABLISHED).toBe(CT_ESTABLISHED)
    expect(table.list(68 * S)).toHaveLength(1)
    expect(table.list(69 * S + 1)).toHaveLength(0)
  })
})

describe("ICMP echo on the data plane", () => {
  it("a pod pings a pod on another node (ttl 62: two forwarding nodes) and on its own node (63), and a node (64)", () => {
    const c = makeCluster({ backends: 2 })
    expect(ping(c, c.client, "10.244.1.11", 3)).toEqual(["0 ttl=62 10.244.1.11", "1 ttl=62 10.244.1.11", "2 ttl=62 10.244.1.11"])
    expect(ping(c, c.client, "10.244.0.10", 1)).toEqual(["0 ttl=63 10.244.0.10"])
    expect(ping(c, c.client, "192.168.0.11", 1)).toEqual(["0 ttl=63 192.168.0.11"])
    // The node tracked the echo: id as the port, the 30 s ICMP timeout.
    const e = c.nodes[0]!.conntrack!.list(c.sim.now).find((x) => x.proto === PROTO_ICMP && x.origDst === ip("10.244.1.11"))
    expect(e).toBeDefined()
    expect(e!.origDport).toBe(ICMP_ECHO_KEY)
    expect(e!.expires).toBeLessThanOrEqual(c.sim.now + 30 * S)
  })

  it("a ClusterIP does not answer: kube-proxy's rules DNAT only -p tcp, so the echo follows the default route and is lost", () => {
    const c = makeCluster({ backends: 2 })
    const drops: string[] = []
    c.net.observer = { onDrop: (h, p, why) => p.proto === PROTO_ICMP && p.icmpType === ICMP_ECHO && drops.push(`${h.name} ${why}`) }
    expect(ping(c, c.client, "10.96.0.10", 2)).toEqual([])
    expect(drops).toEqual(["node-0 no-neighbor", "node-0 no-neighbor"])
  })

  it("net.ipv4.icmp_echo_ignore_all=1 silences a host; a DROP of -p icmp in FORWARD stops the echo", () => {
    const c = makeCluster({ backends: 2 })
    c.backends[1]!.icmpEcho.ignoreAll = true
    expect(ping(c, c.client, "10.244.1.11", 1)).toEqual([])
    const d = makeCluster({ backends: 2, extraFilter: ["-A FORWARD -p icmp -j DROP"] })
    expect(ping(d, d.client, "10.244.1.11", 1)).toEqual([])
    expect(ping(d, d.client, "10.244.0.200", 1)).toEqual(["0 ttl=64 10.244.0.200"])
  })

  it("a REJECT of an echo sends an ICMP error about it (RELATED), which reaches the ping socket", () => {
    const c = makeCluster({ backends: 2, extraFilter: ["-A FORWARD -p icmp -j REJECT --reject-with icmp-admin-prohibited"] })
    const errors: string[] = []
    const s = c.client.icmpEchoOpen({ onError: (_s, type, code, from) => errors.push(`${type}/${code} from ${formatIpv4(from)}`) })
    s.send(ip("10.244.1.11"), 0)
    c.sim.run({ until: 1 * S })
    // From the rejecting node (its address towards the sender), as __icmp_send picks the source.
    expect(errors).toEqual(["3/13 from 192.168.0.10"])
  })

  it("MASQUERADE of echoes: two pods' id 1 leave as one address, the second with another id; both get their replies", () => {
    const c = makeCluster({ backends: 1 })
    applyRestore(c.fabric.ruleset("node-0"), "*nat\n-A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE\nCOMMIT\n", { noflush: true })
    const seenAtExternal: string[] = []
    c.net.observer = { onDeliver: (h, p) => h === c.external && p.icmpType === ICMP_ECHO && seenAtExternal.push(`${formatIpv4(p.src)} id=${p.sport}`) }
    const got: string[] = []
    const a = c.client.icmpEchoOpen({ onReply: (_s, seq, from) => got.push(`client ${seq} ${formatIpv4(from)}`) })
    const b = c.backends[0]!.icmpEchoOpen({ onReply: (_s, seq, from) => got.push(`web-0 ${seq} ${formatIpv4(from)}`) })
    expect([a.id, b.id]).toEqual([1, 1])
    a.send(ip("192.168.0.100"), 0)
    b.send(ip("192.168.0.100"), 0)
    c.sim.run({ until: 1 * S })
    expect(got.sort()).toEqual(["client 0 192.168.0.100", "web-0 0 192.168.0.100"])
    expect(seenAtExternal[0]).toBe("192.168.0.10 id=1")
    expect(seenAtExternal[1]).toMatch(/^192\.168\.0\.10 id=\d+$/)
    expect(seenAtExternal[1]).not.toBe("192.168.0.10 id=1")
  })

  it("property: an echo to any address of any live host is answered (lossless links), by that address", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.nat(), fc.nat(), (seed, nodes, backends, a, b) => {
        const c = makeCluster({ seed, nodes, backends, lanLink: { latency: 200_000, jitter: 100_000, loss: 0 } })
        const hosts = [c.client, c.external, ...c.backends, ...c.nodes]
        const from = hosts[a % hosts.length] as Host
        const to = hosts[b % hosts.length] as Host
        const addrs = [...to.interfaces.values()].flatMap((i) => (i.name === "lo" ? [] : i.addresses))
        const dst = addrs[b % addrs.length] as number
        // The fixture's external host routes only the LAN and the Service range (no pod routes, no egress
        // MASQUERADE), so it and the pods cannot reach each other in either direction.
        const isPod = (h: Host): boolean => h.primaryAddress >>> 24 === 10
        if ((from === c.external && (dst >>> 24) === 10) || (to === c.external && isPod(from))) return
        const got = ping(c, from, formatIpv4(dst), 2)
        expect(got.map((g) => g.split(" ")[0])).toEqual(["0", "1"])
        expect(new Set(got.map((g) => g.split(" ")[2]))).toEqual(new Set([formatIpv4(dst)]))
      }),
      { numRuns: runs(60) },
    )
  })
})
