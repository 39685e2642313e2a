import { describe, expect, it } from "vitest"
import { applyNft, applyRestore, CT_NEW, Packet, parseIpv4 } from "../index"
import { makeCluster } from "../test/cluster"
import type { NetfilterStack } from "./netfilter-stack"

/** A new TCP connection's first packet from a pod to 10.96.0.10:80. */
const pkt = (): Packet => Object.assign(new Packet(1, 0), { src: parseIpv4("10.244.0.200"), dst: parseIpv4("10.96.0.10"), proto: 6, sport: 40000, dport: 80, ctState: CT_NEW })

/** A node of the test cluster: its netfilter, its iptables Ruleset (service rules loaded) and its nftables. */
const node = () => {
  const c = makeCluster({ backends: 1, nodes: 1 })
  const nf = c.nodes[0]!.netfilter as NetfilterStack
  return { nf, ipt: nf.ruleset, nft: nf.nft }
}

describe("iptables and nftables on the same hooks (NetfilterStack)", () => {
  it("filter: every table at the hook must accept, whichever front end drops", () => {
    const a = node()
    applyNft(a.nft, "add table ip t\nadd chain ip t f { type filter hook forward priority 0 ; }\nadd rule ip t f ip daddr 10.96.0.10 drop\n")
    expect(a.nf.evaluate("filter", "FORWARD", pkt(), 0).verdict).toBe("DROP")
    const b = node()
    applyRestore(b.ipt, "*filter\n-A FORWARD -d 10.96.0.10/32 -j DROP\nCOMMIT\n", { noflush: true })
    applyNft(b.nft, "add table ip t\nadd chain ip t f { type filter hook forward priority -10 ; }\nadd rule ip t f counter accept\n")
    const v = b.nf.evaluate("filter", "FORWARD", pkt(), 0)
    expect(v.verdict).toBe("DROP")
    // nft's chain (one rule) ran first at −10, then iptables' FORWARD (its rules, up to the DROP).
    expect(v.rulesEvaluated).toBeGreaterThanOrEqual(2)
  })

  it("nat: chains run in priority order until one makes a binding; iptables first among equals", () => {
    const dnat = (prio: number) => {
      const n = node()
      applyRestore(n.ipt, "*nat\n-A PREROUTING -d 10.96.0.10/32 -p tcp -j DNAT --to-destination 10.244.0.10:8080\nCOMMIT\n", { noflush: true })
      applyNft(n.nft, `add table ip t\nadd chain ip t n { type nat hook prerouting priority ${prio} ; }\nadd rule ip t n meta l4proto tcp dnat to 10.244.0.11:9090\n`)
      const v = n.nf.evaluate("nat", "PREROUTING", pkt(), 0)
      return v.nat?.toPortMin
    }
    expect(dnat(-150)).toBe(9090)
    expect(dnat(-100)).toBe(8080)
    expect(dnat(-50)).toBe(8080)
  })

  it("filter chains below −100 at prerouting run before DNAT (kube-proxy's filter-prerouting-pre-dnat)", () => {
    const n = node()
    expect(n.nf.evaluatePreNat("PREROUTING", pkt(), 0)).toBeNull()
    applyNft(n.nft, "add table ip t\nadd chain ip t p { type filter hook prerouting priority -110 ; }\nadd rule ip t p ip daddr 10.96.0.10 drop\n")
    expect(n.nf.evaluatePreNat("PREROUTING", pkt(), 0)?.verdict).toBe("DROP")
    expect(n.nf.hasNat).toBe(true)
  })
})
