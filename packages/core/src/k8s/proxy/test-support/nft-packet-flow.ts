import { CT_DNAT, CT_NEW, evaluateNftChain, formatIpv4, packetMeta, parseIpv4, PROTO_SCTP, PROTO_TCP, PROTO_UDP, type NftEvalContext, type NftRuleset, type PacketMeta } from "../../../net/index"
import type { PacketFlowResult, PacketFlowTest } from "./packet-flow"
import { scriptedRng } from "./netfilter-node"

const PROTOS = { TCP: PROTO_TCP, UDP: PROTO_UDP, SCTP: PROTO_SCTP } as const
/** Draw values sweeping [0, 2^32) in 64 steps: every index of a `numgen random mod N` with N ≤ 64 is hit. */
const SWEEP = Array.from({ length: 64 }, (_, t) => Math.floor(((t + 0.5) * 2 ** 32) / 64))

/**
 * Upstream's nftables packet-flow tests (pkg/proxy/nftables/helpers_test.go tracePacket), on kubesim's nftables
 * evaluator: filter-prerouting-pre-dnat, then nat-prerouting (the destination becomes the DNAT target), then
 * filter-forward and filter-input, as upstream's tracer walks them; every endpoint a new connection can reach is
 * found by sweeping numgen's draw. `masq` is whether nat-postrouting masquerades the packet.
 */
export const traceNftPacket = (rs: NftRuleset, localIPs: ReadonlyArray<string>, tc: Omit<PacketFlowTest, "output" | "masq" | "name">): PacketFlowResult => {
  const t = rs.table("kube-proxy")
  if (t === undefined) throw new Error("no kube-proxy table")
  const chain = (name: string) => {
    const c = t.chains.get(name)
    if (c === undefined) throw new Error(`no chain ${name}`)
    return c
  }
  const local = new Set(localIPs.map(parseIpv4))
  const rng = scriptedRng()
  const ctx: NftEvalContext = { now: 0, rng, isLocal: (ip) => local.has(ip) }
  const outputs: string[] = []
  let masq = false
  for (const draw of SWEEP) {
    rng.script([], draw)
    const pkt: PacketMeta = packetMeta({ src: parseIpv4(tc.sourceIP), dst: parseIpv4(tc.destIP), proto: PROTOS[tc.protocol ?? "TCP"], sport: 40000, dport: tc.destPort, ctState: CT_NEW })
    const pre = evaluateNftChain(t, chain("filter-prerouting-pre-dnat"), pkt, ctx)
    let out = ""
    if (pre.verdict !== "ACCEPT") out = pre.verdict
    else {
      const nat = evaluateNftChain(t, chain("nat-prerouting"), pkt, ctx)
      if (nat.nat?.kind === "DNAT" && nat.nat.toIp !== null) {
        pkt.dst = nat.nat.toIp
        if (nat.nat.toPortMin !== null) pkt.dport = nat.nat.toPortMin
        pkt.ctState |= CT_DNAT
        out = `${formatIpv4(pkt.dst)}:${pkt.dport}`
      }
      for (const f of ["filter-forward", "filter-input"]) {
        const v = evaluateNftChain(t, chain(f), { ...pkt }, ctx)
        if (v.verdict !== "ACCEPT") {
          out = v.verdict
          break
        }
      }
      const post = evaluateNftChain(t, chain("nat-postrouting"), { ...pkt }, ctx)
      if (post.nat?.kind === "MASQUERADE") masq = true
    }
    if (out !== "" && !outputs.includes(out)) outputs.push(out)
  }
  return { output: outputs.join(", "), masq }
}
