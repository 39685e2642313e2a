/**
 * The canonical order upstream's tests compare restore payloads in (pkg/proxy/iptables/proxier_test.go
 * sortIPTablesRules over pkg/util/iptables/testing/parse.go ParseIPTablesDump / String): tables by name;
 * chains KUBE-NODEPORTS, KUBE-SERVICES, other KUBE-* alphabetically, then the rest alphabetically; rules
 * grouped by chain in that order, keeping their relative order, except that KUBE-NODEPORTS and KUBE-SERVICES
 * rules are stably sorted by the service name in their comment (nat KUBE-SERVICES' "must be the last rule"
 * rule stays last); `-X` lines after all rules. It makes output comparable regardless of service order.
 */

interface Chain {
  readonly name: string
  readonly counters: string
  readonly rules: string[]
  deleted: boolean
}

interface Table {
  readonly name: string
  readonly chains: Chain[]
}

/** A payload canonicalOrder could not read: line number (1-based) and why. */
export class IptablesDumpError extends Error {
  override readonly name = "IptablesDumpError"
}

const DECLARE_CHAIN = /^:([^ ]*) - \[([0-9]*):([0-9]*)\]$/
const ADD_RULE = /^-A ([^ ]*) (.*)$/
const DELETE_CHAIN = /^-X (.*)$/
const WORD = /(?:^|\s)("[^"]*"|[^"]\S*)/g

/** parse.go ParseRule's view of a rule's comment: the word after --comment, quotes trimmed. */
export const ruleComment = (rule: string): string | undefined => {
  const words: string[] = []
  for (const m of rule.matchAll(WORD)) words.push((m[1] as string).replace(/^"+|"+$/g, ""))
  const i = words.indexOf("--comment")
  return i >= 0 && i + 1 < words.length ? words[i + 1] : undefined
}

/** proxier_test.go orderByCommentServiceName's key: the comment up to the first space or colon. */
const serviceNameOf = (rule: string): string | undefined => {
  const c = ruleComment(rule)
  if (c === undefined) return undefined
  const i = c.search(/[ :]/)
  return i < 0 ? c : c.slice(0, i)
}

const parseDump = (data: string): Table[] => {
  const tables: Table[] = []
  let state: "table" | "chains" | "rules" = "table"
  let table: Table | undefined
  const lines = data.replace(/^\n+|\n+$/g, "").split("\n")
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim()
    if (line === "" || line.startsWith("#")) continue
    const where = `line ${n + 1} ("${line}")`
    if (state === "table") {
      if (!line.startsWith("*")) throw new IptablesDumpError(`${where}: expected a table declaration like *nat`)
      table = { name: line.slice(1), chains: [] }
      tables.push(table)
      state = "chains"
      continue
    }
    const t = table as Table
    if (state === "chains") {
      const m = DECLARE_CHAIN.exec(line)
      if (m !== null) {
        t.chains.push({ name: m[1] as string, counters: `[${m[2]}:${m[3]}]`, rules: [], deleted: false })
        continue
      }
      state = "rules"
    }
    const add = ADD_RULE.exec(line)
    if (add !== null) {
      const chain = t.chains.find((c) => c.name === add[1])
      if (chain === undefined) throw new IptablesDumpError(`${where}: rule for undeclared chain ${add[1]}`)
      if (chain.deleted) throw new IptablesDumpError(`${where}: cannot add rules to deleted chain ${add[1]}`)
      chain.rules.push(line)
      continue
    }
    const del = DELETE_CHAIN.exec(line)
    if (del !== null) {
      const chain = t.chains.find((c) => c.name === del[1])
      if (chain === undefined) throw new IptablesDumpError(`${where}: -X of undeclared chain ${del[1]}`)
      if (chain.rules.length !== 0) throw new IptablesDumpError(`${where}: cannot delete chain ${del[1]} after adding rules`)
      chain.deleted = true
      continue
    }
    if (line === "COMMIT") {
      state = "table"
      continue
    }
    throw new IptablesDumpError(`${where}: expected -A, -X or COMMIT`)
  }
  if (state !== "table") throw new IptablesDumpError("no COMMIT line at the end of the last table")
  return tables
}

const chainRank = (name: string): number => (name === "KUBE-NODEPORTS" ? 0 : name === "KUBE-SERVICES" ? 1 : name.startsWith("KUBE-") ? 2 : 3)

const byServiceName = (a: string, b: string): number => {
  const x = serviceNameOf(a)
  const y = serviceNameOf(b)
  if (x === undefined || y === undefined) return 0
  return x < y ? -1 : x > y ? 1 : 0
}

/** sortIPTablesRules: `data` (a restore payload) in canonical order. */
export const canonicalOrder = (data: string): string => {
  const tables = parseDump(data)
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  let out = ""
  for (const t of tables) {
    t.chains.sort((a, b) => chainRank(a.name) - chainRank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const c of t.chains) {
      if (c.name === "KUBE-NODEPORTS") c.rules.sort(byServiceName)
      else if (c.name === "KUBE-SERVICES") {
        const last = (r: string): boolean => (t.name === "nat" ? (ruleComment(r) ?? "").includes("must be the last rule") : false)
        c.rules.sort((a, b) => Number(last(a)) - Number(last(b)) || byServiceName(a, b))
      }
    }
    out += `*${t.name}\n`
    for (const c of t.chains) out += `:${c.name} - ${c.counters}\n`
    for (const c of t.chains) for (const r of c.rules) out += `${r}\n`
    for (const c of t.chains) if (c.deleted) out += `-X ${c.name}\n`
    out += "COMMIT\n"
  }
  return out
}
