import type { Nanos } from "../../sim/index"
import { NftError } from "./errors"
import { effectiveSize, newSet, type NftBaseSpec, type NftChain, type NftElement, type NftHook, type NftSet, type NftTable, type NftType } from "./model"
import { parsePriority } from "./priority"
import type { NftRuleset } from "./ruleset"
import { Cursor, keyString, parseElements, parseStatements } from "./parse-statements"
import { tokenize, type NftToken } from "./tokenize"
import { validateTable } from "./validate"
import { parseNftTime } from "./values"

export interface ApplyNftOptions {
  /** Simulated time of the transaction (element timeouts count from it). */
  readonly now?: Nanos
  /** Check only (`nft -c -f`): run every command and the commit checks, then leave the ruleset as it was. */
  readonly dryRun?: boolean
  /**
   * Skip the commit checks (validate.ts walks the whole table): only for a transaction that passed a dry run
   * against this very state (same `generation`), so the checks would pass again.
   */
  readonly checkedAtGeneration?: number
}

/** What a transaction did, for the cost model (nft's work grows with the objects it touches). */
export interface NftApplyResult {
  /** Commands in the transaction (lines of `add`/`flush`/`delete`, or objects of a block-form table). */
  readonly commands: number
}

const HOOKS = new Set<string>(["prerouting", "input", "forward", "output", "postrouting"])
const TYPES = new Set<string>(["ipv4_addr", "inet_proto", "inet_service", "mark", "ifname", "ct_state", "integer"])
const FLAGS = new Set<string>(["constant", "interval", "timeout", "dynamic"])

/**
 * Runs an `nft -f` file against the ruleset as one transaction (nf_tables' batch: all or nothing). Accepts the
 * command form kube-proxy (knftables) writes (`add table|chain|set|map|element|rule`, `insert rule`,
 * `flush …`, `delete …`, `flush ruleset`) and the block form `nft list ruleset` prints (`table ip t { … }`).
 * Errors name the line and what the kernel or nft would say; on error nothing changes.
 */
export const applyNft = (rs: NftRuleset, text: string, options: ApplyNftOptions = {}): NftApplyResult => {
  const tx = new Transaction(rs, text, tokenize(text), options.now ?? 0)
  try {
    tx.run()
    const checked = options.checkedAtGeneration !== undefined && options.checkedAtGeneration === rs.generation
    if (!checked) for (const t of tx.touched) {
      const table = rs.tables.get(t)
      if (table !== undefined) validateTable(table)
    }
  } catch (e) {
    tx.rollback()
    throw e
  }
  if (options.dryRun === true) {
    tx.rollback()
    return { commands: tx.commands }
  }
  rs.generation++
  return { commands: tx.commands }
}

class Transaction {
  private i = 0
  private readonly undo: Array<() => void> = []
  readonly touched = new Set<string>()
  commands = 0

  constructor(
    private readonly rs: NftRuleset,
    private readonly source: string,
    private readonly toks: ReadonlyArray<NftToken>,
    private readonly now: Nanos,
  ) {}

  rollback(): void {
    for (let k = this.undo.length - 1; k >= 0; k--) (this.undo[k] as () => void)()
  }

  private peek(): NftToken {
    return this.toks[this.i] as NftToken
  }
  private fail(detail: string, line = this.peek().line): never {
    throw new NftError(line, detail)
  }
  private word(what: string): string {
    const t = this.peek()
    if (t.kind !== "word") this.fail(`expected ${what}, got ${t.kind === "nl" ? "the end of the line" : `"${t.text}"`}`)
    this.i++
    return t.text
  }
  private optFamily(): void {
    const t = this.peek()
    if (t.kind === "word" && (t.text === "ip6" || t.text === "inet" || t.text === "arp" || t.text === "bridge" || t.text === "netdev")) {
      this.fail(`family ${t.text}: the simulator models the ip family only`)
    }
    if (t.kind === "word" && t.text === "ip") this.i++
  }
  /** Tokens up to the end of the line (or `;`) at brace depth 0. */
  private restOfLine(): NftToken[] {
    const out: NftToken[] = []
    let depth = 0
    for (;;) {
      const t = this.peek()
      if (t === undefined) break
      if (depth === 0 && (t.kind === "nl" || (t.kind === "punct" && t.text === ";"))) break
      if (t.kind === "nl") {
        this.i++
        continue
      }
      if (t.kind === "punct" && t.text === "{") depth++
      if (t.kind === "punct" && t.text === "}") depth--
      out.push(t)
      this.i++
    }
    return out
  }
  /** The tokens inside `{ … }` (balanced), the cursor past the closing brace. */
  private block(): NftToken[] {
    const open = this.peek()
    if (open.kind !== "punct" || open.text !== "{") this.fail(`expected "{"`)
    this.i++
    const out: NftToken[] = []
    let depth = 1
    for (;;) {
      const t = this.toks[this.i]
      if (t === undefined) this.fail(`unbalanced "{" (opened on line ${open.line})`, open.line)
      this.i++
      if (t.kind === "punct" && t.text === "{") depth++
      if (t.kind === "punct" && t.text === "}" && --depth === 0) return out
      out.push(t)
    }
  }

  run(): void {
    for (;;) {
      const t = this.peek()
      if (t === undefined) return
      if (t.kind === "nl" || (t.kind === "punct" && t.text === ";")) {
        this.i++
        continue
      }
      if (t.kind !== "word") this.fail(`unexpected "${t.text}"`)
      this.commands++
      const verb = this.word("a command")
      switch (verb) {
        case "add":
        case "create":
          this.add(verb === "create")
          break
        case "insert":
          if (this.word('"rule"') !== "rule") this.fail('only "insert rule" exists')
          this.addRule(true)
          break
        case "flush":
          this.flush()
          break
        case "delete":
        case "destroy":
          this.delete(verb === "destroy")
          break
        case "table":
          this.tableBlock()
          break
        default:
          this.fail(`unknown command "${verb}" (expected add, create, insert, flush, delete, destroy or table)`, t.line)
      }
    }
  }

  // ------------------------------------------------------------------ objects

  private tableOf(name: string, line: number): NftTable {
    const t = this.rs.tables.get(`ip ${name}`)
    if (t === undefined) this.fail(`table ip ${name} does not exist (No such file or directory)`, line)
    this.touched.add(`ip ${name}`)
    return t
  }

  private ensureTable(name: string, create: boolean, line: number): NftTable {
    const key = `ip ${name}`
    let t = this.rs.tables.get(key)
    if (t !== undefined) {
      if (create) this.fail(`table ip ${name} already exists (File exists)`, line)
    } else {
      t = { family: "ip", name, comment: null, sets: new Map(), chains: new Map(), nextHandle: 1 }
      this.rs.tables.set(key, t)
      this.undo.push(() => this.rs.tables.delete(key))
    }
    this.touched.add(key)
    return t
  }

  private add(create: boolean): void {
    const line = this.peek().line
    const what = this.word("table, chain, set, map, element or rule")
    switch (what) {
      case "table": {
        this.optFamily()
        const t = this.ensureTable(this.word("a table name"), create, line)
        if (this.peek().kind === "punct" && this.peek().text === "{") this.tableSpec(t, this.block(), line)
        return
      }
      case "chain": {
        this.optFamily()
        const t = this.tableOf(this.word("a table name"), line)
        const name = this.word("a chain name")
        const spec = this.peek().kind === "punct" && this.peek().text === "{" ? this.block() : []
        this.ensureChain(t, name, spec, create, line)
        return
      }
      case "set":
      case "map": {
        this.optFamily()
        const t = this.tableOf(this.word("a table name"), line)
        const name = this.word(`a ${what} name`)
        this.ensureSet(t, name, what === "map", this.block(), create, line)
        return
      }
      case "element": {
        this.optFamily()
        const t = this.tableOf(this.word("a table name"), line)
        const name = this.word("a set name")
        const set = t.sets.get(name)
        if (set === undefined) this.fail(`set ${name} does not exist in table ip ${t.name} (No such file or directory)`, line)
        this.addElements(t, set, this.restOfLine(), create, line)
        return
      }
      case "rule":
        this.addRule(false)
        return
      default:
        this.fail(`add ${what}: expected table, chain, set, map, element or rule`, line)
    }
  }

  private tableSpec(t: NftTable, toks: NftToken[], line: number): void {
    const c = new Cursor(toks.filter((x) => x.kind !== "nl"), line)
    while (!c.atEnd()) {
      if (c.isPunct(";")) {
        c.i++
        continue
      }
      const w = c.expectWord("comment or flags")
      if (w === "comment") {
        const s = c.next("a quoted comment")
        if (s.kind !== "string") c.fail("expected a quoted comment")
        this.setTableComment(t, s.text)
      } else c.fail(`table option "${w}" is not modelled (expected comment)`)
    }
  }

  private setTableComment(t: NftTable, comment: string): void {
    const old = t.comment
    t.comment = comment
    this.undo.push(() => (t.comment = old))
  }

  private chainSpec(toks: NftToken[], line: number): { base: NftBaseSpec | null; comment: string | null } {
    const c = new Cursor(toks.filter((x) => x.kind !== "nl"), line)
    let type: string | null = null
    let hook: string | null = null
    let prio: number | null = null
    let policy: "accept" | "drop" = "accept"
    let comment: string | null = null
    while (!c.atEnd()) {
      if (c.isPunct(";")) {
        c.i++
        continue
      }
      const w = c.expectWord("type, policy or comment")
      if (w === "type") {
        type = c.expectWord("filter or nat")
        if (type !== "filter" && type !== "nat") c.fail(`chain type ${type}: the simulator models filter and nat`)
        if (c.expectWord('"hook"') !== "hook") c.fail('expected "hook" after the chain type')
        hook = c.expectWord("a hook")
        if (!HOOKS.has(hook)) c.fail(`hook ${hook}: expected prerouting, input, forward, output or postrouting`)
        if (c.expectWord('"priority"') !== "priority") c.fail('expected "priority" after the hook')
        let text = ""
        while (!c.atEnd() && !c.isPunct(";")) text += c.expectWord("a priority")
        prio = parsePriority(text)
        if (prio === null) c.fail(`priority "${text}": expected a number or raw, mangle, dstnat, filter, security, srcnat (± offset)`)
      } else if (w === "policy") {
        const p = c.expectWord("accept or drop")
        if (p !== "accept" && p !== "drop") c.fail(`policy ${p}: expected accept or drop`)
        policy = p as "accept" | "drop"
      } else if (w === "comment") {
        const s = c.next("a quoted comment")
        if (s.kind !== "string") c.fail("expected a quoted comment")
        comment = s.text
      } else c.fail(`chain option "${w}" is not modelled (expected type, policy or comment)`)
    }
    if (type === "nat" && (hook === "forward")) c.fail("nat chains cannot use the forward hook (Operation not supported)")
    const base = type === null ? null : { type: type as "filter" | "nat", hook: hook as NftHook, priority: prio as number, policy }
    return { base, comment }
  }

  private ensureChain(t: NftTable, name: string, spec: NftToken[], create: boolean, line: number): NftChain {
    const { base, comment } = this.chainSpec(spec, line)
    if (name.length > 255) this.fail(`chain name longer than 255 characters: ${name.slice(0, 40)}…`, line)
    const old = t.chains.get(name)
    if (old !== undefined) {
      if (create) this.fail(`chain ${name} already exists (File exists)`, line)
      if (base !== null && (old.base === null || old.base.type !== base.type || old.base.hook !== base.hook || old.base.priority !== base.priority)) {
        this.fail(`chain ${name} exists with a different type, hook or priority (Device or resource busy)`, line)
      }
      if (comment !== null && comment !== old.comment) {
        const prev = old.comment
        old.comment = comment
        this.undo.push(() => (old.comment = prev))
      }
      return old
    }
    const ch: NftChain = { name, base, comment, rules: [] }
    t.chains.set(name, ch)
    this.undo.push(() => t.chains.delete(name))
    return ch
  }

  private ensureSet(t: NftTable, name: string, isMap: boolean, toks: NftToken[], create: boolean, line: number, later?: Array<() => void>): void {
    const c = new Cursor(toks, line)
    let keyType: NftType[] | null = null
    let flags: Array<"constant" | "interval" | "timeout" | "dynamic"> = []
    let timeout: number | null = null
    let size: number | null = null
    let comment: string | null = null
    let elemStart = -1
    while (!c.atEnd()) {
      if (c.isPunct(";") || c.peek()?.kind === "nl") {
        c.i++
        continue
      }
      const w = c.expectWord("type, flags, timeout, size, comment or elements")
      if (w === "type") {
        keyType = []
        for (;;) {
          const ty = c.expectWord("a data type")
          if (!TYPES.has(ty)) c.fail(`type ${ty}: the simulator models ${[...TYPES].join(", ")}`)
          keyType.push(ty as NftType)
          if (c.word() !== ".") break
          c.i++
        }
        if (isMap) {
          c.expectPunct(":")
          if (c.expectWord("verdict") !== "verdict") c.fail("only verdict maps are modelled (type … : verdict)")
        }
      } else if (w === "flags") {
        for (;;) {
          const f = c.expectWord("a set flag")
          if (!FLAGS.has(f)) c.fail(`flag ${f}: expected constant, interval, timeout or dynamic`)
          flags.push(f as (typeof flags)[number])
          if (!c.isPunct(",")) break
          c.i++
        }
      } else if (w === "timeout") {
        timeout = parseNftTime(c.expectWord("a time"))
        if (timeout === null) c.fail("timeout: expected a time such as 10800s or 3h")
      } else if (w === "size") {
        size = Number(c.expectWord("a size"))
        if (!Number.isInteger(size) || size < 1) c.fail("size: expected a positive integer")
      } else if (w === "comment") {
        const s = c.next("a quoted comment")
        if (s.kind !== "string") c.fail("expected a quoted comment")
        comment = s.text
      } else if (w === "elements") {
        if (c.word() !== "=") c.fail('expected "=" after elements')
        c.i++
        elemStart = c.i
        let depth = 0
        do {
          const x = c.next("}")
          if (x.kind === "punct" && x.text === "{") depth++
          if (x.kind === "punct" && x.text === "}") depth--
        } while (depth > 0)
      } else if (w === "policy" || w === "gc-interval") c.expectWord("a value")
      else c.fail(`${isMap ? "map" : "set"} option "${w}" is not modelled`)
    }
    if (keyType === null) this.fail(`${isMap ? "map" : "set"} ${name} needs a type`, line)
    if (keyType.length > 1 && flags.includes("interval")) this.fail(`${name}: interval sets of concatenations are not modelled`, line)
    if (keyType.includes("ifname")) this.fail(`${name}: sets of interface names are not modelled`, line)
    const old = t.sets.get(name)
    let set: NftSet
    if (old !== undefined) {
      if (create) this.fail(`${isMap ? "map" : "set"} ${name} already exists (File exists)`, line)
      if (old.isMap !== isMap || old.keyType.join(".") !== keyType.join(".")) this.fail(`${name} exists with a different type (File exists)`, line)
      set = old
    } else {
      set = newSet({ name, isMap, keyType, flags, timeout, size, comment })
      t.sets.set(name, set)
      this.undo.push(() => t.sets.delete(name))
    }
    if (elemStart >= 0) {
      const put = () => this.putElements(set, parseElements(new Cursor(toks.slice(elemStart), line), set.keyType, set.isMap, t, set.timeout), false)
      // In a table block, map elements may name chains defined further down: add them once every chain exists.
      if (later !== undefined) later.push(put)
      else put()
    }
  }

  private addElements(t: NftTable, set: NftSet, toks: NftToken[], create: boolean, line: number): void {
    const c = new Cursor(toks, line)
    const elems = parseElements(c, set.keyType, set.isMap, t, set.timeout)
    if (!c.atEnd()) c.fail("unexpected text after the element list")
    this.putElements(set, elems, create)
  }

  private putElements(set: NftSet, elems: NftElement[], create: boolean): void {
    for (const e of elems) {
      if (!set.interval && e.key.some((p, k) => p.prefix !== 32 && set.keyType[k] === "ipv4_addr")) {
        this.fail(`set ${set.name}: a prefix needs "flags interval" (Invalid argument)`)
      }
      const k = keyString(e.key)
      const old = set.elements.get(k)
      if (old !== undefined) {
        if (create) this.fail(`element ${k} already exists in ${set.name} (File exists)`)
        if (set.isMap && (old.verdict?.kind !== e.verdict?.kind || (old.verdict as { chain?: string }).chain !== (e.verdict as { chain?: string }).chain)) {
          this.fail(`element already exists in map ${set.name} with another verdict (File exists)`)
        }
        continue
      }
      const limit = effectiveSize(set)
      if (limit !== null && set.elements.size >= limit) this.fail(`set ${set.name} is full (size ${limit})`)
      const stored: NftElement = { ...e, expires: e.expires === null ? null : this.now + e.expires }
      set.elements.set(k, stored)
      this.undo.push(() => set.elements.delete(k))
    }
  }

  private addRule(insert: boolean): void {
    const line = this.peek().line
    this.optFamily()
    const t = this.tableOf(this.word("a table name"), line)
    const chainName = this.word("a chain name")
    const chain = t.chains.get(chainName)
    if (chain === undefined) this.fail(`chain ${chainName} does not exist in table ip ${t.name} (No such file or directory)`, line)
    const toks = this.restOfLine()
    this.pushRule(t, chain, toks, insert, line)
  }

  private pushRule(t: NftTable, chain: NftChain, toks: NftToken[], insert: boolean, line: number): void {
    if (toks.length > 0 && toks[0]?.kind === "word" && (toks[0].text === "position" || toks[0].text === "handle" || toks[0].text === "index")) {
      this.fail(`rule ${toks[0].text}: positioned rules are not modelled`, line)
    }
    const c = new Cursor(toks, line)
    const { statements, comment } = parseStatements(c, t)
    const rule = { statements, comment, text: toks.length === 0 ? "" : this.source.slice((toks[0] as NftToken).pos, (toks[toks.length - 1] as NftToken).end), handle: t.nextHandle++ }
    const before = chain.rules
    chain.rules = insert ? [rule, ...before] : [...before, rule]
    this.undo.push(() => (chain.rules = before))
  }

  // ------------------------------------------------------------------ flush / delete

  private flush(): void {
    const line = this.peek().line
    const what = this.word("ruleset, table, chain, set or map")
    if (what === "ruleset") {
      const saved = [...this.rs.tables]
      this.rs.tables.clear()
      this.undo.push(() => {
        this.rs.tables.clear()
        for (const [k, v] of saved) this.rs.tables.set(k, v)
      })
      return
    }
    this.optFamily()
    const t = this.tableOf(this.word("a table name"), line)
    if (what === "table") {
      for (const ch of t.chains.values()) this.flushChain(ch)
      return
    }
    const name = this.word(`a ${what} name`)
    if (what === "chain") {
      const ch = t.chains.get(name)
      if (ch === undefined) this.fail(`chain ${name} does not exist (No such file or directory)`, line)
      this.flushChain(ch)
    } else if (what === "set" || what === "map") {
      const s = t.sets.get(name)
      if (s === undefined || s.isMap !== (what === "map")) this.fail(`${what} ${name} does not exist (No such file or directory)`, line)
      const saved = [...s.elements]
      s.elements.clear()
      this.undo.push(() => {
        s.elements.clear()
        for (const [k, v] of saved) s.elements.set(k, v)
      })
    } else this.fail(`flush ${what}: expected ruleset, table, chain, set or map`, line)
  }

  private flushChain(ch: NftChain): void {
    const before = ch.rules
    ch.rules = []
    this.undo.push(() => (ch.rules = before))
  }

  private delete(destroy: boolean): void {
    const line = this.peek().line
    const what = this.word("table, chain, set, map, element or rule")
    this.optFamily()
    const tname = this.word("a table name")
    const key = `ip ${tname}`
    const t = this.rs.tables.get(key)
    if (t === undefined) {
      if (destroy) return void this.restOfLine()
      this.fail(`table ip ${tname} does not exist (No such file or directory)`, line)
    }
    this.touched.add(key)
    if (what === "table") {
      this.removeKeepingOrder(this.rs.tables, key)
      return
    }
    if (what === "element") {
      const name = this.word("a set name")
      const set = t.sets.get(name)
      if (set === undefined) this.fail(`set ${name} does not exist (No such file or directory)`, line)
      const c = new Cursor(this.restOfLine(), line)
      for (const e of parseElements(c, set.keyType, set.isMap ? "optional" : false, t, null)) {
        const k = keyString(e.key)
        const old = set.elements.get(k)
        if (old === undefined) {
          if (destroy) continue
          this.fail(`element ${k} is not in ${set.name} (No such file or directory)`, line)
        }
        set.elements.delete(k)
        this.undo.push(() => set.elements.set(k, old))
      }
      return
    }
    if (what === "rule") this.fail("delete rule needs a handle; not modelled (flush the chain instead)", line)
    const name = this.word(`a ${what} name`)
    if (what === "chain") {
      const ch = t.chains.get(name)
      if (ch === undefined) {
        if (destroy) return
        this.fail(`chain ${name} does not exist (No such file or directory)`, line)
      }
      if (ch.rules.length > 0) this.fail(`chain ${name} is not empty (Device or resource busy)`, line)
      this.removeKeepingOrder(t.chains, name)
    } else if (what === "set" || what === "map") {
      const s = t.sets.get(name)
      if (s === undefined || s.isMap !== (what === "map")) {
        if (destroy) return
        this.fail(`${what} ${name} does not exist (No such file or directory)`, line)
      }
      this.removeKeepingOrder(t.sets, name)
    } else this.fail(`delete ${what}: expected table, chain, set, map or element`, line)
  }

  /** Deletes from an insertion-ordered map; the undo puts the entry back in its place. */
  private removeKeepingOrder<V>(m: Map<string, V>, name: string): void {
    const entries = [...m]
    m.delete(name)
    this.undo.push(() => {
      m.clear()
      for (const [k, v] of entries) m.set(k, v)
    })
  }

  // ------------------------------------------------------------------ block form

  /** `table ip NAME { comment "…" set … { … } map … { … } chain … { … } }` as `nft list ruleset` prints it. */
  private tableBlock(): void {
    const line = this.peek().line
    this.optFamily()
    const t = this.ensureTable(this.word("a table name"), false, line)
    const body = this.block()
    let k = 0
    const rules: Array<() => void> = []
    const nextLine = (): NftToken[] => {
      const out: NftToken[] = []
      while (k < body.length && (body[k]?.kind === "nl" || (body[k]?.kind === "punct" && body[k]?.text === ";"))) k++
      while (k < body.length) {
        const x = body[k] as NftToken
        if (x.kind === "nl" || (x.kind === "punct" && x.text === ";")) break
        out.push(x)
        k++
      }
      return out
    }
    const innerBlock = (): NftToken[] => {
      const open = body[k]
      if (open === undefined || open.kind !== "punct" || open.text !== "{") this.fail('expected "{"', open?.line ?? line)
      k++
      const out: NftToken[] = []
      let depth = 1
      for (;;) {
        const x = body[k]
        if (x === undefined) this.fail(`unbalanced "{" (opened on line ${open.line})`, open.line)
        k++
        if (x.kind === "punct" && x.text === "{") depth++
        if (x.kind === "punct" && x.text === "}" && --depth === 0) return out
        out.push(x)
      }
    }
    for (;;) {
      while (k < body.length && (body[k]?.kind === "nl" || (body[k]?.kind === "punct" && body[k]?.text === ";"))) k++
      if (k >= body.length) {
        for (const r of rules) r()
        return
      }
      const head = body[k] as NftToken
      if (head.kind !== "word") this.fail(`unexpected "${head.text}" in table ip ${t.name}`, head.line)
      this.commands++
      if (head.text === "comment") {
        const toks = nextLine()
        const s = toks[1]
        if (s === undefined || s.kind !== "string") this.fail("expected a quoted comment", head.line)
        this.setTableComment(t, s.text)
      } else if (head.text === "set" || head.text === "map") {
        k++
        const name = body[k++]
        if (name === undefined || name.kind !== "word") this.fail(`expected a ${head.text} name`, head.line)
        this.ensureSet(t, name.text, head.text === "map", innerBlock(), false, head.line, rules)
      } else if (head.text === "chain") {
        k++
        const name = body[k++]
        if (name === undefined || name.kind !== "word") this.fail("expected a chain name", head.line)
        rules.push(this.chainBlock(t, name.text, innerBlock(), head.line))
      } else this.fail(`unexpected "${head.text}" in table ip ${t.name} (expected comment, set, map or chain)`, head.line)
    }
  }

  /** A chain body: `comment`, `type … ; policy … ;` and one rule per line. Rules may reference chains defined later. */
  private chainBlock(t: NftTable, name: string, body: NftToken[], line: number): () => void {
    const lines: NftToken[][] = []
    let cur: NftToken[] = []
    let depth = 0
    for (const x of body) {
      if (x.kind === "punct" && x.text === "{") depth++
      if (x.kind === "punct" && x.text === "}") depth--
      if (depth === 0 && x.kind === "nl") {
        if (cur.length > 0) lines.push(cur)
        cur = []
      } else cur.push(x)
    }
    if (cur.length > 0) lines.push(cur)
    const spec: NftToken[] = []
    const rules: NftToken[][] = []
    for (const l of lines) {
      const w = l[0]?.text
      if (w === "type" || w === "policy" || w === "comment") spec.push(...l, { kind: "punct", text: ";", line: l[0]?.line ?? line, pos: 0, end: 0 })
      else rules.push(l.filter((x, idx) => !(idx === l.length - 1 && x.kind === "punct" && x.text === ";")))
    }
    const ch = this.ensureChain(t, name, spec, false, line)
    // Rules are parsed after every chain of the table exists (nft resolves the whole block before committing).
    return () => {
      for (const r of rules) this.pushRule(t, ch, r, false, r[0]?.line ?? line)
    }
  }

}

