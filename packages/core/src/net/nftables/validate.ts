import { NftError } from "./errors"
import type { NftChain, NftHook, NftStatement, NftTable, NftVerdict } from "./model"

const MAX_JUMP_DEPTH = 16 // net/netfilter/nf_tables_api.c nft_chain_validate: NFT_JUMP_STACK_SIZE

/**
 * The kernel's checks at commit (nf_tables_api.c nft_table_validate / nf_tables_check_loops, and each
 * expression's validate hook): no jump loop and at most 16 nested jumps from a base chain; nat statements only in
 * chains reached from nat base chains; reject only from the input, forward and output hooks (nft_reject.c
 * nft_reject_validate); a chain or set still referenced cannot be deleted (checked here as a dangling reference).
 */
export const validateTable = (t: NftTable): void => {
  for (const ch of t.chains.values()) {
    for (const r of ch.rules) for (const st of r.statements) checkRefs(t, ch, st)
  }
  for (const s of t.sets.values()) {
    for (const e of s.elements.values()) if (e.verdict !== null) checkTarget(t, () => `map ${s.name}`, e.verdict)
  }
  checkLoops(t)
  for (const ch of t.chains.values()) {
    if (ch.base === null) continue
    walk(t, ch, ch.base.type, ch.base.hook, 0, new Set())
  }
}

/** nf_tables_check_loops: no chain may reach itself through jumps, gotos and verdict maps (attached or not). */
const checkLoops = (t: NftTable): void => {
  const state = new Map<string, 1 | 2>()
  const visit = (ch: NftChain, path: string[]): void => {
    const s = state.get(ch.name)
    if (s === 2) return
    if (s === 1) throw new NftError(0, `chains loop: ${[...path.slice(path.indexOf(ch.name)), ch.name].join(" → ")} (Too many links)`)
    state.set(ch.name, 1)
    path.push(ch.name)
    for (const r of ch.rules) for (const st of r.statements) eachTarget(t, st, (next) => visit(next, path))
    path.pop()
    state.set(ch.name, 2)
  }
  for (const ch of t.chains.values()) visit(ch, [])
}

const checkTarget = (t: NftTable, where: () => string, v: NftVerdict): void => {
  if ((v.kind === "jump" || v.kind === "goto") && !t.chains.has(v.chain)) {
    throw new NftError(0, `${where()} still refers to chain ${v.chain}, which this transaction deletes (Device or resource busy)`)
  }
}

const checkRefs = (t: NftTable, ch: NftChain, st: NftStatement): void => {
  // Built only for an error message: this runs for every statement of every transaction.
  const where = () => `a rule in chain ${ch.name}`
  if (st.kind === "verdict") checkTarget(t, where, st.verdict)
  const named = st.kind === "match" ? (st.rhs.kind === "named" ? st.rhs.set : null) : st.kind === "vmap" ? (st.map.kind === "named" ? st.map.set : null) : st.kind === "update" ? st.set : null
  if (named !== null && !t.sets.has(named)) throw new NftError(0, `${where()} still refers to set ${named}, which this transaction deletes (Device or resource busy)`)
  if (st.kind === "vmap" && st.map.kind === "anon") for (const e of st.map.set.elements.values()) if (e.verdict !== null) checkTarget(t, where, e.verdict)
}

/** Calls `fn` with each chain a statement can jump or go to (a verdict, or a verdict map's elements). */
const eachTarget = (t: NftTable, st: NftStatement, fn: (next: NftChain) => void): void => {
  if (st.kind === "verdict") {
    const v = st.verdict
    if (v.kind === "jump" || v.kind === "goto") {
      const next = t.chains.get(v.chain)
      if (next !== undefined) fn(next)
    }
    return
  }
  if (st.kind !== "vmap") return
  const set = st.map.kind === "named" ? t.sets.get(st.map.set) : st.map.kind === "anon" ? st.map.set : undefined
  if (set === undefined) return
  for (const e of set.elements.values()) {
    const v = e.verdict
    if (v === null || (v.kind !== "jump" && v.kind !== "goto")) continue
    const next = t.chains.get(v.chain)
    if (next !== undefined) fn(next)
  }
}

/** Every chain reachable from a base chain, checked for what its hook and type allow (depth-first, each once). */
const walk = (t: NftTable, ch: NftChain, type: "filter" | "nat", hook: NftHook, depth: number, done: Set<string>): void => {
  if (depth > MAX_JUMP_DEPTH) throw new NftError(0, `jumps nest deeper than ${MAX_JUMP_DEPTH} from a ${hook} base chain, at chain ${ch.name} (Too many links)`)
  if (done.has(ch.name)) return
  done.add(ch.name)
  const visit = (next: NftChain) => walk(t, next, type, hook, depth + 1, done)
  for (const r of ch.rules) {
    for (const st of r.statements) {
      if ((st.kind === "nat" || st.kind === "masquerade") && type !== "nat") {
        throw new NftError(0, `chain ${ch.name}: ${st.kind === "nat" ? st.nat : "masquerade"} is only valid in nat chains (reached from ${hook} ${type} chain) (Operation not supported)`)
      }
      if (st.kind === "reject" && hook !== "input" && hook !== "forward" && hook !== "output") {
        throw new NftError(0, `chain ${ch.name}: reject is only valid in the input, forward and output hooks (reached from ${hook}) (Operation not supported)`)
      }
      eachTarget(t, st, visit)
    }
  }
}
