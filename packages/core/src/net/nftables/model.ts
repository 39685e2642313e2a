import type { Nanos } from "../../sim/index"

/**
 * The nftables objects of one network namespace, as the kernel holds them (net/netfilter/nf_tables_api.c):
 * tables hold sets, maps and chains; chains hold rules; a rule is a list of expressions evaluated in order.
 * Only the `ip` family is modelled (kube-proxy's IPv4 table).
 */

export type NftHook = "prerouting" | "input" | "forward" | "output" | "postrouting"
export type NftChainType = "filter" | "nat"

/** A base chain's registration: nft_chain_validate_hooks / nf_tables_chain_type_lookup. */
export interface NftBaseSpec {
  readonly type: NftChainType
  readonly hook: NftHook
  readonly priority: number
  readonly policy: "accept" | "drop"
}

export interface NftCounter {
  packets: number
  bytes: number
}

/** Data types of set keys and selector values (nftables' datatype.c names). */
export type NftType = "ipv4_addr" | "inet_proto" | "inet_service" | "mark" | "ifname" | "ct_state" | "fib_addrtype" | "integer"

/** Bits used to pack one key component (a key's components after the first are packed into one number). */
export const TYPE_BITS: Readonly<Record<NftType, number>> = {
  ipv4_addr: 32,
  inet_proto: 8,
  inet_service: 16,
  mark: 32,
  ifname: 0,
  ct_state: 32,
  fib_addrtype: 8,
  integer: 32,
}

export type NftVerdict =
  | { readonly kind: "accept" | "drop" | "return" | "continue" }
  | { readonly kind: "jump" | "goto"; readonly chain: string }

/** One key component: a value, or for an ipv4_addr in an interval set a prefix (`10.0.0.0/8`). */
export interface NftKeyPart {
  readonly value: number
  /** Prefix length for ipv4_addr parts (32: a single address); ignored for other types. */
  readonly prefix: number
}

export interface NftElement {
  readonly key: ReadonlyArray<NftKeyPart>
  /** The verdict of a verdict-map element; null in a set. */
  readonly verdict: NftVerdict | null
  readonly comment: string | null
  /** Per-element timeout if it differs from the set's (nft prints it then); null otherwise. */
  readonly timeout: Nanos | null
  /** Absolute expiry (simulated time) for sets with timeouts; null: never expires. */
  expires: Nanos | null
}

export interface NftSet {
  readonly name: string
  readonly isMap: boolean
  readonly keyType: ReadonlyArray<NftType>
  readonly flags: ReadonlyArray<"constant" | "interval" | "timeout" | "dynamic">
  /** Default element timeout (`timeout 3h`); null without. */
  readonly timeout: Nanos | null
  /** `size N` as given; null if not given (see `effectiveSize`). */
  readonly size: number | null
  readonly comment: string | null
  /** Elements by packed key (see `packKey`); iteration order is insertion order, listing sorts. */
  readonly elements: Map<string, NftElement>
  /** Interval sets: elements are also matched by prefix; exact sets use `elements` only. */
  readonly interval: boolean
}

/** What a selector reads from the packet (or its routing / conntrack state). */
export type NftSelector =
  | { readonly kind: "ip"; readonly field: "saddr" | "daddr" | "protocol" }
  | { readonly kind: "meta"; readonly key: "l4proto" | "mark" | "iifname" | "oifname" }
  | { readonly kind: "th"; readonly field: "sport" | "dport" }
  | { readonly kind: "l4"; readonly proto: "tcp" | "udp" | "sctp"; readonly field: "sport" | "dport" }
  | { readonly kind: "ct-state" }
  | { readonly kind: "fib"; readonly addr: "saddr" | "daddr" }
  | { readonly kind: "numgen"; readonly mode: "random" | "inc"; readonly mod: number; readonly offset: number }

export type NftRhs =
  | { readonly kind: "value"; readonly key: ReadonlyArray<NftKeyPart>; readonly text: string | null }
  | { readonly kind: "named"; readonly set: string }
  | { readonly kind: "anon"; readonly set: NftSet }

export type NftStatement =
  | { readonly kind: "match"; readonly lhs: ReadonlyArray<NftSelector>; readonly mask: number | null; readonly op: "==" | "!="; readonly rhs: NftRhs }
  | { readonly kind: "vmap"; readonly lhs: ReadonlyArray<NftSelector>; readonly map: NftRhs }
  | { readonly kind: "counter"; readonly counter: NftCounter }
  | { readonly kind: "mark"; readonly op: "set" | "or" | "xor" | "and"; readonly value: number }
  | { readonly kind: "update"; readonly set: string; readonly key: ReadonlyArray<NftSelector> }
  | { readonly kind: "nat"; readonly nat: "dnat" | "snat"; readonly addr: number; readonly port: number | null }
  | { readonly kind: "masquerade"; readonly random: boolean; readonly fullyRandom: boolean }
  | { readonly kind: "reject"; readonly with: NftRejectWith | null }
  | { readonly kind: "verdict"; readonly verdict: NftVerdict }

/** `reject with …`: the ICMP code names of nft's icmp_code_type, or a TCP reset. */
export type NftRejectWith = "tcp reset" | "net-unreachable" | "host-unreachable" | "port-unreachable" | "prot-unreachable" | "net-prohibited" | "host-prohibited" | "admin-prohibited"

export interface NftRule {
  readonly statements: ReadonlyArray<NftStatement>
  readonly comment: string | null
  /** The rule as it was written (knftables' fake keeps this; `nft list` prints the canonical form instead). */
  readonly text: string
  readonly handle: number
}

export interface NftChain {
  readonly name: string
  readonly base: NftBaseSpec | null
  comment: string | null
  rules: NftRule[]
}

export interface NftTable {
  readonly family: "ip"
  readonly name: string
  comment: string | null
  /** Sets and maps in creation order (nft lists them in that order). */
  readonly sets: Map<string, NftSet>
  /** Chains in creation order. */
  readonly chains: Map<string, NftChain>
  nextHandle: number
}

export const newSet = (spec: Omit<NftSet, "elements" | "interval">): NftSet => ({
  ...spec,
  elements: new Map(),
  interval: spec.flags.includes("interval"),
})

/** The map key of an element: its parts joined (prefixes only where shorter than the full width). */
export const packKey = (key: ReadonlyArray<NftKeyPart>): string => {
  if (key.length === 1) {
    const p = key[0] as NftKeyPart
    return p.prefix === 32 ? String(p.value) : `${p.value}/${p.prefix}`
  }
  let s = ""
  for (let i = 0; i < key.length; i++) {
    const p = key[i] as NftKeyPart
    s += (i === 0 ? "" : ".") + (p.prefix === 32 ? String(p.value) : `${p.value}/${p.prefix}`)
  }
  return s
}

/** The set's element limit: as given, else 65535 for dynamic sets (nft's evaluate.c set_evaluate default), else none. */
export const effectiveSize = (set: NftSet): number | null => set.size ?? (set.flags.includes("dynamic") ? 65535 : null)
