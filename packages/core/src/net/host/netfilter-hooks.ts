import type { Nanos } from "../../sim/index"
import type { Ipv4, Packet } from "../packet/packet"

export type HookName = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING"

/** The NAT target that ended a nat-table traversal (netfilter's `NatAction`). */
export interface HookNat {
  readonly kind: "DNAT" | "SNAT" | "MASQUERADE"
  /** null for MASQUERADE: the outgoing interface's address is used. */
  readonly toIp: Ipv4 | null
  readonly toPortMin: number | null
  readonly toPortMax: number | null
  readonly randomFully: boolean
}

/** What a host needs from one table's traversal at one hook (netfilter's `Verdict` satisfies it). */
export interface HookVerdict {
  readonly verdict: "ACCEPT" | "DROP" | "REJECT"
  readonly rejectWith: string | null
  readonly nat: HookNat | null
  readonly rulesEvaluated: number
}

/**
 * A host's netfilter: evaluates the rules of `table` at `hook` for a packet. The host runs conntrack and
 * applies NAT itself; the rules only decide. `IptablesHooks` implements it over a netfilter ruleset.
 */
export interface NetfilterHooks {
  /** Whether the nat table is registered (then every new connection gets NAT bindings, null or not). */
  readonly hasNat: boolean
  evaluate(table: "nat" | "filter", hook: HookName, pkt: Packet, now: Nanos): HookVerdict
  /**
   * Filter-type chains that run before DNAT at PREROUTING and OUTPUT: nftables base chains with a priority
   * below the nat table's -100 (kube-proxy's `filter-prerouting-pre-dnat` at -110). Null when there are none;
   * iptables has none (its filter table sits at 0), so `IptablesHooks` leaves this out.
   */
  evaluatePreNat?(hook: "PREROUTING" | "OUTPUT", pkt: Packet, now: Nanos): HookVerdict | null
}
