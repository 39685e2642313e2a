import type { Nanos } from "../sim/index"
import { NANOS_PER_SECOND } from "../sim/index"
import type { DnsAnswer } from "./dns-message"
import { canonicalName } from "./dns-name"

/**
 * An optional per-pod answer cache in front of the stub resolver (musl and glibc have none; a node-local
 * cache or nscd would be one). Positive answers live for their smallest TTL, negative ones for the SOA's
 * minimum (RFC 2308 §5: min(SOA TTL, SOA MINIMUM)); SERVFAIL is never cached.
 */
export class DnsCache {
  private readonly entries = new Map<string, { readonly answer: DnsAnswer; readonly expires: Nanos }>()
  hits = 0
  misses = 0

  private static key(name: string, qtype: string): string {
    return `${canonicalName(name)} ${qtype}`
  }

  get(name: string, qtype: string, now: Nanos): DnsAnswer | undefined {
    const k = DnsCache.key(name, qtype)
    const e = this.entries.get(k)
    if (e === undefined || e.expires <= now) {
      if (e !== undefined) this.entries.delete(k)
      this.misses++
      return undefined
    }
    this.hits++
    return e.answer
  }

  put(name: string, qtype: string, answer: DnsAnswer, now: Nanos): void {
    if (answer.rcode !== "NOERROR" && answer.rcode !== "NXDOMAIN") return
    let ttl: number | undefined
    if (answer.answer.length > 0) for (const r of answer.answer) ttl = ttl === undefined ? r.ttl : Math.min(ttl, r.ttl)
    else {
      const soa = answer.authority.find((r) => r.type === "SOA")
      if (soa === undefined) return
      const minimum = Number(soa.data.split(" ")[6] ?? "0")
      ttl = Math.min(soa.ttl, minimum)
    }
    if (ttl === undefined || ttl <= 0) return
    this.entries.set(DnsCache.key(name, qtype), { answer, expires: now + ttl * NANOS_PER_SECOND })
  }
}
