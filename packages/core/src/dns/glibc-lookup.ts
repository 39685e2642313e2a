import type { Nanos } from "../sim/index"
import { NANOS_PER_SECOND } from "../sim/index"
import type { DnsCache } from "./dns-cache"
import type { DnsAnswer } from "./dns-message"
import { countDots, fqdn } from "./dns-name"
import {
  type AddressFamily,
  type LookupStatus,
  type ResolverQuery,
  type ResolverStep,
  type StubLookup,
  addressesOf,
  doneStep,
  lookupNameservers,
  queryTypesFor,
} from "./lookup-types"
import { type ResolvConf, resolverOptions } from "./resolv-conf"

/** glibc's h_errno values for a failed query (`resolv/netdb.h`); TRY_AGAIN split by whether SERVFAIL caused it. */
type HErrno = "HOST_NOT_FOUND" | "NO_DATA" | "TRY_AGAIN_SERVFAIL" | "TRY_AGAIN" | "NO_RECOVERY"

type Role = "as-is-first" | "search" | "as-is-last"

const statusOf = (h: HErrno): LookupStatus =>
  h === "HOST_NOT_FOUND" ? "nxdomain" : h === "NO_DATA" ? "nodata" : h === "NO_RECOVERY" ? "fail" : "again"

const isServerError = (a: DnsAnswer): boolean => a.rcode === "SERVFAIL" || a.rcode === "NOTIMP" || a.rcode === "REFUSED"

/**
 * glibc's getaddrinfo DNS path (glibc `resolv/res_query.c` `__res_context_search` / `__res_context_query`,
 * `resolv/res_send.c` `__res_context_send` / `send_dg`):
 * - a name with at least `ndots` dots (or a trailing dot) is asked as it is first; a trailing dot ends there;
 * - then each search domain; NXDOMAIN, NODATA and SERVFAIL keep searching, anything else (a timeout, REFUSED)
 *   stops the search; the name as it is comes last unless already tried or "." is in the list;
 * - per name, A and AAAA go out together on one socket (`single-request` makes them sequential); a success is
 *   NOERROR with answers to either;
 * - per try and nameserver an exchange waits `timeout` (scaled for the 2nd and later servers: `retrans << ns
 *   / nscount`); SERVFAIL/NOTIMP/REFUSED from a server moves on to the next; `attempts` rounds in all. When one
 *   of the pair answered and the other timed out, glibc switches to single-request (then single-request-reopen)
 *   and repeats the exchange — the famous 5 s conntrack-race stall.
 * - failure reports the as-is h_errno if the name was tried first, else NO_DATA if any name had it, else
 *   TRY_AGAIN if any had SERVFAIL, else the last one.
 */
export class GlibcLookup implements StubLookup {
  private readonly servers: ReadonlyArray<string>
  private readonly plan: ReadonlyArray<{ readonly name: string; readonly role: Role }>
  private readonly types: ReadonlyArray<"A" | "AAAA">
  private readonly retrans: number
  private readonly attempts: number
  private readonly trailingDot: boolean
  private singleRequest: boolean
  private singleRequestReopen: boolean
  private step = -1
  private nextId = 1
  private queries: ResolverQuery[] = []
  private answers: Array<DnsAnswer | undefined> = []
  private secondSent = false
  private attempt = 0
  private ns = 0
  private deadline: Nanos = 0
  private savedHerrno: HErrno | undefined
  private gotNodata = false
  private gotServfail = false
  private finished: ResolverStep | undefined

  constructor(
    conf: ResolvConf,
    private readonly name: string,
    family: AddressFamily = "unspec",
    private readonly cache?: DnsCache,
  ) {
    const opts = resolverOptions(conf, "glibc")
    this.servers = lookupNameservers(conf)
    this.types = queryTypesFor(family)
    this.retrans = opts.timeout
    this.attempts = opts.attempts
    this.singleRequest = opts.singleRequest || opts.singleRequestReopen
    this.singleRequestReopen = opts.singleRequestReopen
    this.trailingDot = name.endsWith(".")
    const bare = this.trailingDot ? name.slice(0, -1) : name
    const plan: Array<{ name: string; role: Role }> = []
    const asIsFirst = countDots(name) >= opts.ndots || this.trailingDot
    if (asIsFirst) plan.push({ name: fqdn(bare), role: "as-is-first" })
    let rootOnList = false
    if (!this.trailingDot) {
      for (const d of conf.searches) {
        const domain = d.startsWith(".") ? d.slice(1) : d
        if (domain === "") rootOnList = true
        plan.push({ name: domain === "" ? fqdn(bare) : fqdn(`${bare}.${domain}`), role: "search" })
      }
      if (!asIsFirst && !rootOnList) plan.push({ name: fqdn(bare), role: "as-is-last" })
    }
    this.plan = plan
  }

  start(now: Nanos): ResolverStep {
    return this.nextName(now)
  }

  private finish(status: LookupStatus, addresses: ReadonlyArray<string>, answeredName: string): ResolverStep {
    this.finished = doneStep(status, addresses, answeredName)
    return this.finished
  }

  private nextName(now: Nanos): ResolverStep {
    this.step++
    const entry = this.plan[this.step]
    if (entry === undefined) return this.giveUp(undefined)
    this.queries = this.types.map((qtype) => ({ id: this.nextId++, name: entry.name, qtype }))
    this.attempt = 0
    this.ns = 0
    return this.exchange(now)
  }

  /** One send_dg exchange with the current nameserver. */
  private exchange(now: Nanos): ResolverStep {
    this.answers = this.queries.map((q) => this.cache?.get(q.name, q.qtype, now))
    if (this.answers.every((a) => a !== undefined)) return this.complete(now)
    const seconds = this.ns === 0 ? this.retrans : Math.max(1, Math.floor((this.retrans << this.ns) / this.servers.length))
    this.deadline = now + seconds * NANOS_PER_SECOND
    const server = this.servers[this.ns] as string
    const sequential = this.singleRequest && this.queries.length === 2
    const first = this.answers.findIndex((a) => a === undefined)
    const toSend = sequential ? [first] : this.queries.map((_, i) => i).filter((i) => this.answers[i] === undefined)
    this.secondSent = !sequential || first === 1
    return { kind: "send", sends: toSend.map((i) => ({ query: this.queries[i] as ResolverQuery, server })), wakeAt: this.deadline }
  }

  onAnswer(now: Nanos, queryId: number, answer: DnsAnswer): ResolverStep {
    if (this.finished !== undefined) return this.finished
    const i = this.queries.findIndex((q) => q.id === queryId)
    if (i < 0 || this.answers[i] !== undefined) return { kind: "wait", wakeAt: this.deadline }
    const query = this.queries[i] as ResolverQuery
    this.answers[i] = answer
    this.cache?.put(query.name, query.qtype, answer, now)
    if (this.answers.every((a) => a !== undefined)) return this.complete(now)
    if (!this.secondSent) {
      this.secondSent = true
      const j = i === 0 ? 1 : 0
      return { kind: "send", sends: [{ query: this.queries[j] as ResolverQuery, server: this.servers[this.ns] as string }], wakeAt: this.deadline }
    }
    return { kind: "wait", wakeAt: this.deadline }
  }

  onTimer(now: Nanos): ResolverStep {
    if (this.finished !== undefined) return this.finished
    if (now < this.deadline) return { kind: "wait", wakeAt: this.deadline }
    const received = this.answers.filter((a) => a !== undefined).length
    if (received > 0 && this.queries.length === 2) {
      // send_dg: one of two answers then a timeout → single-request, then single-request-reopen, same server.
      if (!this.singleRequest) {
        this.singleRequest = true
        return this.exchange(now)
      }
      if (!this.singleRequestReopen) {
        this.singleRequestReopen = true
        return this.exchange(now)
      }
      return this.evaluate(now)
    }
    return this.nextServer(now, "TRY_AGAIN")
  }

  private nextServer(now: Nanos, why: HErrno): ResolverStep {
    this.ns++
    if (this.ns >= this.servers.length) {
      this.ns = 0
      this.attempt++
      if (this.attempt >= this.attempts) return this.failed(now, why)
    }
    return this.exchange(now)
  }

  private complete(now: Nanos): ResolverStep {
    if (this.answers.every((a) => a !== undefined && isServerError(a))) return this.nextServer(now, this.answers.some((a) => a?.rcode === "SERVFAIL") ? "TRY_AGAIN_SERVFAIL" : "NO_RECOVERY")
    return this.evaluate(now)
  }

  /** `__res_context_query`'s verdict on the (pair of) answers. */
  private evaluate(now: Nanos): ResolverStep {
    const qname = (this.queries[0] as ResolverQuery).name
    if (this.answers.some((a) => a !== undefined && a.rcode === "NOERROR" && a.answer.length > 0)) {
      const addresses: string[] = []
      for (let i = 0; i < this.queries.length; i++) {
        const a = this.answers[i]
        if (a !== undefined && a.rcode === "NOERROR") addresses.push(...addressesOf(a, (this.queries[i] as ResolverQuery).qtype))
      }
      // A CNAME without addresses still ends the search; getaddrinfo then has no address to give.
      return addresses.length > 0 ? this.finish("ok", addresses, qname) : this.finish("nodata", [], qname)
    }
    const first = this.answers[0]
    const second = this.answers[1]
    const rcode = first === undefined ? second?.rcode : first.rcode === "NOERROR" && second !== undefined ? second.rcode : first.rcode
    const h: HErrno = rcode === "NXDOMAIN" ? "HOST_NOT_FOUND" : rcode === "SERVFAIL" ? "TRY_AGAIN_SERVFAIL" : rcode === "NOERROR" ? "NO_DATA" : rcode === undefined ? "TRY_AGAIN" : "NO_RECOVERY"
    return this.failed(now, h)
  }

  /** `__res_context_search` after a name failed with `h`. */
  private failed(now: Nanos, h: HErrno): ResolverStep {
    const role = (this.plan[this.step] as { role: Role }).role
    if (role === "as-is-first") {
      if (this.trailingDot) return this.finish(statusOf(h), [], this.name)
      this.savedHerrno = h
      return this.nextName(now)
    }
    if (role === "search") {
      if (h === "NO_DATA") this.gotNodata = true
      if (h === "TRY_AGAIN_SERVFAIL") this.gotServfail = true
      if (h !== "NO_DATA" && h !== "HOST_NOT_FOUND" && h !== "TRY_AGAIN_SERVFAIL") {
        // Stop searching up, but still try the name as it is if it comes last.
        while (this.plan[this.step + 1]?.role === "search") this.step++
      }
      return this.nextName(now)
    }
    return this.giveUp(h)
  }

  private giveUp(last: HErrno | undefined): ResolverStep {
    const h = this.savedHerrno ?? (this.gotNodata ? "NO_DATA" : this.gotServfail ? "TRY_AGAIN_SERVFAIL" : (last ?? "HOST_NOT_FOUND"))
    return this.finish(statusOf(h), [], this.name)
  }
}
