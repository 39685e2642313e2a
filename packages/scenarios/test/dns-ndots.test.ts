import type { records } from "@kubesim/core"
import { describe, expect, it } from "vitest"
import { loadBuiltinScenario, runScenario } from "../src/index"
import { runBuiltin } from "./library-support"

const S = 1e9

/** The scenario's dns records grouped by getaddrinfo call (`lookup`), each group in send order. */
const lookups = (recs: ReadonlyArray<records.RunRecord>): records.DnsRecord[][] => {
  const by = new Map<number, records.DnsRecord[]>()
  for (const r of recs) if (r.kind === "dns" && r.client === "client") by.set(r.lookup, [...(by.get(r.lookup) ?? []), r])
  return [...by.values()].map((g) => [...g].sort((a, b) => a.t - b.t || a.qtype.localeCompare(b.qtype)))
}

/**
 * dns-ndots (issue 14): with the kubelet's `ndots:5` and search `default.svc.cluster.local svc.cluster.local
 * cluster.local`, musl (busybox) tries a two-dot name under each search domain before the name itself, A and AAAA
 * in parallel (musl src/network/lookup_name.c `name_from_dns_search`, `name_from_dns`): 4 names × 2 = 8 queries,
 * the last two answered by the upstream resolver through CoreDNS' forward. The trailing-dot FQDN skips the search
 * list: 2 queries.
 */
describe("dns-ndots: query amplification of an external name", () => {
  it("default (api.example.org): 8 queries per lookup, 3 search names NXDOMAIN, then the name resolves", () => {
    const groups = lookups(runBuiltin("dns-ndots").records)
    expect(groups.length).toBeGreaterThanOrEqual(5)
    for (const g of groups) {
      expect(g.map((d) => `${d.name} ${d.qtype} ${d.rcode} ${d.answers}`)).toEqual([
        "api.example.org.default.svc.cluster.local. A NXDOMAIN 0",
        "api.example.org.default.svc.cluster.local. AAAA NXDOMAIN 0",
        "api.example.org.svc.cluster.local. A NXDOMAIN 0",
        "api.example.org.svc.cluster.local. AAAA NXDOMAIN 0",
        "api.example.org.cluster.local. A NXDOMAIN 0",
        "api.example.org.cluster.local. AAAA NXDOMAIN 0",
        "api.example.org. A NOERROR 1",
        "api.example.org. AAAA NOERROR 0",
      ])
      // musl sends A and AAAA of one name together and moves on when both are back.
      for (let k = 0; k < 8; k += 2) expect(g[k]!.t).toBe(g[k + 1]!.t)
    }
  })

  it("fqdn variant (api.example.org.): 2 queries per lookup, answered", () => {
    const r = runScenario(loadBuiltinScenario("dns-ndots"), { seed: 1, variant: "fqdn" })
    const groups = lookups(r.records)
    expect(groups.length).toBeGreaterThanOrEqual(5)
    for (const g of groups) expect(g.map((d) => `${d.name} ${d.qtype} ${d.rcode} ${d.answers}`)).toEqual(["api.example.org. A NOERROR 1", "api.example.org. AAAA NOERROR 0"])
  })

  it("every request reaches the external web server the name points at, masqueraded to its node's address", () => {
    const reqs = runBuiltin("dns-ndots").records.filter((x): x is records.RequestRecord => x.kind === "request")
    expect(reqs.length).toBeGreaterThan(0)
    for (const q of reqs) {
      expect(q.dst).toBe("93.184.216.34:80")
      expect(q.outcome).toBe("ok")
      expect(q.pod).toBe("api-example-org")
      // kindnetd's KIND-MASQ-AGENT: traffic leaving the pod network carries the node's address.
      expect(q.sourceIp).toMatch(/^172\.18\.0\.\d+$/)
    }
    expect(reqs[0]!.t).toBe(15 * S)
  })

  it("the six extra round trips through CoreDNS cost latency: the search list makes requests slower than the FQDN", () => {
    const mean = (variant: string): number => {
      const rs = runScenario(loadBuiltinScenario("dns-ndots"), { seed: 1, variant }).records.filter((x): x is records.RequestRecord => x.kind === "request" && x.outcome === "ok")
      return rs.reduce((a, r) => a + (r.latency ?? 0), 0) / rs.length
    }
    const search = mean("default")
    const fqdn = mean("fqdn")
    expect(search).toBeGreaterThan(fqdn * 1.3)
  })
})
