import type { Ipv4 } from "../addr/index"
import type { Nanos, Rng } from "../../sim/index"
import { CT_ESTABLISHED, CT_INVALID, CT_NEW, CT_RELATED, CT_UNTRACKED, type NatAction, type PacketMeta, type RejectWith } from "../netfilter/index"
import { addrTypeBit } from "../netfilter/evaluate"
import { NftEvalError } from "./errors"
import { effectiveSize, type NftChain, type NftElement, type NftKeyPart, type NftRejectWith, type NftRhs, type NftSelector, type NftSet, type NftStatement, type NftTable, type NftVerdict } from "./model"

/** What an nftables base chain needs from its host. */
export interface NftEvalContext {
  now: Nanos
  /** `numgen random` draws `uint32()` like the kernel's get_random_u32(). */
  rng: Rng
  /** `fib … type local`: addresses assigned to this host. */
  isLocal(ip: Ipv4): boolean
  /** Called once per rule evaluated (`kubesim trace`, as `nft monitor trace` shows rules). */
  trace?: (table: string, chain: string, index: number, matched: boolean) => void
}

/** The outcome of one base chain (the shape of the host's HookVerdict). */
export interface NftChainVerdict {
  verdict: "ACCEPT" | "DROP" | "REJECT"
  rejectWith: RejectWith | null
  nat: NatAction | null
  rulesEvaluated: number
}

// nf_tables_core.c: the jump stack (NFT_JUMP_STACK_SIZE).
const MAX_DEPTH = 16
const stackChain: NftChain[] = []
const stackIndex: number[] = []
const CT_STATE_MASK = CT_INVALID | CT_ESTABLISHED | CT_RELATED | CT_NEW | CT_UNTRACKED
const incCounters = new WeakMap<NftSelector, { n: number }>()

// nft reject codes → the host's ICMP codes (nft_reject_ipv4.c; plain `reject` is port-unreachable).
const REJECT_MAP: Readonly<Record<NftRejectWith, RejectWith>> = {
  "tcp reset": "tcp-reset",
  "net-unreachable": "icmp-net-unreachable",
  "host-unreachable": "icmp-host-unreachable",
  "port-unreachable": "icmp-port-unreachable",
  "prot-unreachable": "icmp-proto-unreachable",
  "net-prohibited": "icmp-net-prohibited",
  "host-prohibited": "icmp-host-prohibited",
  "admin-prohibited": "icmp-admin-prohibited",
}

/** RTN_* of an address (nft_fib's `type`): the netfilter addrtype match's 1 << RTN_* bit, as its number. */
const fibType = (ip: Ipv4, ctx: NftEvalContext): number => 31 - Math.clz32(addrTypeBit(ip, ctx))

/** The selector's value for this packet; -1 when the implicit protocol dependency fails (`tcp dport` on UDP). */
const selectorValue = (s: NftSelector, pkt: PacketMeta, ctx: NftEvalContext): number => {
  switch (s.kind) {
    case "ip":
      return s.field === "saddr" ? pkt.src : s.field === "daddr" ? pkt.dst : pkt.proto
    case "meta":
      return s.key === "l4proto" ? pkt.proto : s.key === "mark" ? pkt.mark : 0
    case "th":
      return s.field === "dport" ? pkt.dport : pkt.sport
    case "l4": {
      const want = s.proto === "tcp" ? 6 : s.proto === "udp" ? 17 : 132
      if (pkt.proto !== want) return -1
      return s.field === "dport" ? pkt.dport : pkt.sport
    }
    case "ct-state":
      return pkt.ctState & CT_STATE_MASK
    case "fib":
      return fibType(s.addr === "saddr" ? pkt.src : pkt.dst, ctx)
    case "numgen": {
      if (s.mode === "random") {
        // nft_numgen.c nft_ng_random_eval: reciprocal_scale(get_random_u32(), modulus) + offset.
        return Math.floor((ctx.rng.uint32() * s.mod) / 4294967296) + s.offset
      }
      let st = incCounters.get(s)
      if (st === undefined) {
        st = { n: 0 }
        incCounters.set(s, st)
      }
      const v = (st.n % s.mod) + s.offset
      st.n = (st.n + 1) % s.mod
      return v
    }
  }
}

const scratch: number[] = []

/** Reads the selectors into `scratch`; false if a protocol dependency failed. */
const readKey = (lhs: ReadonlyArray<NftSelector>, pkt: PacketMeta, ctx: NftEvalContext): boolean => {
  scratch.length = lhs.length
  for (let k = 0; k < lhs.length; k++) {
    const v = selectorValue(lhs[k] as NftSelector, pkt, ctx)
    if (v < 0) return false
    scratch[k] = v
  }
  return true
}

const prefixMask = (p: number): number => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0)

const partMatches = (p: NftKeyPart, v: number): boolean => (p.prefix === 32 ? p.value === v : ((v & prefixMask(p.prefix)) >>> 0) === p.value)

/** Looks the key in `scratch` up in a set (exact hash, or a scan for interval sets); expired elements are removed. */
export const lookup = (set: NftSet, now: Nanos): NftElement | undefined => {
  if (set.interval) {
    for (const e of set.elements.values()) {
      let ok = true
      for (let k = 0; k < e.key.length && ok; k++) ok = partMatches(e.key[k] as NftKeyPart, scratch[k] as number)
      if (ok && (e.expires === null || e.expires > now)) return e
    }
    return undefined
  }
  const k = scratch.length === 1 ? String(scratch[0]) : scratch.join(".")
  const e = set.elements.get(k)
  if (e === undefined) return undefined
  if (e.expires !== null && e.expires <= now) {
    set.elements.delete(k)
    return undefined
  }
  return e
}

const rhsMatches = (t: NftTable, rhs: NftRhs, n: number, ctx: NftEvalContext, ct: boolean): boolean => {
  switch (rhs.kind) {
    case "value": {
      if (ct) return ((scratch[0] as number) & (rhs.key[0] as NftKeyPart).value) !== 0
      for (let k = 0; k < n; k++) if (!partMatches(rhs.key[k] as NftKeyPart, scratch[k] as number)) return false
      return true
    }
    case "named": {
      const s = t.sets.get(rhs.set)
      if (s === undefined) throw new NftEvalError(`set ${rhs.set} is missing`)
      return lookup(s, ctx.now) !== undefined
    }
    case "anon":
      return lookup(rhs.set, ctx.now) !== undefined
  }
}

/** Result of one statement: continue with the next statement, the rule did not match, or a verdict. */
const CONTINUE = 0
const BREAK = 1
const VERDICT = 2

/**
 * Runs a packet through a base chain as nf_tables_core.c nft_do_chain does: rules in order, each rule's
 * expressions in order until one breaks; a verdict ends the rule — accept/drop/reject and nat end the chain,
 * jump pushes a return point (at most 16), goto replaces the chain, return pops (or applies the base chain's
 * policy). A verdict map applies its element's verdict or, without one, breaks. `rulesEvaluated` counts rules
 * entered (a vmap lookup is one rule however large the map: the constant first-packet cost of nftables mode).
 */
export const evaluateNftChain = (t: NftTable, base: NftChain, pkt: PacketMeta, ctx: NftEvalContext): NftChainVerdict => {
  const out: NftChainVerdict = { verdict: "ACCEPT", rejectWith: null, nat: null, rulesEvaluated: 0 }
  let cur = base
  let i = 0
  let depth = 0
  let evaluated = 0
  let verdict: NftVerdict | null = null
  let returning = false
  for (;;) {
    // The end of a chain returns, as `return` does; from the base chain that is its policy.
    if (i >= cur.rules.length || returning) {
      returning = false
      if (depth === 0) {
        out.verdict = base.base?.policy === "drop" ? "DROP" : "ACCEPT"
        out.rulesEvaluated = evaluated
        return out
      }
      depth--
      cur = stackChain[depth] as NftChain
      i = stackIndex[depth] as number
      continue
    }
    const rule = cur.rules[i]!
    evaluated++
    let result = CONTINUE
    const sts = rule.statements
    for (let k = 0; k < sts.length && result === CONTINUE; k++) {
      const st = sts[k] as NftStatement
      switch (st.kind) {
        case "match": {
          const l0 = st.lhs[0] as NftSelector
          if (l0.kind === "meta" && (l0.key === "iifname" || l0.key === "oifname")) {
            const name = l0.key === "iifname" ? pkt.inIface : pkt.outIface
            if ((st.rhs.kind === "value" && name === st.rhs.text) !== (st.op === "==")) result = BREAK
            break
          }
          if (!readKey(st.lhs, pkt, ctx)) {
            result = BREAK
            break
          }
          if (st.mask !== null) scratch[0] = ((scratch[0] as number) & st.mask) >>> 0
          if (rhsMatches(t, st.rhs, st.lhs.length, ctx, l0.kind === "ct-state" && st.rhs.kind === "value") !== (st.op === "==")) result = BREAK
          break
        }
        case "vmap": {
          if (!readKey(st.lhs, pkt, ctx)) {
            result = BREAK
            break
          }
          const set = st.map.kind === "named" ? t.sets.get(st.map.set) : st.map.kind === "anon" ? st.map.set : undefined
          const e = set === undefined ? undefined : lookup(set, ctx.now)
          if (e === undefined || e.verdict === null) result = BREAK
          else {
            verdict = e.verdict
            result = VERDICT
          }
          break
        }
        case "counter":
          st.counter.packets++
          st.counter.bytes += pkt.length
          break
        case "mark": {
          const m = pkt.mark
          pkt.mark = (st.op === "set" ? st.value : st.op === "or" ? m | st.value : st.op === "xor" ? m ^ st.value : m & st.value) >>> 0
          break
        }
        case "update": {
          readKey(st.key, pkt, ctx)
          const set = t.sets.get(st.set) as NftSet
          const key = scratch.length === 1 ? String(scratch[0]) : scratch.join(".")
          const old = set.elements.get(key)
          const expires = set.timeout === null ? null : ctx.now + set.timeout
          if (old !== undefined && (old.expires === null || old.expires > ctx.now)) {
            // nft_dynset.c: an existing element's timeout is refreshed (NFT_DYNSET_OP_UPDATE).
            old.expires = expires
          } else {
            if (old !== undefined) set.elements.delete(key)
            const limit = effectiveSize(set)
            if (limit !== null && set.elements.size >= limit) {
              // nft_dynset_eval: a full set breaks the rule (the statements after it do not run).
              result = BREAK
              break
            }
            set.elements.set(key, { key: scratch.map((v) => ({ value: v, prefix: 32 })), verdict: null, comment: null, timeout: null, expires })
          }
          break
        }
        case "nat":
          out.nat = { kind: st.nat === "dnat" ? "DNAT" : "SNAT", toIp: st.addr, toPortMin: st.port, toPortMax: st.port, random: false, randomFully: false }
          return finish(out, ctx, t, cur, i, evaluated, "ACCEPT")
        case "masquerade":
          out.nat = { kind: "MASQUERADE", toIp: null, toPortMin: null, toPortMax: null, random: st.random, randomFully: st.fullyRandom }
          return finish(out, ctx, t, cur, i, evaluated, "ACCEPT")
        case "reject":
          out.rejectWith = REJECT_MAP[st.with ?? "port-unreachable"]
          return finish(out, ctx, t, cur, i, evaluated, "REJECT")
        case "verdict":
          verdict = st.verdict
          result = VERDICT
          break
      }
    }
    if (result !== VERDICT || (verdict as NftVerdict).kind !== "accept" && (verdict as NftVerdict).kind !== "drop") ctx.trace?.(t.name, cur.name, i, result !== BREAK)
    if (result !== VERDICT) {
      i++
      continue
    }
    const v = verdict as NftVerdict
    switch (v.kind) {
      case "accept":
        return finish(out, ctx, t, cur, i, evaluated, "ACCEPT")
      case "drop":
        return finish(out, ctx, t, cur, i, evaluated, "DROP")
      case "continue":
        i++
        continue
      case "return":
        returning = true
        continue
      case "jump":
      case "goto": {
        const next = t.chains.get(v.chain)
        if (next === undefined) throw new NftEvalError(`ip ${t.name}/${cur.name} rule ${i + 1}: ${v.kind} to missing chain ${v.chain}`)
        if (v.kind === "jump") {
          if (depth >= MAX_DEPTH) throw new NftEvalError(`ip ${t.name}/${cur.name}: jumps nest deeper than ${MAX_DEPTH}`)
          stackChain[depth] = cur
          stackIndex[depth] = i + 1
          depth++
        }
        cur = next
        i = 0
        continue
      }
    }
  }
}

const finish = (out: NftChainVerdict, ctx: NftEvalContext, t: NftTable, c: NftChain, i: number, evaluated: number, v: NftChainVerdict["verdict"]): NftChainVerdict => {
  ctx.trace?.(t.name, c.name, i, true)
  out.verdict = v
  out.rulesEvaluated = evaluated
  return out
}

