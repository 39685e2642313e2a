import type { Ipv4 } from "../addr/index"

/**
 * The netfilter rule model: what the kernel stores for each iptables rule, plus the text kube-proxy wrote.
 * Structure (not text) is the identity of a rule; `restoreText` only lets `renderRestore` reproduce a payload
 * byte for byte.
 */

export type TableName = "raw" | "mangle" | "filter" | "nat"
export type Hook = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING"
export type Policy = "ACCEPT" | "DROP"

/** Built-in chains per table, in the order iptables-save prints them (hook order). */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly Hook[]>> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
}

/** Table order of iptables-nft-save (iptables/nft.h `enum nft_table_type`: mangle, security, raw, filter, nat). */
export const TABLE_ORDER: readonly TableName[] = ["mangle", "raw", "filter", "nat"]

export const isTableName = (s: string): s is TableName => s === "raw" || s === "mangle" || s === "filter" || s === "nat"

/** Packet and byte counters (the kernel's `struct xt_counters`). Mutated in place by evaluation. */
export interface Counters {
  packets: number
  bytes: number
}

/** `-s`/`-d`: address under mask, optionally inverted. `prefix` 32 is a single host. */
export interface AddrSpec {
  readonly ip: Ipv4
  readonly prefix: number
  readonly invert: boolean
}

/** `-i`/`-o`: an interface name; a trailing `+` matches every name with that prefix. */
export interface IfaceSpec {
  readonly name: string
  readonly invert: boolean
}

/** `-p`: an IP protocol number (6 tcp, 17 udp, 1 icmp, 132 sctp). */
export interface ProtoSpec {
  readonly proto: number
  readonly invert: boolean
}

export interface PortRange {
  readonly min: number
  readonly max: number
  readonly invert: boolean
}

/** Matches the evaluator implements; everything else is an `UnknownMatch`. */
export type Match =
  | { readonly kind: "comment"; readonly comment: string }
  | {
      readonly kind: "tcp" | "udp" | "sctp"
      readonly sport: PortRange | null
      readonly dport: PortRange | null
    }
  | {
      readonly kind: "statistic"
      readonly mode: "random"
      /** round(2^31 · p), as libxt_statistic.c `statistic_parse` stores it. */
      readonly probability: number
      readonly invert: boolean
    }
  | {
      readonly kind: "statistic"
      readonly mode: "nth"
      /** `--every n` stored as n − 1, `--packet p` as p (libxt_statistic.c). */
      readonly every: number
      readonly packet: number
      readonly invert: boolean
    }
  | RecentMatch
  | { readonly kind: "mark"; readonly mark: number; readonly mask: number; readonly invert: boolean }
  | {
      readonly kind: "addrtype"
      /** Bit sets of `AddrType` (0 = not given). */
      readonly srcType: number
      readonly dstType: number
      readonly invertSrc: boolean
      readonly invertDst: boolean
    }
  | { readonly kind: "conntrack"; readonly ctstate: number; readonly invert: boolean }
  | SetMatch
  | PhysdevMatch
  | IpvsMatch
  | UnknownMatch

export type RecentCommand = "set" | "rcheck" | "update" | "remove"

export interface RecentMatch {
  readonly kind: "recent"
  readonly command: RecentCommand
  readonly invert: boolean
  /** 0 = not given. */
  readonly seconds: number
  readonly reap: boolean
  /** 0 = not given. */
  readonly hitcount: number
  readonly rttl: boolean
  /** List name; iptables' default is "DEFAULT". */
  readonly name: string
  readonly mask: Ipv4
  readonly side: "source" | "dest"
}

/** `-m set --match-set NAME dst,dst` (xt_set.c, revision 4 as current iptables writes it). */
export interface SetMatch {
  readonly kind: "set"
  readonly name: string
  /** The flags as given, one per dimension ("src" or "dst"). */
  readonly flags: ReadonlyArray<"src" | "dst">
  /** Bit i set: dimension i is the packet's source. */
  readonly srcBits: number
  readonly invert: boolean
}

/**
 * `-m physdev` (xt_physdev.c): bridge-port matches. Each option is absent (null) or given, possibly inverted.
 * kubesim has no Linux bridges (kind's pods hang off veths routed by the node), so no packet carries bridge
 * information: as xt_physdev.c physdev_mt does for a non-bridged skb, the match holds iff every given option
 * is inverted.
 */
export interface PhysdevMatch {
  readonly kind: "physdev"
  readonly physdevIn: IfaceSpec | null
  readonly physdevOut: IfaceSpec | null
  /** `--physdev-is-in` / `--physdev-is-out` / `--physdev-is-bridged`: null = not given, else its `!`. */
  readonly isIn: { readonly invert: boolean } | null
  readonly isOut: { readonly invert: boolean } | null
  readonly isBridged: { readonly invert: boolean } | null
}

/**
 * `-m ipvs` (xt_ipvs.c): whether the packet is IPVS's (skb->ipvs_property) and its IPVS connection's protocol,
 * virtual address/mask, virtual port and direction. Each field is null when its option is not given.
 */
export interface IpvsMatch {
  readonly kind: "ipvs"
  /** `--ipvs` alone (libxt_ipvs.c: every option implies it; it is printed only when alone). */
  readonly ipvsInvert: boolean
  readonly vproto: { readonly proto: number; readonly invert: boolean } | null
  readonly vaddr: { readonly ip: Ipv4; readonly prefix: number; readonly invert: boolean } | null
  readonly vport: { readonly port: number; readonly invert: boolean } | null
  /** `--vdir ORIGINAL` (false) or `REPLY` (true). */
  readonly vdirReply: boolean | null
}

/** A match module the simulator does not model; kept verbatim and only an error if a packet reaches it. */
export interface UnknownMatch {
  readonly kind: "unknown"
  readonly module: string
  /** The module's option tokens, unquoted, in the order given. */
  readonly args: readonly string[]
}

export type RejectWith =
  | "icmp-net-unreachable"
  | "icmp-host-unreachable"
  | "icmp-port-unreachable"
  | "icmp-proto-unreachable"
  | "icmp-net-prohibited"
  | "icmp-host-prohibited"
  | "tcp-reset"
  | "icmp-admin-prohibited"

export interface NatRange {
  readonly ip: Ipv4 | null
  readonly portMin: number | null
  readonly portMax: number | null
}

export type Target =
  /** No `-j`: the rule only counts. */
  | { readonly kind: "none" }
  | { readonly kind: "ACCEPT" | "DROP" | "RETURN" }
  /** `-j CHAIN` or `-g CHAIN` to a user chain. */
  | { readonly kind: "chain"; readonly chain: string; readonly goto: boolean }
  | { readonly kind: "REJECT"; readonly with: RejectWith }
  | { readonly kind: "DNAT"; readonly to: NatRange; readonly random: boolean; readonly persistent: boolean }
  | {
      readonly kind: "SNAT"
      readonly to: NatRange
      readonly random: boolean
      readonly randomFully: boolean
      readonly persistent: boolean
    }
  | {
      readonly kind: "MASQUERADE"
      readonly portMin: number | null
      readonly portMax: number | null
      readonly random: boolean
      readonly randomFully: boolean
    }
  /** `skb->mark = (skb->mark & ~mask) ^ mark` (xt_mark.c `mark_tg`); every MARK option is stored this way. */
  | { readonly kind: "MARK"; readonly mark: number; readonly mask: number }
  | { readonly kind: "unknown"; readonly name: string; readonly args: readonly string[] }

export interface Rule {
  readonly src: AddrSpec | null
  readonly dst: AddrSpec | null
  readonly inIface: IfaceSpec | null
  readonly outIface: IfaceSpec | null
  readonly proto: ProtoSpec | null
  readonly matches: readonly Match[]
  readonly target: Target
  readonly counters: Counters
  /** The option text exactly as written in a restore payload (after `-A CHAIN `), or null. */
  readonly restoreText: string | null
}

export interface Chain {
  readonly name: string
  readonly builtin: boolean
  /** Built-in chains only; user chains have none ("-" in iptables-save). */
  policy: Policy | null
  /** Counters of the policy (packets that fell off the end of a built-in chain). */
  readonly policyCounters: Counters
  /** Rules in order. Mutate only through functions that bump `version` (compiled indexes depend on it). */
  readonly rules: Rule[]
  version: number
}

export interface Table {
  readonly name: TableName
  /** Built-in chains first (hook order), then user chains in creation order. */
  chains: Map<string, Chain>
}

export const newChain = (name: string, builtin: boolean, policy: Policy | null = null): Chain => ({
  name,
  builtin,
  policy: builtin ? (policy ?? "ACCEPT") : null,
  policyCounters: { packets: 0, bytes: 0 },
  rules: [],
  version: 0,
})

export const newTable = (name: TableName): Table => {
  const chains = new Map<string, Chain>()
  for (const hook of BUILTIN_CHAINS[name]) chains.set(hook, newChain(hook, true))
  return { name, chains }
}

export const isBuiltinChain = (table: TableName, chain: string): boolean =>
  (BUILTIN_CHAINS[table] as readonly string[]).includes(chain)

/** A rule with every field defaulted; for building rules in code. */
export const rule = (fields: Partial<Rule>): Rule => ({
  src: null,
  dst: null,
  inIface: null,
  outIface: null,
  proto: null,
  matches: [],
  target: { kind: "none" },
  counters: { packets: 0, bytes: 0 },
  restoreText: null,
  ...fields,
})
