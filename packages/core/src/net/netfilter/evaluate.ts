import type { Ipv4 } from "../addr/index"
import { chainIndex, firstMatchInSegment } from "./compile"
import { NetfilterEvalError } from "./errors"
import type { Chain, Hook, IfaceSpec, Match, Rule, TableName } from "./model"
import type { EvalContext, NatAction, PacketMeta, Verdict } from "./packet"
import type { Ruleset } from "./ruleset"
import { countPolicy, countRule } from "./shared-tables"

/** Nesting limit for jumps; the kernel's xt_jumpstack is sized by the table's chain count, we only stop loops. */
const MAX_DEPTH = 256

// Scratch return stack, reused by every call (evaluation is not re-entrant).
const stackChain: Chain[] = []
const stackIndex: number[] = []

const prefixMask = (p: number): number => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0)

const ifaceMatches = (spec: IfaceSpec, name: string): boolean => {
  const s = spec.name
  // xt ifname matching: a trailing "+" matches any interface whose name starts with the rest.
  const hit = s.endsWith("+") ? name.startsWith(s.slice(0, -1)) && name !== "" : name === s
  return hit !== spec.invert
}

/** The address type the route lookup would give (net/ipv4/fib_frontend.c `__inet_dev_addr_type`, simplified). */
export const addrTypeBit = (ip: Ipv4, ctx: Pick<EvalContext, "isLocal">): number => {
  if (ip >>> 24 === 0 || ip === 0xffffffff) return 1 << 3 // BROADCAST (zeronet and limited broadcast)
  if (ip >>> 28 === 0xe) return 1 << 5 // MULTICAST
  if (ctx.isLocal(ip)) return 1 << 2 // LOCAL
  return 1 << 1 // UNICAST
}

const nthState = new WeakMap<Match, { count: number }>()

const matchOne = (m: Match, pkt: PacketMeta, ctx: EvalContext): boolean => {
  switch (m.kind) {
    case "comment":
      return true
    case "tcp":
    case "udp":
    case "sctp": {
      if (m.sport !== null && (pkt.sport >= m.sport.min && pkt.sport <= m.sport.max) === m.sport.invert) return false
      if (m.dport !== null && (pkt.dport >= m.dport.min && pkt.dport <= m.dport.max) === m.dport.invert) return false
      return true
    }
    case "statistic": {
      if (m.mode === "random") {
        // xt_statistic.c statistic_mt: (get_random_u32() & 0x7FFFFFFF) < probability, then ^ invert.
        return ((ctx.rng.uint32() & 0x7fffffff) < m.probability) !== m.invert
      }
      // xt_statistic.c: nval = (oval == every) ? 0 : oval + 1; match when nval == 0. Starts at every − packet.
      let st = nthState.get(m)
      if (st === undefined) {
        st = { count: m.every - m.packet }
        nthState.set(m, st)
      }
      st.count = st.count === m.every ? 0 : st.count + 1
      return (st.count === 0) !== m.invert
    }
    case "recent":
      // TTL is not part of PacketMeta: --rttl is treated as always agreeing (ttl 0, as xt_recent does for "unknown").
      return ctx.recent.match(m, pkt.src, pkt.dst, 0, ctx.now)
    case "mark":
      return (((pkt.mark & m.mask) >>> 0) === m.mark) !== m.invert
    case "addrtype": {
      // xt_addrtype.c addrtype_mt_v1.
      if (m.srcType !== 0 && ((addrTypeBit(pkt.src, ctx) & m.srcType) !== 0) === m.invertSrc) return false
      if (m.dstType !== 0 && ((addrTypeBit(pkt.dst, ctx) & m.dstType) !== 0) === m.invertDst) return false
      return true
    }
    case "conntrack":
      return ((pkt.ctState & m.ctstate) !== 0) !== m.invert
    case "set": {
      const set = ctx.ipsets?.get(m.name)
      // xt_set.c set_match_v4_checkentry refuses a rule naming a set that does not exist.
      if (set === undefined) throw new NetfilterEvalError(`-m set --match-set ${m.name}: the set does not exist`)
      return set.matchPacket(pkt.proto, pkt.src, pkt.dst, pkt.sport, pkt.dport, m.srcBits, m.flags.length) !== m.invert
    }
    case "physdev":
      // xt_physdev.c physdev_mt, a packet without bridge info (kubesim models no bridges): the match holds iff
      // every given option is inverted.
      return (
        (m.physdevIn === null || m.physdevIn.invert) &&
        (m.physdevOut === null || m.physdevOut.invert) &&
        (m.isIn === null || m.isIn.invert) &&
        (m.isOut === null || m.isOut.invert) &&
        (m.isBridged === null || m.isBridged.invert)
      )
    case "ipvs": {
      // xt_ipvs.c ipvs_mt: skb->ipvs_property ^ --ipvs's invert; any other option needs the property and the
      // connection (vproto compares the packet's protocol).
      const p = pkt.ipvs ?? null
      if ((p !== null) === m.ipvsInvert) return false
      const only = m.vproto === null && m.vaddr === null && m.vport === null && m.vdirReply === null
      if (only) return true
      if (p === null) return false
      if (m.vproto !== null && (pkt.proto === m.vproto.proto) === m.vproto.invert) return false
      if (m.vport !== null && (p.vport === m.vport.port) === m.vport.invert) return false
      if (m.vdirReply !== null && (pkt.ipvsReply ?? false) !== m.vdirReply) return false
      if (m.vaddr !== null && (((p.vaddr & prefixMask(m.vaddr.prefix)) >>> 0) === m.vaddr.ip) === m.vaddr.invert) return false
      return true
    }
    case "unknown":
      throw new NetfilterEvalError(`a packet reached "-m ${m.module} ${m.args.join(" ")}", which the simulator does not model`)
  }
}

/** ip_tables.c `ip_packet_match` (addresses, interfaces, protocol), then every match in order, stopping at the first miss. */
export const ruleMatches = (r: Rule, pkt: PacketMeta, ctx: EvalContext): boolean => {
  if (r.src !== null && (((pkt.src & prefixMask(r.src.prefix)) >>> 0) === r.src.ip) === r.src.invert) return false
  if (r.dst !== null && (((pkt.dst & prefixMask(r.dst.prefix)) >>> 0) === r.dst.ip) === r.dst.invert) return false
  if (r.inIface !== null && !ifaceMatches(r.inIface, pkt.inIface)) return false
  if (r.outIface !== null && !ifaceMatches(r.outIface, pkt.outIface)) return false
  if (r.proto !== null && (pkt.proto === r.proto.proto) === r.proto.invert) return false
  const ms = r.matches
  for (let k = 0; k < ms.length; k++) if (!matchOne(ms[k] as Match, pkt, ctx)) return false
  return true
}

const verdictOf = (): Verdict => ({ verdict: "ACCEPT", rejectWith: null, nat: null, rulesEvaluated: 0, matchedRule: null })

/**
 * Traverses `table`'s chain for `hook` the way ip_tables.c `ipt_do_table` does: rules in order, a matching
 * rule's counters incremented, then its target: ACCEPT/DROP/REJECT and the NAT targets end the traversal;
 * MARK changes `pkt.mark` and continues; `-j` pushes a return point, `-g` does not; RETURN or the end of a user
 * chain pops it; the end of (or RETURN from) the built-in chain applies its policy. A chain with a compiled
 * index skips runs of non-matching service rules without changing the outcome or the rule count.
 */
export const evaluateHook = (ruleset: Ruleset, table: TableName, hook: Hook, pkt: PacketMeta, ctx: EvalContext): Verdict => {
  const v = verdictOf()
  const t = ruleset.tables.get(table)
  const base = t?.chains.get(hook)
  if (t === undefined || base === undefined) return v
  const fast = ctx.linear !== true && ctx.trace === undefined
  const trace = ctx.trace
  let cur = base
  let i = 0
  let depth = 0
  let evaluated = 0
  for (;;) {
    const rules = cur.rules
    if (i >= rules.length) {
      if (depth === 0) return policy(v, ruleset, base, table, pkt, evaluated)
      depth--
      cur = stackChain[depth] as Chain
      i = stackIndex[depth] as number
      continue
    }
    if (fast) {
      const idx = chainIndex(cur)
      if (idx !== null) {
        const s = idx.segmentOf[i] as number
        if (s >= 0) {
          const seg = idx.segments[s]
          if (seg !== undefined) {
            const j = firstMatchInSegment(seg, i, pkt.dst, pkt.proto, pkt.dport)
            evaluated += j - i
            i = j
            if (j >= seg.end) continue
          }
        }
      }
    }
    const r = rules[i] as Rule
    evaluated++
    let matched: boolean
    try {
      matched = ruleMatches(r, pkt, ctx)
    } catch (e) {
      if (e instanceof NetfilterEvalError) throw new NetfilterEvalError(`${table}/${cur.name} rule ${i + 1}: ${e.message}`)
      throw e
    }
    if (trace !== undefined) trace(table, cur.name, i, matched)
    if (!matched) {
      i++
      continue
    }
    // A chain other nodes hold too counts on this ruleset's side (shared-tables.ts).
    countRule(ruleset, cur, i, pkt.length)
    const tg = r.target
    switch (tg.kind) {
      case "none":
        i++
        continue
      case "MARK":
        // xt_mark.c mark_tg: (mark & ~mask) ^ value, then XT_CONTINUE.
        pkt.mark = ((pkt.mark & ~tg.mask) ^ tg.mark) >>> 0
        i++
        continue
      case "ACCEPT":
      case "DROP":
        return decided(v, tg.kind, table, cur, i, evaluated)
      case "REJECT":
        decided(v, "REJECT", table, cur, i, evaluated)
        v.rejectWith = tg.with
        return v
      case "DNAT":
      case "SNAT":
      case "MASQUERADE": {
        decided(v, "ACCEPT", table, cur, i, evaluated)
        v.nat = natOf(tg)
        return v
      }
      case "RETURN":
        if (depth === 0) return policy(v, ruleset, base, table, pkt, evaluated)
        depth--
        cur = stackChain[depth] as Chain
        i = stackIndex[depth] as number
        continue
      case "chain": {
        const next = t.chains.get(tg.chain)
        if (next === undefined) throw new NetfilterEvalError(`${table}/${cur.name} rule ${i + 1}: jump to missing chain ${tg.chain}`)
        if (!tg.goto) {
          if (depth >= MAX_DEPTH) throw new NetfilterEvalError(`${table}/${cur.name} rule ${i + 1}: chains nest deeper than ${MAX_DEPTH} (a loop?)`)
          stackChain[depth] = cur
          stackIndex[depth] = i + 1
          depth++
        }
        cur = next
        i = 0
        continue
      }
      case "unknown":
        throw new NetfilterEvalError(`${table}/${cur.name} rule ${i + 1}: a packet reached target ${tg.name}, which the simulator does not model`)
    }
  }
}

const decided = (v: Verdict, kind: Verdict["verdict"], table: TableName, chain: Chain, index: number, evaluated: number): Verdict => {
  v.verdict = kind
  v.rulesEvaluated = evaluated
  v.matchedRule = { table, chain: chain.name, index }
  return v
}

const policy = (v: Verdict, ruleset: Ruleset, base: Chain, table: TableName, pkt: PacketMeta, evaluated: number): Verdict => {
  countPolicy(ruleset, base, pkt.length)
  return decided(v, base.policy ?? "ACCEPT", table, base, -1, evaluated)
}

const natOf = (tg: Extract<Rule["target"], { kind: "DNAT" | "SNAT" | "MASQUERADE" }>): NatAction =>
  tg.kind === "MASQUERADE"
    ? { kind: "MASQUERADE", toIp: null, toPortMin: tg.portMin, toPortMax: tg.portMax, random: tg.random, randomFully: tg.randomFully }
    : {
        kind: tg.kind,
        toIp: tg.to.ip,
        toPortMin: tg.to.portMin,
        toPortMax: tg.to.portMax,
        random: tg.random,
        randomFully: tg.kind === "SNAT" ? tg.randomFully : false,
      }
