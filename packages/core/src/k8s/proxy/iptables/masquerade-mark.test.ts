import { describe, expect, it } from "vitest"
import { evaluateHook, parseSave, renderRestore, renderSave } from "../../../net/index"
import { service, slice, startProxier } from "../test-support/fixtures"
import { scriptedRng, evalContext, netfilterProxier, newConnection } from "../test-support/netfilter-node"

// The masquerade mark as a real node has it: kube-proxy formats --iptables-masquerade-bit 14 with Go's `%#08x`
// (proxier.go NewProxier: masqueradeMark), giving 0x00004000; iptables-save prints the kernel's (mark, mask)
// pair with `0x%x` (libxt_MARK.c mark_tg_save → `--set-xmark 0x4000/0x4000`; libxt_mark.c print_mark →
// `--mark 0x4000/0x4000`).
const services = [service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80, protocol: "TCP" }] })]
const slices = [slice("ns1", "svc1", 1, [{ addresses: ["10.180.0.1"] }], [{ name: "p80", port: 80 }])]

const realNode = () => {
  const node = netfilterProxier({ masqueradeMark: undefined, nfacct: false })
  startProxier(node.proxier, services, slices)
  return node
}

describe("masquerade mark 0x00004000", () => {
  it("is written as on a real node, kept verbatim in restore form and printed as iptables-save prints it", () => {
    const { sink } = realNode()
    expect(sink.last).toContain("-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000\n")
    expect(renderRestore(sink.ruleset)).toContain("-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000\n")
    const save = renderSave(sink.ruleset).split("\n")
    for (const line of [
      "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
      "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
      "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    ])
      expect(save).toContain(line)
    expect(save.join("\n")).not.toContain("0x00004000")
  })

  it("stores the same rules as upstream's fake proxier's 0x4000", () => {
    const fake = netfilterProxier({ masqueradeMark: "0x4000", nfacct: false })
    startProxier(fake.proxier, services, slices)
    const save = renderSave(realNode().sink.ruleset)
    expect(renderSave(fake.sink.ruleset)).toBe(save)
    expect(renderSave(parseSave(save))).toBe(save)
  })

  it("marks traffic from outside the cluster CIDR for masquerade, and the mark is cleared before MASQUERADE", () => {
    const { sink } = realNode()
    const ctx = evalContext(scriptedRng().script([]), 0, sink.ruleset.recent)
    const outside = newConnection("203.0.113.7", "172.30.0.41", 80)
    const pre = evaluateHook(sink.ruleset, "nat", "PREROUTING", outside, ctx)
    expect(pre.nat?.kind).toBe("DNAT")
    expect(outside.mark).toBe(0x4000)
    const post = evaluateHook(sink.ruleset, "nat", "POSTROUTING", outside, ctx)
    expect(post.nat?.kind).toBe("MASQUERADE")
    expect(outside.mark).toBe(0) // --xor-mark: a packet re-traversing the stack is not masqueraded twice

    const pod = newConnection("10.244.1.5", "172.30.0.41", 80) // inside 10.0.0.0/8: no mark, no SNAT
    evaluateHook(sink.ruleset, "nat", "PREROUTING", pod, ctx)
    expect(pod.mark).toBe(0)
    expect(evaluateHook(sink.ruleset, "nat", "POSTROUTING", pod, ctx).nat).toBeNull()
  })
})
