import type { Ipv4 } from "../addr/index"
import type { Nanos, Rng } from "../../sim/index"
import type { RejectWith, TableName } from "./model"
import type { RecentTables } from "./recent"
import type { IpSets } from "./ipset"

export const PROTO_ICMP = 1
export const PROTO_TCP = 6
export const PROTO_UDP = 17
export const PROTO_SCTP = 132

/**
 * Connection-tracking state bits as the conntrack match sees them (include/uapi/linux/netfilter/
 * xt_conntrack.h: `XT_CONNTRACK_STATE_BIT(ctinfo) = 1 << (ctinfo % IP_CT_IS_REPLY + 1)` with
 * IP_CT_ESTABLISHED 0, IP_CT_RELATED 1, IP_CT_NEW 2; INVALID bit 0; UNTRACKED, SNAT, DNAT bits 8–10).
 * A packet's `ctState` is one of INVALID/NEW/ESTABLISHED/RELATED/UNTRACKED, or-ed with SNAT and/or DNAT when
 * its connection is source/destination-NATed (xt_conntrack.c `conntrack_mt`).
 */
export const CT_INVALID = 1 << 0
export const CT_ESTABLISHED = 1 << 1
export const CT_RELATED = 1 << 2
export const CT_NEW = 1 << 3
export const CT_UNTRACKED = 1 << 8
export const CT_SNAT = 1 << 9
export const CT_DNAT = 1 << 10

/** The packet fields netfilter looks at. Mutable: MARK changes `mark`; the caller applies NAT itself. */
export interface PacketMeta {
  src: Ipv4
  dst: Ipv4
  /** IP protocol number: 6 tcp, 17 udp, 1 icmp, 132 sctp. */
  proto: number
  /** 0 for protocols without ports. */
  sport: number
  dport: number
  /** Input interface name, or "" where there is none (OUTPUT, locally generated). */
  inIface: string
  /** Output interface name, or "" where not yet known (PREROUTING, INPUT). */
  outIface: string
  /** skb->mark, uint32. */
  mark: number
  /** CT_* bits. */
  ctState: number
  /** Bytes on the wire (IP total length); counted by byte counters. */
  length: number
  /**
   * skb->ipvs_property and the IPVS connection a packet belongs to (`-m ipvs`): set on packets IPVS sent on
   * to a real server or un-NATed back (ip_vs_xmit.c / ip_vs_core.c ip_vs_out); absent or null otherwise.
   */
  ipvs?: IpvsProperty | null
  /** With `ipvs`: the packet is a reply (real server → client), as conntrack's ctinfo >= IP_CT_IS_REPLY says. */
  ipvsReply?: boolean
}

/** What `-m ipvs` reads of a packet's IPVS connection (struct ip_vs_conn: vaddr, vport); an IpvsConn is one. */
export interface IpvsProperty {
  readonly vaddr: Ipv4
  readonly vport: number
}

export const packetMeta = (fields: Partial<PacketMeta>): PacketMeta => ({
  src: 0,
  dst: 0,
  proto: PROTO_TCP,
  sport: 0,
  dport: 0,
  inIface: "",
  outIface: "",
  mark: 0,
  ctState: CT_NEW,
  length: 60,
  ...fields,
})

/** Called once per rule evaluated, only when `ctx.trace` is set (the `kubesim trace` command). */
export type RuleTracer = (table: TableName, chain: string, index: number, matched: boolean) => void

export interface EvalContext {
  now: Nanos
  /** The host's stream; `statistic --mode random` draws `uint32()` like the kernel's get_random_u32(). */
  rng: Rng
  /** True for addresses assigned to this host (addrtype LOCAL). */
  isLocal(ip: Ipv4): boolean
  recent: RecentTables
  /** The namespace's ipsets, for `-m set` (absent: a rule using a set cannot be evaluated). */
  ipsets?: IpSets
  trace?: RuleTracer
  /** Force rule-by-rule evaluation even where a compiled index exists (for cross-checking). */
  linear?: boolean
}

export type VerdictKind = "ACCEPT" | "DROP" | "REJECT"

export interface NatAction {
  kind: "DNAT" | "SNAT" | "MASQUERADE"
  /** DNAT/SNAT address; null for MASQUERADE (the caller uses the outgoing interface's address). */
  toIp: Ipv4 | null
  toPortMin: number | null
  toPortMax: number | null
  random: boolean
  randomFully: boolean
}

export interface RuleRef {
  table: TableName
  chain: string
  /** 0-based position in the chain; -1 for the chain's policy. */
  index: number
}

/** The outcome of one hook's table traversal. One object per evaluation (small, monomorphic). */
export interface Verdict {
  verdict: VerdictKind
  /** Set when `verdict` is REJECT; iptables' default is icmp-port-unreachable. */
  rejectWith: RejectWith | null
  /** The NAT target that terminated a nat-table traversal, or null. */
  nat: NatAction | null
  /** Rules whose matches were evaluated, exactly as linear evaluation counts them (policies not included). */
  rulesEvaluated: number
  /** The rule whose target decided the verdict, or the policy (index -1); null if the hook has no chain. */
  matchedRule: RuleRef | null
}
