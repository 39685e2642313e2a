import { tryParseIpv4 } from "../addr/index"
import { NftError } from "./errors"
import { newSet, type NftElement, type NftKeyPart, type NftRejectWith, type NftRhs, type NftSelector, type NftSet, type NftStatement, type NftTable, type NftType, type NftVerdict } from "./model"
import type { NftToken } from "./tokenize"
import { CT_STATE_NAMES, parseNftTime, parseValue, selectorType } from "./values"

/** A cursor over one rule's (or one element list's) tokens. */
export class Cursor {
  i = 0
  constructor(
    readonly toks: ReadonlyArray<NftToken>,
    readonly line: number,
  ) {}
  peek(k = 0): NftToken | undefined {
    return this.toks[this.i + k]
  }
  word(k = 0): string | undefined {
    const t = this.toks[this.i + k]
    return t !== undefined && t.kind === "word" ? t.text : undefined
  }
  atEnd(): boolean {
    return this.i >= this.toks.length
  }
  next(what: string): NftToken {
    const t = this.toks[this.i]
    if (t === undefined) throw new NftError(this.line, `expected ${what} at the end of the statement`)
    this.i++
    return t
  }
  expectWord(what: string): string {
    const t = this.next(what)
    if (t.kind !== "word") throw new NftError(t.line, `expected ${what}, got "${t.text}"`)
    return t.text
  }
  expectPunct(p: string): void {
    const t = this.next(`"${p}"`)
    if (t.kind !== "punct" || t.text !== p) throw new NftError(t.line, `expected "${p}", got "${t.text}"`)
  }
  isPunct(p: string, k = 0): boolean {
    const t = this.toks[this.i + k]
    return t !== undefined && t.kind === "punct" && t.text === p
  }
  fail(detail: string): never {
    throw new NftError(this.peek()?.line ?? this.line, detail)
  }
}

const VERDICT_WORDS = new Set(["accept", "drop", "return", "continue", "jump", "goto"])

/** Parses a verdict (`drop`, `goto chain`); checks a jump target exists and is not a base chain (nf_tables_api.c). */
export const parseVerdict = (c: Cursor, table: NftTable): NftVerdict => {
  const w = c.expectWord("a verdict")
  switch (w) {
    case "accept":
    case "drop":
    case "return":
    case "continue":
      return { kind: w }
    case "jump":
    case "goto": {
      const chain = c.expectWord("a chain name")
      const target = table.chains.get(chain)
      if (target === undefined) c.fail(`${w} to chain "${chain}", which does not exist in table ip ${table.name} (No such file or directory)`)
      if (target.base !== null) c.fail(`${w} to base chain "${chain}" (Operation not supported)`)
      return { kind: w, chain }
    }
    default:
      return c.fail(`expected a verdict (accept, drop, return, continue, jump, goto), got "${w}"`)
  }
}

/** One key part of `type`, from a word (or a quoted string for ifname); ct_state lists use commas. */
const parsePart = (c: Cursor, type: NftType): NftKeyPart => {
  const t = c.next(`a ${type} value`)
  if (t.kind !== "word") throw new NftError(t.line, `expected a ${type} value, got "${t.text}"`)
  const p = parseValue(type, t.text)
  if (p === null) throw new NftError(t.line, `"${t.text}" is not a valid ${type} value`)
  return p
}

/** A key: parts joined by ` . `, typed by `types`. */
export const parseKey = (c: Cursor, types: ReadonlyArray<NftType>): NftKeyPart[] => {
  const key: NftKeyPart[] = []
  for (let k = 0; k < types.length; k++) {
    if (k > 0) {
      if (c.word() !== ".") c.fail(`expected "." and a ${types[k]} value (the key is ${types.join(" . ")})`)
      c.i++
    }
    key.push(parsePart(c, types[k] as NftType))
  }
  return key
}

/** `{ elem, elem }` of a set or map whose key types are `types`; the cursor is at `{`. */
/** `isMap` "optional": a map's keys, values allowed but not needed (`delete element` names keys only). */
export const parseElements = (c: Cursor, types: ReadonlyArray<NftType>, isMap: boolean | "optional", table: NftTable, setTimeout: number | null): NftElement[] => {
  c.expectPunct("{")
  const out: NftElement[] = []
  for (;;) {
    while (c.peek()?.kind === "nl") c.i++
    if (c.isPunct("}")) {
      c.i++
      return out
    }
    const key = parseKey(c, types)
    let comment: string | null = null
    let timeout: number | null = null
    let expiresIn: number | null = null
    for (;;) {
      const w = c.word()
      if (w === "comment") {
        c.i++
        const s = c.next("a quoted comment")
        if (s.kind !== "string") throw new NftError(s.line, "expected a quoted comment")
        comment = s.text
      } else if (w === "timeout" || w === "expires") {
        c.i++
        const v = parseNftTime(c.expectWord("a time"))
        if (v === null) c.fail(`expected a time such as 10s or 3h after "${w}"`)
        if (w === "timeout") timeout = v
        else expiresIn = v
      } else break
    }
    let verdict: NftVerdict | null = null
    if (isMap === true || (isMap === "optional" && c.isPunct(":"))) {
      c.expectPunct(":")
      verdict = parseVerdict(c, table)
    } else if (c.isPunct(":")) c.fail("a set element has no value (use a map)")
    const t = timeout ?? setTimeout
    out.push({
      key,
      verdict,
      comment,
      timeout: timeout !== null && timeout !== setTimeout ? timeout : null,
      // The caller turns "expires in" into absolute time; stash it in `expires` (relative) for now.
      expires: expiresIn ?? t,
    })
    while (c.peek()?.kind === "nl") c.i++
    if (c.isPunct(",")) c.i++
    else if (!c.isPunct("}")) c.fail(`expected "," or "}" after a set element`)
  }
}

/** An anonymous set (`{ 10.0.0.0/8, 1.2.3.4 }`) of the given key types. */
const anonSet = (c: Cursor, types: ReadonlyArray<NftType>, isMap: boolean, table: NftTable): NftSet => {
  const set = newSet({ name: "", isMap, keyType: types, flags: ["constant"], timeout: null, size: null, comment: null })
  const elems = parseElements(c, types, isMap, table, null)
  let interval = false
  for (const e of elems) {
    if (e.key.some((p) => p.prefix !== 32)) interval = true
    set.elements.set(keyString(e.key), { ...e, expires: null })
  }
  return interval ? { ...set, interval: true } : set
}

/** The string a key is stored under (exact parts; prefixes kept). */
export const keyString = (key: ReadonlyArray<NftKeyPart>): string => key.map((p) => (p.prefix === 32 ? String(p.value) : `${p.value}/${p.prefix}`)).join(".")

/** One selector, or null if the cursor is not at one. */
const parseSelector = (c: Cursor): NftSelector | null => {
  const w = c.word()
  const w1 = c.word(1)
  switch (w) {
    case "ip":
      if (w1 === "saddr" || w1 === "daddr" || w1 === "protocol") {
        c.i += 2
        return { kind: "ip", field: w1 }
      }
      return c.fail(`expected saddr, daddr or protocol after "ip", got "${w1 ?? ""}"`)
    case "meta":
      if (w1 === "l4proto" || w1 === "mark" || w1 === "iifname" || w1 === "oifname") {
        c.i += 2
        return { kind: "meta", key: w1 }
      }
      return c.fail(`meta ${w1 ?? ""}: the simulator models meta l4proto, mark, iifname and oifname`)
    case "mark":
    case "iifname":
    case "oifname":
      c.i++
      return { kind: "meta", key: w }
    case "th":
    case "tcp":
    case "udp":
    case "sctp":
      if (w1 === "sport" || w1 === "dport") {
        c.i += 2
        return w === "th" ? { kind: "th", field: w1 } : { kind: "l4", proto: w, field: w1 }
      }
      return c.fail(`expected sport or dport after "${w}", got "${w1 ?? ""}"`)
    case "ct":
      if (w1 === "state") {
        c.i += 2
        return { kind: "ct-state" }
      }
      return c.fail(`ct ${w1 ?? ""}: the simulator models ct state only`)
    case "fib":
      if ((w1 === "saddr" || w1 === "daddr") && c.word(2) === "type") {
        c.i += 3
        return { kind: "fib", addr: w1 }
      }
      return c.fail(`fib: the simulator models "fib saddr type" and "fib daddr type" only`)
    case "numgen": {
      c.i++
      const mode = c.expectWord("random or inc")
      if (mode !== "random" && mode !== "inc") c.fail(`numgen ${mode}: expected random or inc`)
      if (c.expectWord("mod") !== "mod") c.fail(`expected "mod" after numgen ${mode}`)
      const mod = Number(c.expectWord("a modulus"))
      if (!Number.isInteger(mod) || mod < 1) c.fail("numgen mod needs a positive integer")
      let offset = 0
      if (c.word() === "offset") {
        c.i++
        offset = Number(c.expectWord("an offset"))
        if (!Number.isInteger(offset) || offset < 0) c.fail("numgen offset needs a non-negative integer")
      }
      return { kind: "numgen", mode, mod, offset }
    }
    default:
      return null
  }
}

const REJECT_CODES = new Set<string>(["net-unreachable", "host-unreachable", "port-unreachable", "prot-unreachable", "net-prohibited", "host-prohibited", "admin-prohibited"])

/** Reads a set reference `@name`, checking it exists in the table. */
const setRef = (c: Cursor, table: NftTable, wantMap: boolean): string => {
  const w = c.expectWord("@set")
  if (!w.startsWith("@")) c.fail(`expected @name, got "${w}"`)
  const name = w.slice(1)
  const s = table.sets.get(name)
  if (s === undefined) c.fail(`${wantMap ? "map" : "set"} "${name}" does not exist in table ip ${table.name} (No such file or directory)`)
  if (s.isMap !== wantMap) c.fail(`"${name}" is a ${s.isMap ? "map" : "set"}, expected a ${wantMap ? "map" : "set"}`)
  return name
}

const sameTypes = (a: ReadonlyArray<NftType>, b: ReadonlyArray<NftType>): boolean => a.length === b.length && a.every((t, i) => t === b[i])

/**
 * Parses a rule's statements (nft's parser_bison.y rule grammar, reduced to what kube-proxy and common rulesets
 * use): matches (`ip daddr 10.0.0.0/8`, `mark and 0x4000 == 0`, `ct state new`, lookups `@set`, anonymous sets),
 * verdict maps, counter, meta mark set, update @set, dnat/snat/masquerade, reject, verdicts and a trailing comment.
 */
export const parseStatements = (c: Cursor, table: NftTable): { statements: NftStatement[]; comment: string | null } => {
  const out: NftStatement[] = []
  let comment: string | null = null
  while (!c.atEnd()) {
    if (comment !== null) c.fail("a rule's comment must come last")
    const w = c.word()
    const start = c.i
    if (w === undefined) {
      const t = c.peek() as NftToken
      c.fail(`unexpected "${t.text}"`)
    }
    if (w === "comment") {
      c.i++
      const s = c.next("a quoted comment")
      if (s.kind !== "string") throw new NftError(s.line, "expected a quoted comment")
      comment = s.text
      continue
    }
    if (w === "counter") {
      c.i++
      let packets = 0
      let bytes = 0
      if (c.word() === "packets") {
        c.i++
        packets = Number(c.expectWord("a packet count"))
        if (c.expectWord("bytes") !== "bytes") c.fail('expected "bytes" after the packet count')
        bytes = Number(c.expectWord("a byte count"))
        if (!Number.isInteger(packets) || !Number.isInteger(bytes)) c.fail("counter values must be integers")
      }
      out.push({ kind: "counter", counter: { packets, bytes } })
      continue
    }
    if ((w === "mark" && c.word(1) === "set") || (w === "meta" && c.word(1) === "mark" && c.word(2) === "set")) {
      c.i += w === "mark" ? 2 : 3
      out.push(parseMarkSet(c))
      continue
    }
    if (w === "update" || (w === "add" && c.word(1)?.startsWith("@") === true)) {
      c.i++
      const name = setRef(c, table, false)
      c.expectPunct("{")
      const key: NftSelector[] = []
      for (;;) {
        const s = parseSelector(c)
        if (s === null) c.fail(`expected a selector such as "ip saddr" in update @${name} { … }`)
        key.push(s)
        if (c.word() !== ".") break
        c.i++
      }
      c.expectPunct("}")
      const set = table.sets.get(name) as NftSet
      if (!sameTypes(key.map(selectorType), set.keyType)) c.fail(`update @${name}: the key is ${key.map(selectorType).join(" . ")}, the set holds ${set.keyType.join(" . ")}`)
      if (!set.flags.includes("dynamic")) c.fail(`update @${name}: the set needs "flags dynamic" to be updated from the packet path`)
      out.push({ kind: "update", set: name, key })
      continue
    }
    if (w === "dnat" || w === "snat") {
      c.i++
      if (c.word() === "ip") c.i++
      if (c.expectWord('"to"') !== "to") c.fail(`expected "to" after ${w}`)
      const addr = tryParseIpv4(c.expectWord("an address"))
      if (addr === null) c.fail(`${w} to: expected an IPv4 address`)
      let port: number | null = null
      if (c.isPunct(":")) {
        c.i++
        const p = Number(c.expectWord("a port"))
        if (!Number.isInteger(p) || p < 0 || p > 65535) c.fail(`${w} to: bad port`)
        if (!out.some((s) => s.kind === "match" && s.lhs.length === 1 && (s.lhs[0]?.kind === "l4" || (s.lhs[0]?.kind === "meta" && s.lhs[0].key === "l4proto") || (s.lhs[0]?.kind === "ip" && s.lhs[0].field === "protocol")))) {
          c.fail("transport protocol mapping is only valid after transport protocol match")
        }
        port = p
      }
      out.push({ kind: "nat", nat: w, addr, port })
      continue
    }
    if (w === "masquerade") {
      c.i++
      let random = false
      let fullyRandom = false
      while (c.word() === "random" || c.word() === "fully-random" || c.word() === "persistent") {
        const f = c.expectWord("a flag")
        if (f === "random") random = true
        if (f === "fully-random") fullyRandom = true
        if (c.isPunct(",")) c.i++
      }
      out.push({ kind: "masquerade", random, fullyRandom })
      continue
    }
    if (w === "reject") {
      c.i++
      let withCode: NftRejectWith | null = null
      if (c.word() === "with") {
        c.i++
        const what = c.expectWord("icmp or tcp")
        if (what === "tcp") {
          if (c.expectWord("reset") !== "reset") c.fail('expected "reset" after "reject with tcp"')
          withCode = "tcp reset"
        } else if (what === "icmp") {
          if (c.word() === "type") c.i++
          const code = c.expectWord("an icmp code")
          if (!REJECT_CODES.has(code)) c.fail(`reject with icmp ${code}: unknown code`)
          withCode = code === "port-unreachable" ? null : (code as NftRejectWith)
        } else c.fail(`reject with ${what}: expected icmp or tcp`)
      }
      out.push({ kind: "reject", with: withCode })
      continue
    }
    if (VERDICT_WORDS.has(w)) {
      out.push({ kind: "verdict", verdict: parseVerdict(c, table) })
      continue
    }
    const lhs: NftSelector[] = []
    for (;;) {
      const s = parseSelector(c)
      if (s === null) {
        c.i = start
        c.fail(`unexpected "${c.word() ?? ""}": not a statement or expression the simulator models`)
      }
      lhs.push(s)
      if (c.word() !== ".") break
      c.i++
    }
    const types = lhs.map(selectorType)
    if (c.word() === "vmap") {
      c.i++
      if (c.word()?.startsWith("@") === true) {
        const name = setRef(c, table, true)
        const m = table.sets.get(name) as NftSet
        if (!sameTypes(types, m.keyType)) c.fail(`vmap @${name}: the key is ${types.join(" . ")}, the map holds ${m.keyType.join(" . ")}`)
        out.push({ kind: "vmap", lhs, map: { kind: "named", set: name } })
      } else out.push({ kind: "vmap", lhs, map: { kind: "anon", set: anonSet(c, types, true, table) } })
      continue
    }
    let mask: number | null = null
    if (c.word() === "and" || c.word() === "&") {
      if (lhs.length !== 1 || (types[0] !== "mark" && types[0] !== "integer")) c.fail(`"and" applies to a mark here`)
      c.i++
      mask = (parsePart(c, "mark").value >>> 0) as number
    }
    let op: "==" | "!=" = "=="
    if (c.word() === "==" || c.word() === "!=") op = c.expectWord("an operator") as "==" | "!="
    let rhs: NftRhs
    if (c.word()?.startsWith("@") === true) {
      const name = setRef(c, table, false)
      const s = table.sets.get(name) as NftSet
      if (!sameTypes(types, s.keyType)) c.fail(`@${name}: the key is ${types.join(" . ")}, the set holds ${s.keyType.join(" . ")}`)
      rhs = { kind: "named", set: name }
    } else if (c.isPunct("{")) {
      if (types.includes("ifname")) c.fail("sets of interface names are not modelled")
      rhs = { kind: "anon", set: anonSet(c, types, false, table) }
    } else if (types.length === 1 && types[0] === "ifname") {
      const s = c.next("an interface name")
      rhs = { kind: "value", key: [], text: s.text }
    } else if (types.length === 1 && types[0] === "ct_state") {
      let bits = 0
      for (;;) {
        const name = c.expectWord("a ct state")
        const hit = CT_STATE_NAMES.find(([n]) => n === name)
        if (hit === undefined) c.fail(`"${name}" is not a ct state (invalid, established, related, new, untracked)`)
        bits |= hit[1]
        if (!c.isPunct(",")) break
        c.i++
      }
      rhs = { kind: "value", key: [{ value: bits, prefix: 32 }], text: null }
    } else rhs = { kind: "value", key: parseKey(c, types), text: null }
    out.push({ kind: "match", lhs, mask, op, rhs })
  }
  return { statements: out, comment }
}

const parseMarkSet = (c: Cursor): NftStatement => {
  const w = c.word()
  if (w === "mark" || (w === "meta" && c.word(1) === "mark")) {
    c.i += w === "mark" ? 1 : 2
    const op = c.expectWord("or, xor or and")
    const kind = op === "or" || op === "|" ? "or" : op === "xor" || op === "^" ? "xor" : op === "and" || op === "&" ? "and" : null
    if (kind === null) c.fail(`mark set mark ${op}: expected or, xor or and`)
    return { kind: "mark", op: kind, value: parsePart(c, "mark").value }
  }
  return { kind: "mark", op: "set", value: parsePart(c, "mark").value }
}
