import {
  CT_DNAT,
  CT_NEW,
  PROTO_SCTP,
  PROTO_TCP,
  PROTO_UDP,
  type EvalContext,
  type Hook,
  type PacketMeta,
  RecentTables,
  type Ruleset,
  evaluateHook,
  formatIpv4,
  packetMeta,
  parseIpv4,
} from "../../../net/index"
import { scriptedRng } from "./netfilter-node"

/**
 * Upstream's packet-flow tests (pkg/proxy/iptables/proxier_test.go runPacketFlowTests / tracePacket), run on
 * kubesim's netfilter evaluator instead of upstream's rule-text tracer. The packet takes the kernel's path
 * through the payload and the jump rules: from the node itself (a local source) nat OUTPUT then filter OUTPUT
 * (and filter INPUT when it loops back to a local address); from anywhere else nat PREROUTING, then filter INPUT
 * for a local destination, FORWARD otherwise.
 *
 * The result reads as upstream's: every endpoint a fresh connection can be DNATed to, in chain order (found by
 * scripting the statistic draws: the k-th random choice taken, the earlier ones missed), or "ACCEPT" / "DROP" /
 * "REJECT" when one of the four chains upstream traces decides (KUBE-SERVICES, KUBE-EXTERNAL-SERVICES,
 * KUBE-NODEPORTS, KUBE-PROXY-FIREWALL), or "" when nothing does; `masq` is whether nat POSTROUTING masquerades.
 */
export interface PacketFlowTest {
  readonly name: string
  readonly sourceIP: string
  readonly protocol?: "TCP" | "UDP" | "SCTP"
  readonly destIP: string
  readonly destPort: number
  readonly output: string
  readonly masq?: boolean
}

export interface PacketFlowResult {
  readonly output: string
  readonly masq: boolean
}

/** The chains upstream's tracer runs in filter; a decision elsewhere (KUBE-FORWARD's mark ACCEPT, a policy) is not an output. */
const TRACED_FILTER_CHAINS = new Set(["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL"])
const MISS = 0x7fffffff
const PROTOS = { TCP: PROTO_TCP, UDP: PROTO_UDP, SCTP: PROTO_SCTP } as const

export const tracePacket = (ruleset: Ruleset, localIPs: ReadonlyArray<string>, tc: Omit<PacketFlowTest, "output" | "masq" | "name">): PacketFlowResult => {
  const local = new Set(localIPs.map(parseIpv4))
  const rng = scriptedRng()
  const ctx: EvalContext = { now: 0, rng, isLocal: (ip) => local.has(ip), recent: new RecentTables() }
  const fromNode = local.has(parseIpv4(tc.sourceIP))
  const fresh = (): PacketMeta =>
    packetMeta({
      src: parseIpv4(tc.sourceIP),
      dst: parseIpv4(tc.destIP),
      proto: PROTOS[tc.protocol ?? "TCP"],
      sport: 40000,
      dport: tc.destPort,
      ctState: CT_NEW,
    })

  // nat: every destination a fresh connection can reach, in chain order.
  const outputs: string[] = []
  let masq = false
  let first: PacketMeta | null = null
  for (let k = 0; ; k++) {
    rng.script([...Array<number>(k).fill(MISS), 0], MISS)
    ctx.recent = new RecentTables()
    const pkt = fresh()
    const v = evaluateHook(ruleset, "nat", fromNode ? "OUTPUT" : "PREROUTING", pkt, ctx)
    const drew = rng.used
    if (v.nat?.kind === "DNAT" && v.nat.toIp !== null) {
      pkt.dst = v.nat.toIp
      if (v.nat.toPortMin !== null) pkt.dport = v.nat.toPortMin
      pkt.ctState |= CT_DNAT
      const dest = `${formatIpv4(pkt.dst)}:${pkt.dport}`
      if (!outputs.includes(dest)) outputs.push(dest)
    }
    first ??= pkt
    rng.script([], MISS)
    const post = evaluateHook(ruleset, "nat", "POSTROUTING", { ...pkt }, ctx)
    if (post.nat?.kind === "MASQUERADE") masq = true
    // The k-th random choice was not reached: every path has been walked.
    if (drew <= k) break
  }

  // filter, on the first path's packet (upstream: destIP = outputs[0]).
  const pkt = first as PacketMeta
  const hooks: Hook[] = fromNode ? (local.has(pkt.dst) ? ["OUTPUT", "INPUT"] : ["OUTPUT"]) : [local.has(pkt.dst) ? "INPUT" : "FORWARD"]
  rng.script([], MISS)
  for (const hook of hooks) {
    const v = evaluateHook(ruleset, "filter", hook, { ...pkt }, ctx)
    const decided = v.matchedRule !== null && v.matchedRule.index >= 0 && TRACED_FILTER_CHAINS.has(v.matchedRule.chain)
    if (decided) outputs.push(v.verdict)
    if (v.verdict !== "ACCEPT") {
      if (!decided) outputs.push(v.verdict)
      break
    }
  }
  return { output: outputs.join(", "), masq }
}
