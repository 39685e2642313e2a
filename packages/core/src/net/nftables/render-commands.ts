import type { NftRuleset } from "./ruleset"
import type { NftSet } from "./model"
import { formatValue } from "./values"
import { verdictText } from "./render"

const setSpec = (set: NftSet): string => {
  let s = `type ${set.keyType.join(" . ")}${set.isMap ? " : verdict" : ""} ; `
  if (set.flags.length > 0) s += `flags ${set.flags.join(",")} ; `
  if (set.timeout !== null) s += `timeout ${Math.floor(set.timeout / 1e9)}s ; `
  if (set.size !== null) s += `size ${set.size} ; `
  if (set.comment !== null) s += `comment "${set.comment}" ; `
  return `{ ${s}}`
}

/**
 * The ruleset as `add` commands, one object per line, rules as they were written — the form of knftables'
 * Fake.Dump(), which upstream's proxier tests compare (after sortNFTablesTransaction). Feeding it to `nft -f`
 * rebuilds the same objects (element expiry aside).
 */
export const dumpNftCommands = (rs: NftRuleset): string => {
  const lines: string[] = []
  for (const t of rs.tables.values()) {
    const p = `ip ${t.name}`
    lines.push(`add table ${p}${t.comment !== null ? ` { comment "${t.comment}" ; }` : ""}`)
    for (const ch of t.chains.values()) {
      const spec: string[] = []
      if (ch.base !== null) spec.push(`type ${ch.base.type} hook ${ch.base.hook} priority ${ch.base.priority} ;${ch.base.policy === "drop" ? " policy drop ;" : ""}`)
      if (ch.comment !== null) spec.push(`comment "${ch.comment}" ;`)
      lines.push(`add chain ${p} ${ch.name}${spec.length > 0 ? ` { ${spec.join(" ")} }` : ""}`)
    }
    for (const set of t.sets.values()) lines.push(`add ${set.isMap ? "map" : "set"} ${p} ${set.name} ${setSpec(set)}`)
    for (const ch of t.chains.values()) for (const r of ch.rules) lines.push(`add rule ${p} ${ch.name} ${r.text}`)
    for (const set of t.sets.values()) {
      for (const e of set.elements.values()) {
        let s = e.key.map((k, i) => formatValue(set.keyType[i] ?? "integer", k)).join(" . ")
        if (e.comment !== null) s += ` comment "${e.comment}"`
        if (e.verdict !== null) s += ` : ${verdictText(e.verdict)}`
        lines.push(`add element ${p} ${set.name} { ${s} }`)
      }
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}
