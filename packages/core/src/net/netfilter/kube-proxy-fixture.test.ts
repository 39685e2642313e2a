import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { makeRng } from "../../sim/index"
import { parseIpv4 } from "../addr/index"
import {
  CT_NEW,
  type EvalContext,
  PROTO_TCP,
  Ruleset,
  applyRestore,
  evaluateHook,
  packetMeta,
  parseRestore,
  parseSave,
  renderPayload,
  renderRestore,
  renderSave,
} from "./index"

// kube-proxy's TestOverallIPTablesRules expected payload (pkg/proxy/iptables/proxier_test.go), verbatim.
const fixture = readFileSync(join(__dirname, "fixtures", "overall-iptables-rules.restore"), "utf8")

const load = (): Ruleset => {
  const rs = new Ruleset()
  applyRestore(rs, fixture, { noflush: true })
  return rs
}

describe("kube-proxy restore payload (TestOverallIPTablesRules)", () => {
  it("parses and renders back byte for byte as a payload", () => {
    expect(renderPayload(parseRestore(fixture))).toBe(fixture)
  })

  it("applies and renders back identically in restore form", () => {
    expect(renderRestore(load())).toBe(fixture)
  })

  it("prints as iptables-save would after the kernel stored it", () => {
    const save = renderSave(load())
    const lines = save.split("\n")
    const expectLine = (l: string) => expect(lines).toContain(l)
    expect(lines[0]).toBe("*filter")
    expectLine(":INPUT ACCEPT [0:0]")
    expectLine(":KUBE-EXTERNAL-SERVICES - [0:0]")
    // -d gets /32 and moves before -p and the comment; --dport stays with -m tcp after the comment.
    expectLine(
      '-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
    )
    expectLine('-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable')
    expectLine('-A KUBE-SEP-SXIVWICOYRO3J4NJ -s 10.180.0.1/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ')
    expectLine('-A KUBE-SEP-SXIVWICOYRO3J4NJ -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.1:80')
    expectLine("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000")
    expectLine("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0")
    expectLine("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN")
    expectLine(
      '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC',
    )
    expectLine(
      '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-I77PXRDZVX7PMWMN --mask 255.255.255.255 --rsource -j KUBE-SEP-I77PXRDZVX7PMWMN',
    )
    expectLine(
      '-A KUBE-SEP-I77PXRDZVX7PMWMN -p tcp -m comment --comment "ns5/svc5:p80" -m recent --set --name KUBE-SEP-I77PXRDZVX7PMWMN --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.180.0.3:80',
    )
    expectLine(
      '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    )
    // The nfacct match is not modelled: kept verbatim.
    expectLine(
      '-A KUBE-NODEPORTS -d 127.0.0.0/8 -p tcp -m comment --comment "ns2/svc2:p80" -m tcp --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    )
    // User chains sorted by name after the built-ins.
    const natChains = lines.slice(lines.indexOf("*nat")).filter((l) => l.startsWith(":")).map((l) => l.split(" ")[0])
    expect(natChains.slice(0, 4)).toEqual([":PREROUTING", ":INPUT", ":OUTPUT", ":POSTROUTING"])
    const user = natChains.slice(4)
    expect(user).toEqual([...user].sort())
  })

  it("round-trips through iptables-save text", () => {
    const save = renderSave(load())
    expect(renderSave(parseSave(save))).toBe(save)
  })

  it("routes a pod's packet to a ClusterIP through DNAT", () => {
    const rs = load()
    applyRestore(
      rs,
      '*nat\n-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\nCOMMIT\n',
      { noflush: true },
    )
    const ctx: EvalContext = {
      now: 0,
      rng: makeRng(1, "node"),
      isLocal: (ip) => ip === parseIpv4("192.168.0.2"),
      recent: rs.recent,
    }
    const pkt = packetMeta({ src: parseIpv4("10.0.1.5"), dst: parseIpv4("172.30.0.44"), proto: PROTO_TCP, sport: 40000, dport: 80, ctState: CT_NEW })
    const v = evaluateHook(rs, "nat", "PREROUTING", pkt, ctx)
    expect(v.verdict).toBe("ACCEPT")
    expect(v.nat?.kind).toBe("DNAT")
    expect([parseIpv4("10.180.0.4"), parseIpv4("10.180.0.5")]).toContain(v.nat?.toIp)
    expect(v.nat?.toPortMin).toBe(80)
    // PREROUTING 1 + KUBE-SERVICES up to svc4's rule (6) + SVC masq, statistic (+ maybe last) + SEP (2).
    expect(v.rulesEvaluated).toBeGreaterThanOrEqual(1 + 6 + 2 + 2)
    expect(pkt.mark).toBe(0) // pod source inside 10.0.0.0/8: no masquerade mark
  })
})
