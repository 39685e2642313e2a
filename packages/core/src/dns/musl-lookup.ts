import type { Nanos } from "../sim/index"
import { NANOS_PER_MILLI } from "../sim/index"
import type { DnsCache } from "./dns-cache"
import type { DnsAnswer } from "./dns-message"
import { countDots, fqdn } from "./dns-name"
import {
  type AddressFamily,
  type LookupStatus,
  type ResolverQuery,
  type ResolverSend,
  type ResolverStep,
  type StubLookup,
  addressesOf,
  doneStep,
  lookupNameservers,
  queryTypesFor,
} from "./lookup-types"
import { type ResolvConf, resolverOptions } from "./resolv-conf"

/**
 * musl's getaddrinfo DNS path (musl `src/network/lookup_name.c` `name_from_dns_search` / `name_from_dns`, and
 * `res_msend.c` `__res_msend_rc`):
 * - names with at least `ndots` dots, or a trailing dot, are asked as they are and never searched; others go
 *   through every search domain and then as they are;
 * - per name, A and AAAA go out together to every nameserver at once; unanswered queries are resent every
 *   `timeout/attempts` until `timeout` has passed since the first send; a SERVFAIL reply is retried at once
 *   (at most 2 × queries times per retry interval) and never accepted; other error rcodes are ignored;
 * - then, in query order: a missing or SERVFAIL answer ends the lookup with EAI_AGAIN, NXDOMAIN moves on to
 *   the next name, another error rcode ends it with EAI_FAIL; addresses end it with success, none with
 *   EAI_NODATA (so NODATA under a search domain stops the walk);
 * - when every name said NXDOMAIN: EAI_NONAME; a search domain "." ends the walk there with EAI_NONAME
 *   (musl `res_mkquery.c` rejects a name ending in "..").
 */
export class MuslLookup implements StubLookup {
  private readonly servers: ReadonlyArray<string>
  private readonly candidates: ReadonlyArray<string>
  private readonly types: ReadonlyArray<"A" | "AAAA">
  private readonly timeout: Nanos
  private readonly retryInterval: Nanos
  private candidate = -1
  private nextId = 1
  private queries: ResolverQuery[] = []
  private answers: Array<DnsAnswer | undefined> = []
  private deadline: Nanos = 0
  private nextResend: Nanos = 0
  private servfailRetry = 0
  private finished: ResolverStep | undefined

  constructor(
    conf: ResolvConf,
    private readonly name: string,
    family: AddressFamily = "unspec",
    private readonly cache?: DnsCache,
  ) {
    const opts = resolverOptions(conf, "musl")
    this.servers = lookupNameservers(conf)
    this.types = queryTypesFor(family)
    this.timeout = opts.timeout * 1000 * NANOS_PER_MILLI
    this.retryInterval = Math.floor((opts.timeout * 1000) / opts.attempts) * NANOS_PER_MILLI
    const search = countDots(name) >= opts.ndots || name.endsWith(".") ? [] : conf.searches
    const bare = name.endsWith(".") ? name.slice(0, -1) : name
    this.candidates = [...search.map((d) => `${bare}.${d}`), bare].map(fqdn)
  }

  start(now: Nanos): ResolverStep {
    return this.begin(now)
  }

  private finish(status: LookupStatus, addresses: ReadonlyArray<string>, answeredName: string): ResolverStep {
    this.finished = doneStep(status, addresses, answeredName)
    return this.finished
  }

  private wakeAt(): Nanos {
    return this.nextResend < this.deadline ? this.nextResend : this.deadline
  }

  private begin(now: Nanos): ResolverStep {
    this.candidate++
    const qname = this.candidates[this.candidate] as string
    // A search domain "." makes `name..`, which __res_mkquery rejects (-1): name_from_dns returns EAI_NONAME,
    // and name_from_dns_search returns that at once — no query, and the name as it is is never tried.
    if (qname.endsWith("..")) return this.finish("nxdomain", [], this.name)
    this.queries = this.types.map((qtype) => ({ id: this.nextId++, name: qname, qtype }))
    this.answers = this.queries.map((q) => this.cache?.get(q.name, q.qtype, now))
    if (this.answers.every((a) => a !== undefined)) return this.evaluate(now)
    this.deadline = now + this.timeout
    this.nextResend = now + this.retryInterval
    return { kind: "send", sends: this.unanswered(), wakeAt: this.wakeAt() }
  }

  private unanswered(): ResolverSend[] {
    this.servfailRetry = 2 * this.queries.length
    const sends: ResolverSend[] = []
    for (let i = 0; i < this.queries.length; i++) {
      if (this.answers[i] !== undefined) continue
      for (const server of this.servers) sends.push({ query: this.queries[i] as ResolverQuery, server })
    }
    return sends
  }

  onAnswer(now: Nanos, queryId: number, answer: DnsAnswer, from?: string): ResolverStep {
    if (this.finished !== undefined) return this.finished
    const i = this.queries.findIndex((q) => q.id === queryId)
    if (i < 0 || this.answers[i] !== undefined) return { kind: "wait", wakeAt: this.wakeAt() }
    const query = this.queries[i] as ResolverQuery
    if (answer.rcode === "SERVFAIL") {
      if (this.servfailRetry > 0) {
        this.servfailRetry--
        return { kind: "send", sends: [{ query, server: from ?? (this.servers[0] as string) }], wakeAt: this.wakeAt() }
      }
      return { kind: "wait", wakeAt: this.wakeAt() }
    }
    if (answer.rcode !== "NOERROR" && answer.rcode !== "NXDOMAIN") return { kind: "wait", wakeAt: this.wakeAt() }
    this.answers[i] = answer
    this.cache?.put(query.name, query.qtype, answer, now)
    if (this.answers.every((a) => a !== undefined)) return this.evaluate(now)
    return { kind: "wait", wakeAt: this.wakeAt() }
  }

  onTimer(now: Nanos): ResolverStep {
    if (this.finished !== undefined) return this.finished
    if (now >= this.deadline) return this.evaluate(now)
    if (now < this.nextResend) return { kind: "wait", wakeAt: this.wakeAt() }
    this.nextResend += this.retryInterval
    return { kind: "send", sends: this.unanswered(), wakeAt: this.wakeAt() }
  }

  private evaluate(now: Nanos): ResolverStep {
    const qname = (this.queries[0] as ResolverQuery).name
    for (const a of this.answers) {
      if (a === undefined || a.rcode === "SERVFAIL") return this.finish("again", [], qname)
      if (a.rcode === "NXDOMAIN") {
        if (this.candidate + 1 < this.candidates.length) return this.begin(now)
        return this.finish("nxdomain", [], this.name)
      }
      if (a.rcode !== "NOERROR") return this.finish("fail", [], qname)
    }
    const addresses: string[] = []
    for (let i = 0; i < this.queries.length; i++) addresses.push(...addressesOf(this.answers[i] as DnsAnswer, (this.queries[i] as ResolverQuery).qtype))
    return addresses.length > 0 ? this.finish("ok", addresses, qname) : this.finish("nodata", [], qname)
  }
}
