import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../../sim/index"
import {
  applyRestore, CT_DNAT, CT_ESTABLISHED, CT_NEW, CT_SNAT, formatIpv4, IptablesHooks, parseCidr, PROTO_TCP, TCP_SYN,
  type Packet,
} from "../index"
import { ip, makeCluster } from "./cluster"

const S = NANOS_PER_SECOND

/** The state bits the conntrack match would test, without INVALID/RELATED/UNTRACKED noise. */
const STATE_BITS = CT_NEW | CT_ESTABLISHED | CT_SNAT | CT_DNAT
const name = (bits: number): string =>
  [[CT_NEW, "NEW"], [CT_ESTABLISHED, "ESTABLISHED"], [CT_SNAT, "SNAT"], [CT_DNAT, "DNAT"]]
    .filter(([b]) => (bits & (b as number)) !== 0)
    .map(([, n]) => n)
    .join(",")

describe("conntrack --ctstate SNAT/DNAT at each hook (xt_conntrack.c conntrack_mt reads ct->status)", () => {
  it("the first packet sees DNAT in FORWARD and POSTROUTING; SNAT from the next packet on", () => {
    // External 192.168.0.100 → service 10.96.0.10:80 via node-0: DNAT in PREROUTING to web-0, and
    // KUBE-MARK-MASQ (source outside the cluster CIDR) → MASQUERADE in POSTROUTING.
    const c = makeCluster({ backends: 1, nodes: 1 })
    c.backends[0]!.tcpListen(8080, () => ({ onData: (k) => k.send("pong", 10) }))
    const node = c.nodes[0]!
    const seen: string[] = []
    const fromClient = (p: Packet): boolean => p.proto === PROTO_TCP && p.sport === 40000
    c.net.observer = {
      onHook: (h, p, table, hook) => {
        if (h !== node || !fromClient(p)) return
        if ((table === "filter" && hook === "FORWARD") || (table === "nat" && hook === "POSTROUTING")) {
          seen.push(`${(p.flags & TCP_SYN) !== 0 ? "SYN" : "later"} ${hook} ${name(p.ctState & STATE_BITS)}`)
        }
      },
      onTransmit: (h, p) => {
        // What a POSTROUTING match sees: the state after every nat hook of this host ran.
        if (h === node && fromClient(p)) seen.push(`${(p.flags & TCP_SYN) !== 0 ? "SYN" : "later"} out ${name(p.ctState & STATE_BITS)}`)
      },
    }
    let replies = 0
    c.external.tcpConnect(c.serviceIp, 80, { onConnected: (k) => k.send("ping", 10), onData: (k) => { replies++; k.close() } }, { srcPort: 40000 })
    c.sim.run({ until: 5 * S })
    expect(replies).toBe(1)
    // The nat table is traversed by the first packet only; POSTROUTING's SNAT binding is made after its rules ran.
    expect(seen.slice(0, 3)).toEqual(["SYN FORWARD NEW,DNAT", "SYN POSTROUTING NEW,DNAT", "SYN out NEW,SNAT,DNAT"])
    const later = seen.slice(3)
    expect(later.length).toBeGreaterThanOrEqual(4)
    for (const s of later) expect(s).toMatch(/^later (FORWARD|out) ESTABLISHED,SNAT,DNAT$/)
  })

  it("a locally generated packet DNATed in OUTPUT matches --ctstate DNAT in filter OUTPUT", () => {
    const c = makeCluster({ backends: 1, nodes: 1 })
    c.backends[0]!.tcpListen(8080, () => ({}))
    const node = c.nodes[0]!
    applyRestore((node.netfilter as IptablesHooks).ruleset, "*filter\n-A OUTPUT -m conntrack --ctstate DNAT -j ACCEPT\n-A OUTPUT -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n", { noflush: true })
    let ok = false
    node.tcpConnect(c.serviceIp, 80, { onConnected: (k) => { ok = true; k.close() } })
    c.sim.run({ until: 2 * S })
    expect(ok).toBe(true)
    const [dnat, isNew] = (node.netfilter as IptablesHooks).ruleset.tables.get("filter")!.chains.get("OUTPUT")!.rules
    // The SYN and every later packet of the DNATed connection hit the first rule; none falls to the second.
    expect(dnat!.counters.packets).toBeGreaterThanOrEqual(3)
    expect(isNew!.counters.packets).toBe(0)
  })

  it("`-A POSTROUTING -m conntrack --ctstate DNAT -j MASQUERADE` masquerades from the first packet on", () => {
    const c = makeCluster({ backends: 1, nodes: 1 })
    const peers: string[] = []
    c.backends[0]!.tcpListen(8080, (k) => {
      peers.push(formatIpv4(k.remoteIp))
      return { onData: (k2) => k2.send("pong", 10) }
    })
    // A router on the LAN that DNATs its own address to the backend, masquerading only DNATed connections.
    const lb = c.fabric.addLanHost("lb", {
      ip: ip("192.168.0.50"),
      forwarding: true,
      iptables: true,
      routes: [{ dst: parseCidr("10.244.0.0/16"), via: ip("192.168.0.10") }],
    })
    applyRestore((lb.netfilter as IptablesHooks).ruleset, [
      "*nat",
      "-A PREROUTING -d 192.168.0.50/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.0.10:8080",
      "-A POSTROUTING -m conntrack --ctstate DNAT -j MASQUERADE",
      "COMMIT",
      "",
    ].join("\n"), { noflush: true })
    let replies = 0
    c.external.tcpConnect(ip("192.168.0.50"), 80, { onConnected: (k) => k.send("ping", 10), onData: () => replies++ })
    c.sim.run({ until: 5 * S })
    expect(peers).toEqual(["192.168.0.50"])
    expect(replies).toBe(1)
  })
})
