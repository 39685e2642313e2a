/**
 * Which options each match module and target takes, how many values each needs and whether `!` may precede
 * it — from the option tables of iptables' extensions (libxt_tcp.c, libxt_udp.c, libxt_sctp.c,
 * libxt_comment.c, libxt_statistic.c, libxt_recent.c, libxt_mark.c, libxt_addrtype.c, libxt_conntrack.c,
 * libxt_physdev.c, libxt_ipvs.c, libipt_REJECT.c, libxt_DNAT.c / libipt_DNAT.c, libipt_SNAT.c, libipt_MASQUERADE.c, libxt_MARK.c).
 * `modelled: false` options are recognised (so they are attributed to the right module) but not simulated:
 * a match using one is kept verbatim as an unknown match.
 */
export interface OptionSpec {
  readonly arity: number
  readonly invertible: boolean
  readonly modelled: boolean
}

const o = (arity: number, invertible = false, modelled = true): OptionSpec => ({ arity, invertible, modelled })
const unmodelled = (arity: number, invertible = true): OptionSpec => o(arity, invertible, false)

const ports: Record<string, OptionSpec> = {
  "--sport": o(1, true),
  "--source-port": o(1, true),
  "--dport": o(1, true),
  "--destination-port": o(1, true),
}

export const MATCH_OPTIONS: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>> = {
  comment: { "--comment": o(1) },
  tcp: { ...ports, "--tcp-flags": unmodelled(2), "--syn": unmodelled(0), "--tcp-option": unmodelled(1) },
  udp: ports,
  sctp: { ...ports, "--chunk-types": unmodelled(2) },
  statistic: { "--mode": o(1), "--probability": o(1, true), "--every": o(1, true), "--packet": o(1) },
  recent: {
    "--set": o(0, true),
    "--rcheck": o(0, true),
    "--update": o(0, true),
    "--remove": o(0, true),
    "--seconds": o(1),
    "--reap": o(0),
    "--hitcount": o(1),
    "--rttl": o(0),
    "--name": o(1),
    "--rsource": o(0),
    "--rdest": o(0),
    "--mask": o(1),
  },
  mark: { "--mark": o(1, true) },
  // libxt_set.c set_opts_v4.
  set: {
    "--match-set": o(2, true),
    "--return-nomatch": unmodelled(0, false),
    "--update-counters": unmodelled(0, true),
    "--update-subcounters": unmodelled(0, true),
    "--packets-eq": unmodelled(1, true),
    "--packets-lt": unmodelled(1, false),
    "--packets-gt": unmodelled(1, false),
    "--bytes-eq": unmodelled(1, true),
    "--bytes-lt": unmodelled(1, false),
    "--bytes-gt": unmodelled(1, false),
  },
  addrtype: {
    "--src-type": o(1, true),
    "--dst-type": o(1, true),
    "--limit-iface-in": unmodelled(0, false),
    "--limit-iface-out": unmodelled(0, false),
  },
  conntrack: {
    "--ctstate": o(1, true),
    "--ctproto": unmodelled(1),
    "--ctorigsrc": unmodelled(1),
    "--ctorigdst": unmodelled(1),
    "--ctreplsrc": unmodelled(1),
    "--ctrepldst": unmodelled(1),
    "--ctorigsrcport": unmodelled(1),
    "--ctorigdstport": unmodelled(1),
    "--ctreplsrcport": unmodelled(1),
    "--ctrepldstport": unmodelled(1),
    "--ctstatus": unmodelled(1),
    "--ctexpire": unmodelled(1),
    "--ctdir": unmodelled(1, false),
  },
  // libxt_physdev.c physdev_opts.
  physdev: {
    "--physdev-in": o(1, true),
    "--physdev-out": o(1, true),
    "--physdev-is-in": o(0, true),
    "--physdev-is-out": o(0, true),
    "--physdev-is-bridged": o(0, true),
  },
  // libxt_ipvs.c ipvs_mt_opts (kube-proxy's IPVS mode uses --vaddr, --vproto, --vport).
  ipvs: {
    "--ipvs": o(0, true),
    "--vproto": o(1, true),
    "--vaddr": o(1, true),
    "--vport": o(1, true),
    "--vdir": o(1),
    "--vmethod": unmodelled(1),
    "--vportctl": unmodelled(1),
  },
}

export const TARGET_OPTIONS: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>> = {
  ACCEPT: {},
  DROP: {},
  RETURN: {},
  REJECT: { "--reject-with": o(1) },
  DNAT: { "--to-destination": o(1), "--random": o(0), "--persistent": o(0) },
  SNAT: { "--to-source": o(1), "--random": o(0), "--random-fully": o(0), "--persistent": o(0) },
  MASQUERADE: { "--to-ports": o(1), "--random": o(0), "--random-fully": o(0) },
  MARK: {
    "--set-xmark": o(1),
    "--set-mark": o(1),
    "--and-mark": o(1),
    "--or-mark": o(1),
    "--xor-mark": o(1),
  },
}

/** Real iptables targets the simulator keeps verbatim but cannot evaluate. */
export const UNMODELLED_TARGETS: ReadonlySet<string> = new Set([
  "AUDIT", "CHECKSUM", "CLASSIFY", "CONNMARK", "CONNSECMARK", "CT", "DSCP", "ECN", "HMARK", "IDLETIMER", "LED",
  "LOG", "NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "RATEEST", "REDIRECT", "SECMARK", "SET", "SYNPROXY", "TCPMSS",
  "TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE", "TTL", "ULOG",
])

/** Protocol names iptables prints (`proto_to_name` over /etc/protocols for the common ones). */
export const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "icmp"],
  [2, "igmp"],
  [6, "tcp"],
  [17, "udp"],
  [47, "gre"],
  [50, "esp"],
  [51, "ah"],
  [132, "sctp"],
  [136, "udplite"],
])
