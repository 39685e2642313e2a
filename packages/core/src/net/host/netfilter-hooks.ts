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
}
