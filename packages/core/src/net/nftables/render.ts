import type { Nanos } from "../../sim/index"
import { formatPriority } from "./priority"
import type { NftRuleset } from "./ruleset"
import { effectiveSize, type NftChain, type NftElement, type NftKeyPart, type NftRhs, type NftRule, type NftSelector, type NftSet, type NftStatement, type NftTable, type NftType, type NftVerdict } from "./model"
import { formatNftTime, formatValue, selectorType } from "./values"

const selectorText = (s: NftSelector): string => {
  switch (s.kind) {
    case "ip":
      return `ip ${s.field}`
    case "meta":
      return s.key === "iifname" || s.key === "oifname" ? s.key : `meta ${s.key}`
    case "th":
      return `th ${s.field}`
    case "l4":
      return `${s.proto} ${s.field}`
    case "ct-state":
      return "ct state"
    case "fib":
      return `fib ${s.addr} type`
    case "numgen":
      return `numgen ${s.mode} mod ${s.mod}${s.offset !== 0 ? ` offset ${s.offset}` : ""}`
  }
}

export const verdictText = (v: NftVerdict): string => (v.kind === "jump" || v.kind === "goto" ? `${v.kind} ${v.chain}` : v.kind)

const keyText = (types: ReadonlyArray<NftType>, key: ReadonlyArray<NftKeyPart>): string => key.map((p, k) => formatValue(types[k] as NftType, p)).join(" . ")

/** Elements in the order nft prints them: by key value, component by component (the kernel's key bytes). */
export const sortedElements = (set: NftSet, now: Nanos): NftElement[] => {
  const out: NftElement[] = []
  for (const e of set.elements.values()) if (e.expires === null || e.expires > now) out.push(e)
  return out.sort((a, b) => {
    for (let k = 0; k < a.key.length; k++) {
      const d = (a.key[k] as NftKeyPart).value - (b.key[k] as NftKeyPart).value
      if (d !== 0) return d
      const dp = (a.key[k] as NftKeyPart).prefix - (b.key[k] as NftKeyPart).prefix
      if (dp !== 0) return -dp
    }
    return 0
  })
}

const elementText = (set: NftSet, e: NftElement, now: Nanos, listing: boolean): string => {
  let s = keyText(set.keyType, e.key)
  if (e.timeout !== null) s += ` timeout ${formatNftTime(e.timeout)}`
  if (listing && e.expires !== null) s += ` expires ${formatNftTime(e.expires - now)}`
  if (e.comment !== null) s += ` comment "${e.comment}"`
  if (e.verdict !== null) s += ` : ${verdictText(e.verdict)}`
  return s
}

/**
 * nft's set_expr_print / calculate_delim (src/expression.c): anonymous sets on one line; named sets break the
 * line after every 2 addresses, every 5 protocols/ports/marks, and after every element of other types
 * (concatenations, ct states…).
 */
const perLine = (set: NftSet): number => {
  if (set.keyType.length !== 1) return 1
  const t = set.keyType[0]
  if (t === "ipv4_addr" || t === "ct_state") return 2
  if (t === "inet_proto" || t === "inet_service" || t === "mark" || t === "integer") return 5
  return 1
}

const elementsText = (set: NftSet, now: Nanos, anonymous: boolean): string => {
  const els = sortedElements(set, now)
  const n = anonymous ? Infinity : perLine(set)
  let s = "{ "
  els.forEach((e, i) => {
    if (i > 0) s += i % n === 0 ? ",\n\t\t\t     " : ", "
    s += elementText(set, e, now, !anonymous)
  })
  return `${s} }`
}

const rhsText = (rhs: NftRhs, types: ReadonlyArray<NftType>, now: Nanos): string => {
  switch (rhs.kind) {
    case "value":
      return rhs.text !== null ? `"${rhs.text}"` : keyText(types, rhs.key)
    case "named":
      return `@${rhs.set}`
    case "anon": {
      // nft prints a one-element anonymous set as the bare value (its optimizer turns it into a comparison).
      if (rhs.set.elements.size === 1 && !rhs.set.isMap) return elementText(rhs.set, rhs.set.elements.values().next().value as NftElement, now, false)
      return elementsText(rhs.set, now, true)
    }
  }
}

const hex8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, "0")}`

/** One statement as `nft list` prints it (canonical form: `meta mark set meta mark | 0x00004000`). */
export const statementText = (st: NftStatement, now: Nanos): string => {
  switch (st.kind) {
    case "match": {
      const lhs = st.lhs.map(selectorText).join(" . ")
      const types = st.lhs.map(selectorType)
      const rhs = rhsText(st.rhs, types, now)
      if (st.mask !== null) return `${lhs} & ${hex8(st.mask)} ${st.op} ${rhs}`
      return st.op === "!=" ? `${lhs} != ${rhs}` : `${lhs} ${rhs}`
    }
    case "vmap":
      return `${st.lhs.map(selectorText).join(" . ")} vmap ${rhsText(st.map, st.lhs.map(selectorType), now)}`
    case "counter":
      return `counter packets ${st.counter.packets} bytes ${st.counter.bytes}`
    case "mark":
      return st.op === "set" ? `meta mark set ${hex8(st.value)}` : `meta mark set meta mark ${st.op === "or" ? "|" : st.op === "xor" ? "^" : "&"} ${hex8(st.value)}`
    case "update":
      return `update @${st.set} { ${st.key.map(selectorText).join(" . ")} }`
    case "nat":
      return `${st.nat} to ${formatValue("ipv4_addr", { value: st.addr, prefix: 32 })}${st.port !== null ? `:${st.port}` : ""}`
    case "masquerade":
      return `masquerade${st.random ? " random" : ""}${st.fullyRandom ? " fully-random" : ""}`
    case "reject":
      return st.with === null ? "reject" : st.with === "tcp reset" ? "reject with tcp reset" : `reject with icmp ${st.with}`
    case "verdict":
      return verdictText(st.verdict)
  }
}

export const ruleText = (r: NftRule, now: Nanos): string => {
  const body = r.statements.map((st) => statementText(st, now)).join(" ")
  return r.comment === null ? body : `${body} comment "${r.comment}"`
}

const setBlock = (set: NftSet, now: Nanos): string => {
  let s = `\t${set.isMap ? "map" : "set"} ${set.name} {\n\t\ttype ${set.keyType.join(" . ")}${set.isMap ? " : verdict" : ""}\n`
  const size = effectiveSize(set)
  if (size !== null) s += `\t\tsize ${size}\n`
  if (set.flags.length > 0) s += `\t\tflags ${orderFlags(set.flags).join(",")}\n`
  if (set.timeout !== null) s += `\t\ttimeout ${formatNftTime(set.timeout)}\n`
  if (set.comment !== null) s += `\t\tcomment "${set.comment}"\n`
  if (sortedElements(set, now).length > 0) s += `\t\telements = ${elementsText(set, now, false)}\n`
  return `${s}\t}\n`
}

// src/rule.c set_print_declaration: constant, interval, timeout, dynamic (NFT_SET_* bit order).
const orderFlags = (flags: ReadonlyArray<string>): string[] => ["constant", "interval", "dynamic", "timeout"].filter((f) => flags.includes(f))

const chainBlock = (ch: NftChain, now: Nanos): string => {
  let s = `\tchain ${ch.name} {\n`
  if (ch.comment !== null) s += `\t\tcomment "${ch.comment}"\n`
  if (ch.base !== null) s += `\t\ttype ${ch.base.type} hook ${ch.base.hook} priority ${formatPriority(ch.base.priority, ch.base.hook)}; policy ${ch.base.policy};\n`
  for (const r of ch.rules) s += `\t\t${ruleText(r, now)}\n`
  return `${s}\t}\n`
}

/** One table as `nft list table ip NAME` prints it. */
export const renderNftTable = (t: NftTable, now: Nanos): string => {
  const parts: string[] = []
  for (const set of t.sets.values()) parts.push(setBlock(set, now))
  for (const ch of t.chains.values()) parts.push(chainBlock(ch, now))
  const head = `table ip ${t.name} {\n${t.comment !== null ? `\tcomment "${t.comment}"\n` : ""}`
  return `${head}${parts.join("\n")}}\n`
}

/** `nft list ruleset`: every table in creation order. Element expiry is shown relative to `now`. */
export const renderNftRuleset = (rs: NftRuleset, now: Nanos = 0): string => {
  let s = ""
  for (const t of rs.tables.values()) s += renderNftTable(t, now)
  return s
}
