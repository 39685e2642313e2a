import type { Nanos } from "../sim/index"
import type { DnsAnswer } from "./dns-message"
import type { ResolvConf } from "./resolv-conf"

/** getaddrinfo's `ai_family`: both address families, IPv4 only or IPv6 only. */
export type AddressFamily = "unspec" | "inet" | "inet6"

/** One DNS query of a lookup; answers are matched to it by `id`, unique within the lookup. */
export interface ResolverQuery {
  readonly id: number
  /** Absolute name, trailing dot included. */
  readonly name: string
  readonly qtype: "A" | "AAAA"
}

/** One transmission: a query to one nameserver (retransmissions repeat the same query id). */
export interface ResolverSend {
  readonly query: ResolverQuery
  readonly server: string
}

/**
 * How a lookup ended, as getaddrinfo reports it: `ok` with addresses; `nxdomain` (EAI_NONAME / HOST_NOT_FOUND);
 * `nodata` (EAI_NODATA / NO_DATA: the name exists without addresses); `again` (EAI_AGAIN / TRY_AGAIN: timeout or
 * SERVFAIL); `fail` (EAI_FAIL / NO_RECOVERY: REFUSED and the like).
 */
export type LookupStatus = "ok" | "nxdomain" | "nodata" | "again" | "fail"

export interface LookupResult {
  readonly status: LookupStatus
  readonly addresses: ReadonlyArray<string>
  /** The name that answered (after the search list), or the name as asked when none did. */
  readonly answeredName: string
}

/**
 * What the driver must do next: send these transmissions now and wake the resolver at `wakeAt` unless answers
 * come first; only wait; or the lookup is over.
 */
export type ResolverStep =
  | { readonly kind: "send"; readonly sends: ReadonlyArray<ResolverSend>; readonly wakeAt: Nanos }
  | { readonly kind: "wait"; readonly wakeAt: Nanos }
  | { readonly kind: "done"; readonly result: LookupResult }

/**
 * A stub resolver working through one getaddrinfo() lookup, as a pure state machine: the driver calls `start`,
 * then `onAnswer` for each response that arrives and `onTimer` at the last `wakeAt`, and acts on each step.
 * Late answers (to queries the resolver no longer waits for) and early timers are ignored.
 */
export interface StubLookup {
  start(now: Nanos): ResolverStep
  /** `from`: the nameserver that replied (musl resends a SERVFAIL-ed query to it). */
  onAnswer(now: Nanos, queryId: number, answer: DnsAnswer, from?: string): ResolverStep
  onTimer(now: Nanos): ResolverStep
}

/** Address records of an answer (all A/AAAA in the answer section, CNAME chains included), in order. */
export const addressesOf = (answer: DnsAnswer, qtype: "A" | "AAAA"): string[] => {
  const out: string[] = []
  for (const r of answer.answer) if (r.type === qtype) out.push(r.data)
  return out
}

/** The query types a family asks for, in the order both libcs send them (A first). */
export const queryTypesFor = (family: AddressFamily): ReadonlyArray<"A" | "AAAA"> =>
  family === "inet" ? ["A"] : family === "inet6" ? ["AAAA"] : ["A", "AAAA"]

/**
 * The nameservers both libcs ask: at most MAXNS (3), and the local one when resolv.conf names none (glibc
 * resolv/res_init.c `__res_vinit`; musl src/network/resolvconf.c `__get_resolv_conf`, read by res_msend.c).
 */
export const lookupNameservers = (conf: ResolvConf): ReadonlyArray<string> =>
  conf.nameservers.length === 0 ? ["127.0.0.1"] : conf.nameservers.slice(0, 3)

/** The step that ends a lookup with this result. */
export const doneStep = (status: LookupStatus, addresses: ReadonlyArray<string>, answeredName: string): ResolverStep => {
  const result: LookupResult = { status, addresses, answeredName }
  return { kind: "done", result }
}
