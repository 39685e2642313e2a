import type { NftHook } from "./model"

/**
 * nft's standard priority names for the ip family (src/rule.c std_prios): `dstnat` only at prerouting and
 * `srcnat` only at postrouting (as nft prints them); the others at every hook.
 */
const STD_PRIOS: ReadonlyArray<readonly [string, number, NftHook | null]> = [
  ["raw", -300, null],
  ["mangle", -150, null],
  ["dstnat", -100, "prerouting"],
  ["filter", 0, null],
  ["security", 50, null],
  ["srcnat", 100, "postrouting"],
]

/**
 * Parses `-110`, `dstnat`, `dstnat - 10`, `dstnat-10` (knftables' form); null if it is none of those. nft accepts
 * every name at every hook when parsing (it only restricts how it prints them).
 */
export const parsePriority = (text: string): number | null => {
  const t = text.replace(/\s+/g, "")
  if (/^-?\d+$/.test(t)) return Number(t)
  const m = /^([a-z]+)([+-]\d+)?$/.exec(t)
  if (m === null) return null
  const std = STD_PRIOS.find(([name]) => name === m[1])
  if (std === undefined) return null
  return std[1] + (m[2] === undefined ? 0 : Number(m[2]))
}

/** The priority as `nft list` prints it (src/rule.c prio2str): a standard name ± up to 10, else the number. */
export const formatPriority = (prio: number, hook: NftHook): string => {
  for (const [name, value, only] of STD_PRIOS) {
    if (only !== null && only !== hook) continue
    const off = prio - value
    if (off === 0) return name
    if (off > 0 && off <= 10) return `${name} + ${off}`
    if (off < 0 && off >= -10) return `${name} - ${-off}`
  }
  return String(prio)
}
