import { describe, expect, it } from "vitest"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../sim/index"
import { CorednsCache, corefileCache } from "./coredns-cache"
import { kubeadmCorefile } from "./corefile"
import { type DnsAnswer, emptyAnswer, rr } from "./dns-message"

const S = NANOS_PER_SECOND
const q = (name: string, qtype: "A" | "AAAA" = "A") => ({ name, qtype })
const ok = (name: string, ttl: number, ip = "10.96.0.7"): DnsAnswer => ({ rcode: "NOERROR", authoritative: true, answer: [rr(name, "A", ttl, ip)], authority: [], additional: [] })
const soa = (ttl: number, minttl: number) => rr("cluster.local.", "SOA", ttl, `ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 ${minttl}`)

/** coredns v1.11.1 plugin/cache (cache.go, handler.go, item.go) with kubeadm's `cache 30`. */
describe("CoreDNS cache 30", () => {
  it("a positive answer is kept for its TTL clamped to 30 s, counting down in whole seconds, gone at exactly 30 s", () => {
    const c = new CorednsCache(corefileCache(30))
    const t0 = 10 * S
    // The reply on the miss already carries the cache duration (filterRRSlice).
    expect(c.put(q("web.default.svc.cluster.local."), ok("web.default.svc.cluster.local.", 30), t0).answer[0]!.ttl).toBe(30)
    expect(c.get(q("WEB.default.svc.cluster.local"), t0)!.answer[0]!.ttl).toBe(30)
    expect(c.get(q("web.default.svc.cluster.local."), t0 + 999 * NANOS_PER_MILLI)!.answer[0]!.ttl).toBe(30)
    expect(c.get(q("web.default.svc.cluster.local."), t0 + 1 * S)!.answer[0]!.ttl).toBe(29)
    expect(c.get(q("web.default.svc.cluster.local."), t0 + 30 * S - 1)!.answer[0]!.ttl).toBe(1)
    expect(c.get(q("web.default.svc.cluster.local."), t0 + 30 * S)).toBeUndefined()
    // Other types are other keys.
    expect(c.get(q("web.default.svc.cluster.local.", "AAAA"), t0)).toBeUndefined()
    expect([c.hits, c.misses]).toEqual([4, 2])
  })

  it("TTLs are clamped to [5, 30]: a 3600 s upstream record is kept 30 s, a 1 s record 5 s (MinimalDefaultTTL)", () => {
    const c = new CorednsCache(corefileCache(30))
    expect(c.put(q("long.example.com."), ok("long.example.com.", 3600), 0).answer[0]!.ttl).toBe(30)
    expect(c.put(q("short.example.com."), ok("short.example.com.", 1), 0).answer[0]!.ttl).toBe(5)
    expect(c.get(q("short.example.com."), 5 * S - 1)).toBeDefined()
    expect(c.get(q("short.example.com."), 5 * S)).toBeUndefined()
    expect(c.get(q("long.example.com."), 30 * S - 1)).toBeDefined()
  })

  it("negative caching: NXDOMAIN and NODATA (with their SOA) for the lowest TTL in the message, clamped to [5, 30]", () => {
    const c = new CorednsCache(corefileCache(30))
    // kubeadm's kubernetes stanza: SOA TTL min(30, 300) = 30, minttl 30.
    c.put(q("nope.default.svc.cluster.local."), emptyAnswer("NXDOMAIN", true, soa(30, 30)), 0)
    const hit = c.get(q("nope.default.svc.cluster.local."), 12 * S)!
    expect([hit.rcode, hit.authority[0]!.ttl]).toEqual(["NXDOMAIN", 18])
    expect(c.get(q("nope.default.svc.cluster.local."), 30 * S)).toBeUndefined()
    // The plugin's default TTL 5: NODATA kept 5 s.
    c.put(q("web.default.svc.cluster.local.", "AAAA"), emptyAnswer("NOERROR", true, soa(5, 5)), 0)
    expect(c.get(q("web.default.svc.cluster.local.", "AAAA"), 4 * S)!.rcode).toBe("NOERROR")
    expect(c.get(q("web.default.svc.cluster.local.", "AAAA"), 5 * S)).toBeUndefined()
  })

  it("SERVFAIL is kept 5 s (failttl); REFUSED and an NXDOMAIN without SOA are not kept", () => {
    const c = new CorednsCache(corefileCache(30))
    c.put(q("flaky.example.com."), emptyAnswer("SERVFAIL", false), 0)
    expect(c.get(q("flaky.example.com."), 5 * S - 1)!.rcode).toBe("SERVFAIL")
    expect(c.get(q("flaky.example.com."), 5 * S)).toBeUndefined()
    c.put(q("r.example.com."), emptyAnswer("REFUSED", false), 0)
    c.put(q("n.example.com."), emptyAnswer("NXDOMAIN", false), 0)
    expect(c.get(q("r.example.com."), 0)).toBeUndefined()
    expect(c.get(q("n.example.com."), 0)).toBeUndefined()
  })

  it("kubeadm ≥ 1.32 (`disable success|denial cluster.local`): cluster answers pass uncached, external ones are cached", () => {
    const c = new CorednsCache(kubeadmCorefile("cluster.local", 32).cache!)
    c.put(q("web.default.svc.cluster.local."), ok("web.default.svc.cluster.local.", 30), 0)
    c.put(q("nope.default.svc.cluster.local."), emptyAnswer("NXDOMAIN", true, soa(30, 30)), 0)
    c.put(q("www.example.com."), ok("www.example.com.", 300, "93.184.216.34"), 0)
    expect(c.get(q("web.default.svc.cluster.local."), 1)).toBeUndefined()
    expect(c.get(q("nope.default.svc.cluster.local."), 1)).toBeUndefined()
    expect(c.get(q("www.example.com."), 1)!.answer[0]!.ttl).toBe(30)
    // kubesim's kubeadm (1.30, coredns v1.11.1) still caches the cluster domain.
    const old = new CorednsCache(kubeadmCorefile("cluster.local").cache!)
    old.put(q("web.default.svc.cluster.local."), ok("web.default.svc.cluster.local.", 30), 0)
    expect(old.get(q("web.default.svc.cluster.local."), 1)).toBeDefined()
  })

  it("a new answer for a key replaces the old one; a full cache drops its oldest entry", () => {
    const c = new CorednsCache({ ...corefileCache(30), capacity: 2 })
    c.put(q("a."), ok("a.", 30, "10.0.0.1"), 0)
    c.put(q("a."), ok("a.", 30, "10.0.0.2"), 1 * S)
    expect(c.get(q("a."), 2 * S)!.answer[0]!.data).toBe("10.0.0.2")
    c.put(q("b."), ok("b.", 30), 2 * S)
    c.put(q("c."), ok("c.", 30), 3 * S)
    expect(c.get(q("a."), 3 * S)).toBeUndefined()
    expect(c.get(q("c."), 3 * S)).toBeDefined()
  })
})
