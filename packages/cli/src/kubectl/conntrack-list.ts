import { type Nanos, net } from "@kubesim/core"

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: "icmp", 6: "tcp", 17: "udp", 132: "sctp" }

/**
 * One entry as `conntrack -L` prints it (conntrack-tools over libnetfilter_conntrack's `nfct_snprintf`, default
 * output, src/conntrack/snprintf_default.c): protocol name left-aligned in 8, its number, the seconds left
 * (the kernel's `nf_ct_expires() / HZ`), the TCP state, the original tuple, `[UNREPLIED]` until a reply was seen,
 * the reply tuple, `[ASSURED]`, `mark=`, `use=1`.
 */
export const conntrackLine = (e: net.ConntrackEntry, now: Nanos): string => {
  const ip = net.formatIpv4
  const parts = [`${(PROTO_NAMES[e.proto] ?? "unknown").padEnd(8)} ${e.proto} ${Math.max(0, Math.floor((e.expires - now) / 1e9))}`]
  if (e.proto === 6) parts.push(net.TCP_CT_NAMES[e.tcpState] ?? "NONE")
  parts.push(`src=${ip(e.origSrc)} dst=${ip(e.origDst)} sport=${e.origSport} dport=${e.origDport}`)
  if ((e.status & net.IPS_SEEN_REPLY) === 0) parts.push("[UNREPLIED]")
  parts.push(`src=${ip(e.replySrc)} dst=${ip(e.replyDst)} sport=${e.replySport} dport=${e.replyDport}`)
  if ((e.status & net.IPS_ASSURED) !== 0) parts.push("[ASSURED]")
  parts.push(`mark=${e.mark}`, "use=1")
  return parts.join(" ")
}

/** `conntrack -L`: the table's lines on stdout, and the count line conntrack-tools prints on stderr. */
export const conntrackList = (table: net.ConntrackTable, now: Nanos): { readonly out: string; readonly err: string } => {
  const entries = table.list(now)
  return {
    out: entries.map((e) => `${conntrackLine(e, now)}\n`).join(""),
    // conntrack.c: "%s v%s (conntrack-tools): %d flow entries have been shown.\n"
    err: `conntrack v1.4.7 (conntrack-tools): ${entries.length} flow entries have been shown.\n`,
  }
}
