import { formatIpv4 } from "../addr/index"
import type { AddrSpec, Match, NatRange, PortRange, Rule, Target } from "./model"
import { PROTO_NAMES } from "./options"
import { ADDRTYPE_NAMES } from "./parse-rule"
import { formatThreshold } from "./statistic"
import { quoteWord, saveString } from "./tokenize"

/**
 * One rule's options as iptables-save prints them: `-s -d -i -o -p` (iptables/nft-ipv4.c
 * `nft_ipv4_save_rule`, xshared.c `save_rule_details`), then each match as `-m name` and its save function's
 * output in the order the matches were given, then `-j`/`-g` and the target's options.
 */
export const renderRuleSave = (r: Rule): string => {
  const out: string[] = []
  if (r.src !== null) out.push(addr("-s", r.src))
  if (r.dst !== null) out.push(addr("-d", r.dst))
  if (r.inIface !== null) out.push(`${r.inIface.invert ? "! " : ""}-i ${r.inIface.name}`)
  if (r.outIface !== null) out.push(`${r.outIface.invert ? "! " : ""}-o ${r.outIface.name}`)
  if (r.proto !== null) out.push(`${r.proto.invert ? "! " : ""}-p ${PROTO_NAMES.get(r.proto.proto) ?? r.proto.proto}`)
  for (const m of r.matches) out.push(renderMatch(m))
  const t = renderTarget(r.target)
  if (t !== "") out.push(t)
  return out.join(" ")
}

// nft-ipv4.c `save_ipv4_addr`: always address/prefix-length.
const addr = (flag: string, a: AddrSpec): string => `${a.invert ? "! " : ""}${flag} ${formatIpv4(a.ip)}/${a.prefix}`

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`

const ports = (flag: string, p: PortRange): string =>
  `${p.invert ? "! " : ""}${flag} ${p.min === p.max ? p.min : `${p.min}:${p.max}`}`

const types = (bits: number): string => ADDRTYPE_NAMES.filter((_, i) => (bits & (1 << i)) !== 0).join(",")

const CT_NAMES: readonly [number, string][] = [
  [1 << 0, "INVALID"],
  [1 << 3, "NEW"],
  [1 << 2, "RELATED"],
  [1 << 1, "ESTABLISHED"],
  [1 << 8, "UNTRACKED"],
  [1 << 9, "SNAT"],
  [1 << 10, "DNAT"],
]

/** libxt_conntrack.c `print_state` order: INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED, SNAT, DNAT. */
export const formatCtState = (bits: number): string =>
  CT_NAMES.filter(([b]) => (bits & b) !== 0)
    .map(([, n]) => n)
    .join(",")

export const renderMatch = (m: Match): string => {
  switch (m.kind) {
    case "comment":
      // libxt_comment.c `comment_save` → xtables_save_string.
      return `-m comment --comment ${saveString(m.comment)}`
    case "tcp":
    case "udp":
    case "sctp": {
      // libxt_tcp.c `tcp_save`: --sport then --dport, each only if not the full range.
      const parts = [`-m ${m.kind}`]
      if (m.sport !== null && !(m.sport.min === 0 && m.sport.max === 65535 && !m.sport.invert)) parts.push(ports("--sport", m.sport))
      if (m.dport !== null && !(m.dport.min === 0 && m.dport.max === 65535 && !m.dport.invert)) parts.push(ports("--dport", m.dport))
      return parts.join(" ")
    }
    case "statistic":
      // libxt_statistic.c `print_match` with prefix "--".
      return m.mode === "random"
        ? `-m statistic --mode random${m.invert ? " !" : ""} --probability ${formatThreshold(m.probability)}`
        : `-m statistic --mode nth${m.invert ? " !" : ""} --every ${m.every + 1} --packet ${m.packet}`
    case "recent": {
      // libxt_recent.c `recent_save`.
      const parts = ["-m recent"]
      if (m.invert) parts.push("!")
      parts.push(`--${m.command}`)
      if (m.seconds !== 0) parts.push(`--seconds ${m.seconds}`)
      if (m.reap) parts.push("--reap")
      if (m.hitcount !== 0) parts.push(`--hitcount ${m.hitcount}`)
      if (m.rttl) parts.push("--rttl")
      parts.push(`--name ${m.name}`, `--mask ${formatIpv4(m.mask)}`, m.side === "source" ? "--rsource" : "--rdest")
      return parts.join(" ")
    }
    case "set":
      // libxt_set.c set_save_v4 → print_match("--match-set"): "! " before the option when inverted.
      return `-m set ${m.invert ? "! " : ""}--match-set ${m.name} ${m.flags.join(",")}`
    case "mark":
      // libxt_mark.c `mark_mt_save` / `print_mark`: the mask only if not 0xffffffff.
      return `-m mark ${m.invert ? "! " : ""}--mark ${hex(m.mark)}${m.mask === 0xffffffff ? "" : `/${hex(m.mask)}`}`
    case "addrtype": {
      // libxt_addrtype.c `addrtype_save_v1`.
      const parts = ["-m addrtype"]
      if (m.srcType !== 0) parts.push(`${m.invertSrc ? "! " : ""}--src-type ${types(m.srcType)}`)
      if (m.dstType !== 0) parts.push(`${m.invertDst ? "! " : ""}--dst-type ${types(m.dstType)}`)
      return parts.join(" ")
    }
    case "conntrack":
      // libxt_conntrack.c `conntrack_dump` with prefix "--".
      return `-m conntrack ${m.invert ? "! " : ""}--ctstate ${formatCtState(m.ctstate)}`
    case "physdev": {
      // libxt_physdev.c physdev_save: --physdev-in, --physdev-out, --physdev-is-in, -is-out, -is-bridged.
      const parts = ["-m physdev"]
      if (m.physdevIn !== null) parts.push(`${m.physdevIn.invert ? "! " : ""}--physdev-in ${m.physdevIn.name}`)
      if (m.physdevOut !== null) parts.push(`${m.physdevOut.invert ? "! " : ""}--physdev-out ${m.physdevOut.name}`)
      if (m.isIn !== null) parts.push(`${m.isIn.invert ? "! " : ""}--physdev-is-in`)
      if (m.isOut !== null) parts.push(`${m.isOut.invert ? "! " : ""}--physdev-is-out`)
      if (m.isBridged !== null) parts.push(`${m.isBridged.invert ? "! " : ""}--physdev-is-bridged`)
      return parts.join(" ")
    }
    case "ipvs": {
      // libxt_ipvs.c ipvs_mt_save → ipvs_mt_dump(prefix "--"): --ipvs only when it is the only option; the
      // protocol as a number; the address without "/32" (xtables_ipmask_to_numeric).
      const parts = ["-m ipvs"]
      const alone = m.vproto === null && m.vaddr === null && m.vport === null && m.vdirReply === null
      if (alone) parts.push(`${m.ipvsInvert ? "! " : ""}--ipvs`)
      if (m.vproto !== null) parts.push(`${m.vproto.invert ? "! " : ""}--vproto ${m.vproto.proto}`)
      if (m.vaddr !== null) parts.push(`${m.vaddr.invert ? "! " : ""}--vaddr ${formatIpv4(m.vaddr.ip)}${m.vaddr.prefix === 32 ? "" : `/${m.vaddr.prefix}`}`)
      if (m.vport !== null) parts.push(`${m.vport.invert ? "! " : ""}--vport ${m.vport.port}`)
      if (m.vdirReply !== null) parts.push(`--vdir ${m.vdirReply ? "REPLY" : "ORIGINAL"}`)
      return parts.join(" ")
    }
    case "unknown":
      return [`-m ${m.module}`, ...m.args.map(quoteWord)].join(" ")
  }
}

const natRange = (r: NatRange): string =>
  `${r.ip === null ? "" : formatIpv4(r.ip)}${r.portMin === null ? "" : `:${r.portMin}${r.portMax !== r.portMin ? `-${r.portMax}` : ""}`}`

export const renderTarget = (t: Target): string => {
  switch (t.kind) {
    case "none":
      return ""
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return `-j ${t.kind}`
    case "chain":
      return `${t.goto ? "-g" : "-j"} ${t.chain}`
    case "REJECT":
      // libipt_REJECT.c `REJECT_save` always prints the type.
      return `-j REJECT --reject-with ${t.with}`
    case "DNAT":
      return `-j DNAT --to-destination ${natRange(t.to)}${t.random ? " --random" : ""}${t.persistent ? " --persistent" : ""}`
    case "SNAT":
      return `-j SNAT --to-source ${natRange(t.to)}${t.random ? " --random" : ""}${t.randomFully ? " --random-fully" : ""}${t.persistent ? " --persistent" : ""}`
    case "MASQUERADE": {
      const p = t.portMin === null ? "" : ` --to-ports ${t.portMin}${t.portMax !== t.portMin ? `-${t.portMax}` : ""}`
      return `-j MASQUERADE${p}${t.random ? " --random" : ""}${t.randomFully ? " --random-fully" : ""}`
    }
    case "MARK":
      // libxt_MARK.c `mark_tg_save` (revision 2).
      return `-j MARK --set-xmark ${hex(t.mark)}/${hex(t.mask)}`
    case "unknown":
      return [`-j ${t.name}`, ...t.args.map(quoteWord)].join(" ")
  }
}
