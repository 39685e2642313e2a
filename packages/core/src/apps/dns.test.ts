import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../sim/index"
import { type LookupResult, corefileCache } from "../dns/index"
import { parseIpv4, type TcpConnection } from "../net/index"
import { isDnsResponse, type DnsQueryMessage, queryBytes } from "./dns-wire"
import { HttpClient } from "./http-client"
import { RequestLoop } from "./request-loop"
import { StubResolverDriver } from "./stub-resolver-driver"
import { KUBE_DNS_IP, WEB_SERVICE_IP, makeSmallCluster, podResolvConf } from "./test-support/small-cluster"

const S = NANOS_PER_SECOND
const MS = NANOS_PER_MILLI

const resolveOne = (c: ReturnType<typeof makeSmallCluster>, name: string, resolver = c.resolver): LookupResult => {
  let out: LookupResult | undefined
  resolver.resolve(name, (r) => {
    out = r
  })
  c.sim.run()
  if (out === undefined) throw new Error("lookup did not end")
  return out
}

describe("the stub resolver over UDP through the kube-dns Service", () => {
  for (const flavour of ["musl", "glibc"] as const) {
    it(`${flavour}: web-service resolves through the search list`, () => {
      const c = makeSmallCluster({ flavour })
      const r = resolveOne(c, "web-service")
      expect(r).toEqual({ status: "ok", addresses: [WEB_SERVICE_IP], answeredName: "web-service.default.svc.cluster.local." })
      expect(c.resolver.counters).toMatchObject({ sent: 2, answered: 2, timedOut: 0, inFlight: 0, lookups: 1, lookupsDone: 1 })
    })
  }

  it("musl: web-service.default walks one search domain (NXDOMAIN) before the answer", () => {
    const c = makeSmallCluster()
    const r = resolveOne(c, "web-service.default")
    expect(r.addresses).toEqual([WEB_SERVICE_IP])
    const dns = c.records.ofKind("dns").sort((x, y) => x.t - y.t || x.qtype.localeCompare(y.qtype))
    expect(dns.map((d) => `${d.name} ${d.qtype} ${d.rcode}`)).toEqual([
      "web-service.default.default.svc.cluster.local. A NXDOMAIN",
      "web-service.default.default.svc.cluster.local. AAAA NXDOMAIN",
      "web-service.default.svc.cluster.local. A NOERROR",
      "web-service.default.svc.cluster.local. AAAA NOERROR",
    ])
    // Every datagram of one getaddrinfo shares its lookup id; latencies are round trips through the node.
    expect(new Set(dns.map((d) => d.lookup)).size).toBe(1)
    for (const d of dns) expect(d.latency).toBeGreaterThan(0)
  })

  it("an external name is forwarded by CoreDNS to the upstream resolver host, as packets", () => {
    const c = makeSmallCluster()
    const r = resolveOne(c, "www.example.com")
    expect(r).toMatchObject({ status: "ok", addresses: ["93.184.216.34"] })
    expect(c.resolver.counters.sent).toBe(8)
    expect(c.upstream.stats.received).toBe(2)
    expect(c.upstream.stats.answered).toBe(2)
  })

  it("CoreDNS answers SERVFAIL when the upstream is unreachable (after its 5 s forward deadline)", () => {
    const c = makeSmallCluster()
    c.upstream.stop()
    const glibc = new StubResolverDriver(c.client, c.env, { client: "glibc", conf: { ...podResolvConf, options: ["ndots:5", "timeout:10"] }, flavour: "glibc" })
    const r = resolveOne(c, "www.example.com.", glibc)
    expect(r.status).toBe("again")
    const fails = c.coredns[0]!.stats.forwardFailures + c.coredns[1]!.stats.forwardFailures
    expect(fails).toBeGreaterThan(0)
    expect(c.records.ofKind("dns").some((d) => d.rcode === "SERVFAIL" && (d.latency as number) >= 5 * S)).toBe(true)
  })

  it("a dead CoreDNS pod behind the Service: queries DNATed to it time out and are retransmitted", () => {
    // Seeded so that the first query goes to the stopped pod; the property below covers the general case.
    let seen = false
    for (let seed = 1; seed <= 20 && !seen; seed++) {
      const c = makeSmallCluster({ seed })
      c.coredns[1]!.stop()
      const r = resolveOne(c, "web-service")
      if (c.resolver.counters.timedOut > 0) {
        seen = true
        expect(r.status === "ok" || r.status === "again").toBe(true)
        const timedOut = c.records.ofKind("dns").filter((d) => d.rcode === null)
        expect(timedOut.length).toBe(c.resolver.counters.timedOut)
        for (const d of timedOut) expect(d.latency).toBeNull()
      }
    }
    expect(seen).toBe(true)
  })

  it("DNS over TCP: the server answers a query on a connection to the kube-dns Service", () => {
    const c = makeSmallCluster()
    const got: unknown[] = []
    const q: DnsQueryMessage = { kind: "dns-query", id: 7, name: "web-service.default.svc.cluster.local.", qtype: "A" }
    c.client.tcpConnect(parseIpv4(KUBE_DNS_IP), 53, {
      onConnected: (conn: TcpConnection) => conn.send(q, queryBytes(q)),
      onData: (conn: TcpConnection, m: unknown) => {
        got.push(m)
        conn.close()
      },
    })
    c.sim.run()
    expect(got.length).toBe(1)
    const m = got[0]
    expect(isDnsResponse(m) && m.id === 7 && m.answer.answer[0]?.data === WEB_SERVICE_IP).toBe(true)
  })
})

describe("conservation: sent = answered + timed out + in flight", () => {
  it("holds at every sampled instant and balances at the end, over random loads, loss and a dead DNS pod", () => {
    let withTimeouts = 0
    const names = ["web-service", "web-service.default", "kube-dns.kube-system", "www.example.com", "nope", "web-service.default.svc.cluster.local."]
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          flavour: fc.constantFrom("musl" as const, "glibc" as const),
          loss: fc.double({ min: 0, max: 0.4, noNaN: true }),
          deadPod: fc.boolean(),
          lookups: fc.array(fc.record({ at: fc.integer({ min: 0, max: 20_000 }), name: fc.constantFrom(...names) }), { minLength: 1, maxLength: 25 }),
          samples: fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 8 }),
        }),
        (p) => {
          const c = makeSmallCluster({ seed: p.seed, flavour: p.flavour, lanLink: { latency: 100_000, loss: p.loss }, vethLink: { latency: 5_000, loss: p.loss / 4 } })
          if (p.deadPod) c.coredns[1]!.stop()
          let done = 0
          const sorted = [...p.lookups].sort((a, b) => a.at - b.at)
          const check = (): void => {
            const k = c.resolver.counters
            expect(k.sent).toBe(k.answered + k.timedOut + k.inFlight)
            expect(k.inFlight).toBeGreaterThanOrEqual(0)
            expect(c.records.ofKind("dns").length).toBe(k.answered + k.timedOut)
          }
          const times = [...sorted.map((l) => ({ t: l.at * MS, name: l.name as string | null })), ...p.samples.map((s) => ({ t: s * MS, name: null }))].sort((a, b) => a.t - b.t)
          for (const x of times) {
            c.sim.run({ until: x.t })
            check()
            if (x.name !== null) c.resolver.resolve(x.name, () => done++)
          }
          c.sim.run()
          check()
          const k = c.resolver.counters
          expect(k.inFlight).toBe(0)
          expect(done).toBe(p.lookups.length)
          expect(k.lookupsDone).toBe(k.lookups)
          // Server side: no server saw more queries than were sent, nor answered more than it received.
          const received = c.coredns.reduce((n, s) => n + s.stats.received, 0)
          expect(received).toBeLessThanOrEqual(k.sent)
          for (const s of [...c.coredns, c.upstream]) expect(s.stats.answered).toBeLessThanOrEqual(s.stats.received)
          expect(k.answered).toBeLessThanOrEqual(c.coredns.reduce((n, s) => n + s.stats.answered, 0))
          if (p.loss === 0 && !p.deadPod) expect(k.timedOut).toBe(0)
          if (k.timedOut > 0) withTimeouts++
        },
      ),
      { numRuns: runs(40) },
    )
    // The loads did exercise the timeout side of the balance.
    expect(withTimeouts).toBeGreaterThan(0)
  })
})

describe("determinism", () => {
  const scenario = (seed: number) => {
    const c = makeSmallCluster({ seed, lanLink: { latency: 100_000, jitter: 20_000, loss: 0.05 }, web: { serviceTime: { kind: "lognormal", median: 2 * MS, sigma: 0.8 } } })
    const wget = new HttpClient(c.client, c.env, { name: "busybox", resolver: c.resolver, labeller: c.labeller })
    const grpc = new HttpClient(c.client, c.env, { name: "grpc", resolver: c.resolver, mode: { kind: "multiplexed" } })
    new RequestLoop(wget, "http://web-service").start()
    new RequestLoop(grpc, "http://web-service.default", { pause: 50 * MS }).start(300 * MS)
    c.sim.run({ until: 30 * S })
    c.web[0]!.server.signal("SIGQUIT")
    c.sim.run({ until: 40 * S })
    c.env.flushInFlight()
    return { jsonl: c.records.toJsonl(), hash: c.sim.traceHash, n: c.records.size }
  }
  it("the same seed gives byte-identical records and the same trace hash", () => {
    const a = scenario(42)
    const b = scenario(42)
    expect(a.n).toBeGreaterThan(100)
    expect(a.jsonl).toBe(b.jsonl)
    expect(a.hash).toBe(b.hash)
    expect(scenario(43).jsonl).not.toBe(a.jsonl)
  })
})

/**
 * CoreDNS' `cache 30` per pod over the packet path (coredns v1.11.1 plugin/cache): each CoreDNS pod keeps what it
 * answered or forwarded; while an entry lives that pod answers from it (the upstream sees nothing), and it is
 * gone at exactly 30 s.
 */
describe("CoreDNS cache over packets", () => {
  it("forwarded answers are cached per CoreDNS pod for 30 s; the reply's TTL counts down", () => {
    const c = makeSmallCluster({ dnsCache: corefileCache(30) })
    const at = (t: number): LookupResult => {
      c.sim.run({ until: t })
      let out: LookupResult | undefined
      c.resolver.resolve("www.example.com.", (r) => {
        out = r
      })
      c.sim.run({ until: t + 1 * S })
      if (out === undefined) throw new Error("lookup did not end")
      return out
    }
    for (let k = 0; k < 10; k++) expect(at(k * 2 * S).addresses).toEqual(["93.184.216.34"])
    // Each pod forwards A and AAAA once, whichever pods the Service's DNAT picked.
    const forwarded = c.coredns[0]!.stats.forwarded + c.coredns[1]!.stats.forwarded
    expect(c.upstream.stats.received).toBe(forwarded)
    expect(forwarded === 2 || forwarded === 4).toBe(true)
    const hits = c.records.ofKind("dns").filter((d) => d.rcode === "NOERROR").length - forwarded
    expect(hits).toBe(20 - forwarded)
    // 30 s after the first forward every entry has expired: the next lookup goes upstream again.
    at(40 * S)
    expect(c.upstream.stats.received).toBeGreaterThan(forwarded)
  })

  it("negative answers of the cluster domain are cached too (kubeadm 1.30's Corefile): repeated NXDOMAINs come from the cache", () => {
    const c = makeSmallCluster({ dnsCache: corefileCache(30) })
    for (let k = 0; k < 3; k++) expect(resolveOne(c, "nope.default.svc.cluster.local.").status).toBe("nxdomain")
    const dns = c.records.ofKind("dns")
    expect(dns.map((d) => d.rcode)).toEqual(Array(6).fill("NXDOMAIN"))
    // 6 queries; at most A and AAAA per pod (4) reach the plugin, the rest are cache hits.
    const hits = c.coredns.reduce((n, s) => n + (s.config.cache?.hits ?? 0), 0)
    const misses = c.coredns.reduce((n, s) => n + (s.config.cache?.misses ?? 0), 0)
    expect(hits + misses).toBe(6)
    expect(misses).toBeLessThanOrEqual(4)
    expect(hits).toBeGreaterThanOrEqual(2)
  })
})
