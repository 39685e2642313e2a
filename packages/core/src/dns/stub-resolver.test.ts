import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../sim/index"
import { ClusterZoneIndex } from "./cluster-zone-index"
import { CorednsServer } from "./coredns-server"
import { DnsCache } from "./dns-cache"
import type { DnsAnswer } from "./dns-message"
import { emptyAnswer } from "./dns-message"
import { kubeadmKubernetesStanza } from "./kubernetes-plugin"
import { type KubeletDnsSettings, resolvConfFor } from "./kubelet-resolv-conf"
import type { ResolverFlavour } from "./resolv-conf"
import { type AnswerFn, resolveSync } from "./resolve-sync"
import { startLookup } from "./stub-resolver"
import { slice, svc } from "./test-fixtures"
import { UpstreamZone, parseUpstreamRecords } from "./upstream-zone"

const settings: KubeletDnsSettings = { clusterDomain: "cluster.local", clusterDns: ["10.96.0.10"], nodeResolvConf: { nameservers: ["192.168.0.2"], searches: [], options: [] } }
const confFor = (namespace: string) => resolvConfFor({ metadata: { name: "client", namespace }, spec: {} }, settings).conf

const seedCluster = (): CorednsServer => {
  const index = new ClusterZoneIndex()
  index.setNamespace("default")
  index.setNamespace("other-ns")
  index.setService(svc("default", "kubernetes", { type: "ClusterIP", clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443 }] }))
  index.setService(svc("default", "web-service", { type: "ClusterIP", clusterIP: "10.108.4.193", ports: [{ port: 80 }] }))
  index.setService(svc("other-ns", "my-svc", { type: "ClusterIP", clusterIP: "10.96.7.7", ports: [{ port: 80 }] }))
  index.setService(svc("default", "external-db", { type: "ExternalName", externalName: "db.example.com" }))
  const upstream = new UpstreamZone(parseUpstreamRecords("www.example.com A 93.184.216.34\ndb.example.com A 93.184.216.35\nexample.com SOA ns.example.com. admin.example.com. 1 7200 900 1209600 60"))
  return new CorednsServer(index, kubeadmKubernetesStanza(), upstream)
}

const serverAnswers =
  (server: CorednsServer): AnswerFn =>
  (s) =>
    server.answer({ name: s.query.name, qtype: s.query.qtype })

const walk = (flavour: ResolverFlavour, name: string, answer: AnswerFn, namespace = "default") => resolveSync(startLookup(flavour, confFor(namespace), name), answer)
const names = (sent: ReadonlyArray<{ name: string; qtype: string }>) => sent.map((s) => `${s.name} ${s.qtype}`)

describe("the search walk against cluster DNS (ns default, ndots:5)", () => {
  const server = seedCluster()
  const answer = serverAnswers(server)
  for (const flavour of ["musl", "glibc"] as const) {
    it(`${flavour}: kubernetes → 2 queries`, () => {
      const o = walk(flavour, "kubernetes", answer)
      expect(o.result).toEqual({ status: "ok", addresses: ["10.96.0.1"], answeredName: "kubernetes.default.svc.cluster.local." })
      expect(names(o.sent)).toEqual(["kubernetes.default.svc.cluster.local. A", "kubernetes.default.svc.cluster.local. AAAA"])
    })
    it(`${flavour}: kubernetes.default → 4 queries`, () => {
      const o = walk(flavour, "kubernetes.default", answer)
      expect(o.result.addresses).toEqual(["10.96.0.1"])
      expect(o.sent.length).toBe(4)
    })
    it(`${flavour}: my-svc.other-ns.svc.cluster.local (4 dots) → 3 search names then as-is: 8 queries`, () => {
      const o = walk(flavour, "my-svc.other-ns.svc.cluster.local", answer)
      expect(o.result.addresses).toEqual(["10.96.7.7"])
      expect(names(o.sent).filter((n) => n.endsWith(" A"))).toEqual([
        "my-svc.other-ns.svc.cluster.local.default.svc.cluster.local. A",
        "my-svc.other-ns.svc.cluster.local.svc.cluster.local. A",
        "my-svc.other-ns.svc.cluster.local.cluster.local. A",
        "my-svc.other-ns.svc.cluster.local. A",
      ])
      expect(o.sent.length).toBe(8)
    })
    it(`${flavour}: www.example.com → 8 queries, the last pair forwarded upstream`, () => {
      const o = walk(flavour, "www.example.com", answer)
      expect(o.result.addresses).toEqual(["93.184.216.34"])
      expect(o.sent.length).toBe(8)
    })
    it(`${flavour}: www.example.com. (trailing dot) → exactly one A and one AAAA`, () => {
      const o = walk(flavour, "www.example.com.", answer)
      expect(names(o.sent)).toEqual(["www.example.com. A", "www.example.com. AAAA"])
    })
    it(`${flavour}: a missing name is NXDOMAIN after every search name and the name itself`, () => {
      const o = walk(flavour, "nope", answer)
      expect(o.result.status).toBe("nxdomain")
      expect(o.sent.length).toBe(8)
    })
    it(`${flavour}: ExternalName resolves through its CNAME to the upstream address`, () => {
      const o = walk(flavour, "external-db", answer)
      expect(o.result.addresses).toEqual(["93.184.216.35"])
      expect(o.sent.length).toBe(2)
    })
  }

  it("musl never searches a name with ≥ ndots dots; glibc tries it as-is first and then searches", () => {
    const missing = "a.b.c.d.e.f"
    expect(walk("musl", missing, answer).sent.length).toBe(2)
    expect(names(walk("glibc", missing, answer).sent).filter((n) => n.endsWith(" A"))).toEqual([
      "a.b.c.d.e.f. A",
      "a.b.c.d.e.f.default.svc.cluster.local. A",
      "a.b.c.d.e.f.svc.cluster.local. A",
      "a.b.c.d.e.f.cluster.local. A",
    ])
  })

  it("NODATA under a search domain stops musl but not glibc", () => {
    // "default.svc.cluster.local" is a namespace name: NOERROR without records.
    const m = walk("musl", "default", answer)
    expect([m.result.status, m.sent.length]).toEqual(["nodata", 4])
    const g = walk("glibc", "default", answer)
    expect([g.result.status, g.sent.length]).toEqual(["nodata", 8])
  })
})

describe("timeouts and retransmissions", () => {
  const server = seedCluster()
  const answer = serverAnswers(server)
  const dropFirstAaaa = (): AnswerFn => {
    let dropped = false
    return (s, at) => {
      if (s.query.qtype === "AAAA" && !dropped) {
        dropped = true
        return undefined
      }
      return answer(s, at)
    }
  }

  it("musl resends the lost AAAA after timeout/attempts = 2.5 s and succeeds then", () => {
    const o = walk("musl", "web-service", dropFirstAaaa())
    expect(o.result.addresses).toEqual(["10.108.4.193"])
    expect(o.sent.map((s) => [s.qtype, s.at])).toEqual([
      ["A", 0],
      ["AAAA", 0],
      ["AAAA", 2500 * NANOS_PER_MILLI],
    ])
  })

  it("glibc waits the full 5 s, switches to single-request and repeats the pair (the conntrack-race stall)", () => {
    const o = walk("glibc", "web-service", dropFirstAaaa())
    expect(o.result.addresses).toEqual(["10.108.4.193"])
    expect(o.elapsed).toBe(5 * NANOS_PER_SECOND)
    expect(o.sent.map((s) => s.qtype)).toEqual(["A", "AAAA", "A", "AAAA"])
  })

  it("a dead DNS server: musl gives up with EAI_AGAIN after 5 s, glibc after attempts × timeout and the as-is retry", () => {
    const m = walk("musl", "web-service", () => undefined)
    expect([m.result.status, m.elapsed, m.sent.length]).toEqual(["again", 5 * NANOS_PER_SECOND, 4])
    const g = walk("glibc", "web-service", () => undefined)
    // Search stops at the first timeout, then the name as-is is still tried: 2 names × 2 attempts × 5 s.
    expect([g.result.status, g.elapsed, g.sent.length]).toEqual(["again", 20 * NANOS_PER_SECOND, 8])
    expect(new Set(g.sent.map((s) => s.name))).toEqual(new Set(["web-service.default.svc.cluster.local.", "web-service."]))
  })

  it("timeout: and attempts: options change musl's retry schedule", () => {
    const conf = { ...confFor("default"), options: ["ndots:5", "timeout:3", "attempts:3"] }
    const o = resolveSync(startLookup("musl", conf, "web-service"), () => undefined)
    expect(o.sent.filter((s) => s.qtype === "A").map((s) => s.at / NANOS_PER_MILLI)).toEqual([0, 1000, 2000])
    expect(o.elapsed).toBe(3 * NANOS_PER_SECOND)
  })

  it("musl retries a SERVFAIL at once and then treats the name as unanswered", () => {
    const servfail = (): DnsAnswer => emptyAnswer("SERVFAIL", false)
    const o = walk("musl", "web-service", servfail)
    expect(o.result.status).toBe("again")
    // First round: 2 sends + 4 immediate SERVFAIL retries; every retry interval re-arms the budget.
    expect(o.sent.filter((s) => s.at === 0).length).toBe(6)
  })

  it("glibc keeps searching past SERVFAIL and reports TRY_AGAIN", () => {
    const o = walk("glibc", "nope", () => emptyAnswer("SERVFAIL", false))
    expect(o.result.status).toBe("again")
    // Each of the 4 names: 2 attempts × (A + AAAA).
    expect(o.sent.length).toBe(16)
  })
})

describe("optional per-pod cache", () => {
  it("answers repeated lookups without sending, until the TTL runs out", () => {
    const server = seedCluster()
    const cache = new DnsCache()
    const conf = confFor("default")
    const first = resolveSync(startLookup("musl", conf, "web-service", "unspec", cache), serverAnswers(server))
    expect(first.sent.length).toBe(2)
    const second = resolveSync(startLookup("musl", conf, "web-service", "unspec", cache), serverAnswers(server))
    expect(second.sent.length).toBe(0)
    expect(second.result.addresses).toEqual(["10.108.4.193"])
  })
})

/** A random cluster: namespaces, ClusterIP Services, headless Services with ready and unready endpoints. */
interface RandomService {
  readonly namespace: string
  readonly name: string
  readonly headless: boolean
  readonly endpoints: ReadonlyArray<{ readonly ip: string; readonly ready: boolean }>
}
const NAMESPACES = ["default", "ns-a", "ns-b"]
const SERVICE_NAMES = ["web", "api", "db", "cache"]
const clusterArb = fc
  .uniqueArray(
    fc.record({
      namespace: fc.constantFrom(...NAMESPACES),
      name: fc.constantFrom(...SERVICE_NAMES),
      headless: fc.boolean(),
      endpoints: fc.array(fc.record({ ip: fc.integer({ min: 1, max: 250 }), ready: fc.boolean() }), { maxLength: 5 }),
    }),
    { selector: (s) => `${s.namespace}/${s.name}`, minLength: 1, maxLength: 8 },
  )
  .map((list): RandomService[] =>
    list.map((s, i) => ({
      ...s,
      endpoints: [...new Map(s.endpoints.map((e) => [`10.244.${i}.${e.ip}`, { ip: `10.244.${i}.${e.ip}`, ready: e.ready }])).values()],
    })),
  )

const buildCluster = (services: ReadonlyArray<RandomService>): { server: CorednsServer; clusterIps: Map<string, string> } => {
  const index = new ClusterZoneIndex()
  for (const ns of NAMESPACES) index.setNamespace(ns)
  const clusterIps = new Map<string, string>()
  services.forEach((s, i) => {
    const ip = `10.96.${i}.${10 + i}`
    if (!s.headless) clusterIps.set(`${s.namespace}/${s.name}`, ip)
    index.setService(svc(s.namespace, s.name, { type: "ClusterIP", clusterIP: s.headless ? "None" : ip, ports: [{ name: "http", port: 80 }] }))
    index.setEndpointSlice(slice(s.namespace, s.name, `${s.name}-abcde`, s.endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready } })), [{ name: "http", protocol: "TCP", port: 80 }]))
  })
  return { server: new CorednsServer(index, kubeadmKubernetesStanza(), new UpstreamZone()), clusterIps }
}

describe("random clusters", () => {
  it("every ClusterIP Service resolves from every namespace by svc.ns and FQDN, and by short name from its own", () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom<ResolverFlavour>("musl", "glibc"), (services, flavour) => {
        const { server, clusterIps } = buildCluster(services)
        for (const s of services) {
          if (s.headless) continue
          const ip = clusterIps.get(`${s.namespace}/${s.name}`)
          for (const client of NAMESPACES) {
            const forms = [`${s.name}.${s.namespace}`, `${s.name}.${s.namespace}.svc`, `${s.name}.${s.namespace}.svc.cluster.local`, `${s.name}.${s.namespace}.svc.cluster.local.`]
            if (client === s.namespace) forms.push(s.name)
            for (const form of forms) {
              const o = walk(flavour, form, serverAnswers(server), client)
              expect(o.result.addresses, `${flavour} ${form} from ${client}`).toEqual([ip])
            }
          }
        }
      }),
      { numRuns: runs(60) },
    )
  })

  it("headless names resolve to exactly the ready endpoint IPs (NXDOMAIN-walk when none are ready)", () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom<ResolverFlavour>("musl", "glibc"), (services, flavour) => {
        const { server } = buildCluster(services)
        for (const s of services) {
          if (!s.headless) continue
          const ready = s.endpoints.filter((e) => e.ready).map((e) => e.ip)
          const o = walk(flavour, `${s.name}.${s.namespace}.svc.cluster.local.`, serverAnswers(server))
          if (ready.length === 0) expect(o.result.status).toBe("nxdomain")
          else expect([...o.result.addresses].sort()).toEqual([...ready].sort())
        }
      }),
      { numRuns: runs(60) },
    )
  })

  it("a missing name costs (search domains + 1) × 2 queries; a trailing-dot FQDN costs one pair", () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom<ResolverFlavour>("musl", "glibc"), fc.constantFrom(...NAMESPACES), fc.integer({ min: 0, max: 3 }), (services, flavour, client, dots) => {
        const { server } = buildCluster(services)
        const missing = ["missing", "x", "y", "z"].slice(0, dots + 1).join(".")
        const conf = confFor(client)
        const o = walk(flavour, missing, serverAnswers(server), client)
        expect(o.result.status).toBe("nxdomain")
        expect(o.sent.length).toBe((conf.searches.length + 1) * 2)
        const fq = walk(flavour, `missing.${client}.svc.cluster.local.`, serverAnswers(server), client)
        expect(fq.sent.length).toBe(2)
      }),
      { numRuns: runs(60) },
    )
  })
})

/**
 * A search list ending in "." (the kubelet keeps a node's `search .`, kubernetes/kubernetes#109441). glibc
 * `__res_context_search` strips the dot and queries the name as it is at that place, and then not again
 * (`root_on_list`); musl `name_from_dns_search` builds `name..`, which `__res_mkquery` rejects, so
 * `name_from_dns` returns EAI_NONAME and the walk ends there without asking the name as it is.
 */
describe("the search walk with `.` in the search list", () => {
  const server = seedCluster()
  const answer = serverAnswers(server)
  const conf = resolvConfFor(
    { metadata: { name: "client", namespace: "default" }, spec: {} },
    { ...settings, nodeResolvConf: { nameservers: ["192.168.0.2"], searches: ["."], options: [] } },
  ).conf
  it("glibc: the root entry asks www.example.com. once, last", () => {
    const o = resolveSync(startLookup("glibc", conf, "www.example.com"), answer)
    expect(o.result).toMatchObject({ status: "ok", addresses: ["93.184.216.34"], answeredName: "www.example.com." })
    expect(names(o.sent).filter((n) => n.endsWith(" A"))).toEqual([
      "www.example.com.default.svc.cluster.local. A",
      "www.example.com.svc.cluster.local. A",
      "www.example.com.cluster.local. A",
      "www.example.com. A",
    ])
  })
  it("musl: the cluster domains, then EAI_NONAME at `.` — the bare name is never asked", () => {
    const o = resolveSync(startLookup("musl", conf, "www.example.com"), answer)
    expect(o.result.status).toBe("nxdomain")
    expect(names(o.sent).filter((n) => n.endsWith(" A"))).toEqual(["www.example.com.default.svc.cluster.local. A", "www.example.com.svc.cluster.local. A", "www.example.com.cluster.local. A"])
    // A name that resolves under a cluster domain never reaches the `.`.
    expect(resolveSync(startLookup("musl", conf, "web-service"), answer).result.addresses).toEqual(["10.108.4.193"])
  })
})
