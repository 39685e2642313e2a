import { NANOS_PER_SECOND, type Nanos } from "../sim/index"
import type { DnsAnswer, DnsQuestion, ResourceRecord, RrType } from "./dns-message"
import { canonicalName, isSubdomain } from "./dns-name"

/**
 * The `cache` stanza of a Corefile (coredns v1.11.1 plugin/cache/setup.go, cache.go): `cache [TTL] [ZONES]` sets
 * both maxima to TTL; the minima stay `MinimalDefaultTTL` (5 s); SERVFAIL is kept `failttl` (5 s); `disable
 * success|denial ZONES` (coredns ≥ 1.10) exempts zones from one of the two caches. Times in seconds.
 */
export interface CorednsCacheConfig {
  readonly zones: ReadonlyArray<string>
  /** pttl / nttl: the longest a positive / negative answer is kept. */
  readonly successMax: number
  readonly denialMax: number
  /** minpttl / minnttl: the shortest. */
  readonly successMin: number
  readonly denialMin: number
  readonly failTtl: number
  readonly disableSuccess: ReadonlyArray<string>
  readonly disableDenial: ReadonlyArray<string>
  /** Entries per cache (`defaultCap` 10000). */
  readonly capacity: number
}

/** `dnsutil.MinimalDefaultTTL`. */
const MINIMAL_DEFAULT_TTL = 5
/** `dnsutil.MaximumDefaulTTL`. */
const MAXIMUM_DEFAULT_TTL = 3600

/** `cache <ttl>` as kubeadm writes it (`cache 30`), optionally with `disable success|denial <zone>` for `zones`. */
export const corefileCache = (ttl: number, disabledZones: ReadonlyArray<string> = []): CorednsCacheConfig => ({
  zones: ["."],
  successMax: ttl,
  denialMax: ttl,
  successMin: MINIMAL_DEFAULT_TTL,
  denialMin: MINIMAL_DEFAULT_TTL,
  failTtl: MINIMAL_DEFAULT_TTL,
  disableSuccess: disabledZones,
  disableDenial: disabledZones,
  capacity: 10000,
})

/** plugin/pkg/response/typify.go, for the types an answer here can have. */
type ResponseType = "NoError" | "NameError" | "NoData" | "Delegation" | "ServerError" | "OtherError"

const typify = (a: DnsAnswer): ResponseType => {
  if (a.answer.length > 0 && a.rcode === "NOERROR") return "NoError"
  let soa = false
  let ns = 0
  for (const r of a.authority) {
    if (r.type === "SOA") soa = true
    else if (r.type === "NS") ns++
  }
  if (soa && a.rcode === "NOERROR") return "NoData"
  if (soa && a.rcode === "NXDOMAIN") return "NameError"
  if (a.rcode === "SERVFAIL" || a.rcode === "NOTIMP") return "ServerError"
  if (ns > 0 && a.rcode === "NOERROR") return "Delegation"
  if (a.rcode === "NOERROR") return "NoError"
  return "OtherError"
}

/** plugin/pkg/dnsutil/ttl.go `MinimalTTL`: the lowest TTL of every record; 5 s for an empty message. */
const minimalTtl = (a: DnsAnswer, t: ResponseType): number => {
  if (t !== "NoError" && t !== "NameError" && t !== "NoData") return MINIMAL_DEFAULT_TTL
  if (a.answer.length + a.authority.length + a.additional.length === 0) return MINIMAL_DEFAULT_TTL
  let min = MAXIMUM_DEFAULT_TTL
  for (const sec of [a.answer, a.authority, a.additional]) for (const r of sec) if (r.ttl < min) min = r.ttl
  return min
}

/** cache.go `computeTTL`. */
const clamp = (ttl: number, lo: number, hi: number): number => (ttl < lo ? lo : ttl > hi ? hi : ttl)

const withTtl = (rrs: ReadonlyArray<ResourceRecord>, ttl: number): ReadonlyArray<ResourceRecord> => rrs.map((r) => (r.ttl === ttl ? r : { ...r, ttl }))

/** An answer with every record's TTL set to `ttl` (cache/dnssec.go `filterRRSlice`, item.go `toMsg`). */
const answerWithTtl = (a: DnsAnswer, ttl: number): DnsAnswer => ({ ...a, answer: withTtl(a.answer, ttl), authority: withTtl(a.authority, ttl), additional: withTtl(a.additional, ttl) })

interface Item {
  readonly answer: DnsAnswer
  readonly stored: Nanos
  /** Seconds, `uint32(duration.Seconds())`. */
  readonly origTtl: number
}

/**
 * One CoreDNS process' `cache` plugin: a success and a denial cache keyed by (lower-cased name, type)
 * (cache.go `hash`; the DO bit is never set here). On a miss the reply is stored for its minimal TTL clamped to
 * [min, max] (SERVFAIL for `failttl`) and every record's TTL in the reply becomes that duration; a hit answers
 * with the stored message, TTLs set to what is left (item.go `ttl`: whole seconds since storing, so an entry
 * lives exactly `origTtl` seconds). Expired entries are misses (no `serve_stale`, no `prefetch`: kubeadm sets
 * neither). Approximation: when a cache is full the oldest entry goes (upstream evicts a random one of a shard).
 */
export class CorednsCache {
  private readonly success = new Map<string, Item>()
  private readonly denial = new Map<string, Item>()
  private readonly zoneKeys: ReadonlyArray<string>
  private readonly successExcept: ReadonlyArray<string>
  private readonly denialExcept: ReadonlyArray<string>
  hits = 0
  misses = 0

  constructor(readonly config: CorednsCacheConfig) {
    this.zoneKeys = config.zones.map(canonicalName)
    this.successExcept = config.disableSuccess.map(canonicalName)
    this.denialExcept = config.disableDenial.map(canonicalName)
  }

  /** Whether the cache handles this name at all (handler.go: `plugin.Zones(c.Zones).Matches`). */
  covers(name: string): boolean {
    const l = canonicalName(name)
    return this.zoneKeys.some((z) => isSubdomain(z, l))
  }

  /** handler.go `ServeDNS` lookup: positive first, then negative; undefined on a miss or expired entry. */
  get(q: DnsQuestion, now: Nanos): DnsAnswer | undefined {
    if (!this.covers(q.name)) return undefined
    const k = key(q.name, q.qtype)
    const item = this.success.get(k) ?? this.denial.get(k)
    const ttl = item === undefined ? 0 : item.origTtl - Math.floor((now - item.stored) / NANOS_PER_SECOND)
    if (item === undefined || ttl <= 0) {
      this.misses++
      return undefined
    }
    this.hits++
    return answerWithTtl(item.answer, ttl)
  }

  /** cache.go `ResponseWriter.WriteMsg`: store what may be stored; returns the reply as the client gets it. */
  put(q: DnsQuestion, a: DnsAnswer, now: Nanos): DnsAnswer {
    if (!this.covers(q.name)) return a
    const t = typify(a)
    const seconds =
      t === "NameError" || t === "NoData"
        ? clamp(minimalTtl(a, t), this.config.denialMin, this.config.denialMax)
        : t === "ServerError"
          ? this.config.failTtl
          : clamp(minimalTtl(a, t), this.config.successMin, this.config.successMax)
    if (t === "OtherError" || seconds <= 0) return answerWithTtl(a, seconds)
    const positive = t === "NoError" || t === "Delegation"
    const except = positive ? this.successExcept : this.denialExcept
    const lname = canonicalName(q.name)
    if (!except.some((z) => isSubdomain(z, lname))) {
      const store = positive ? this.success : this.denial
      const k = key(q.name, q.qtype)
      store.delete(k)
      if (store.size >= this.config.capacity) store.delete(store.keys().next().value as string)
      store.set(k, { answer: a, stored: now, origTtl: seconds })
    }
    return answerWithTtl(a, seconds)
  }
}

const key = (name: string, qtype: RrType): string => `${qtype} ${canonicalName(name)}`
