import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { Simulation } from "../sim/index"
import { ClusterZoneIndex } from "./cluster-zone-index"
import { CorednsServer } from "./coredns-server"
import { type DnsAnswer, emptyAnswer, rr } from "./dns-message"
import { kubeadmKubernetesStanza } from "./kubernetes-plugin"
import { loadbalanceAnswer } from "./loadbalance"
import { slice, svc } from "./test-fixtures"

const a = (answer: DnsAnswer["answer"], additional: DnsAnswer["additional"] = []): DnsAnswer => ({ rcode: "NOERROR", authoritative: true, answer, authority: [], additional })

/** coredns v1.11.1 plugin/loadbalance/loadbalance.go `roundRobin` / `roundRobinShuffle`. */
describe("CoreDNS loadbalance (round_robin)", () => {
  it("keeps CNAMEs first, other records next, then the shuffled addresses; leaves non-NOERROR replies alone", () => {
    const rng = new Simulation(1).rng("t")
    const cname = rr("x.", "CNAME", 30, "y.")
    const txt = rr("y.", "TXT", 30, '"t"')
    const addrs = ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map((ip) => rr("y.", "A", 30, ip))
    for (let i = 0; i < 50; i++) {
      const out = loadbalanceAnswer(a([...addrs, txt, cname]), rng).answer
      expect(out.slice(0, 2)).toEqual([cname, txt])
      expect([...out.slice(2)].sort((p, q) => p.data.localeCompare(q.data))).toEqual(addrs)
    }
    const nx = emptyAnswer("NXDOMAIN", true, rr("cluster.local.", "SOA", 30, "ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30"))
    expect(loadbalanceAnswer(nx, rng)).toBe(nx)
    const one = a([addrs[0]!])
    expect(loadbalanceAnswer(one, rng).answer).toEqual([addrs[0]])
  })

  it("two records swap on an even dns.Id(): both orders, about half each", () => {
    const rng = new Simulation(7).rng("t")
    const two = [rr("h.", "A", 30, "10.0.0.1"), rr("h.", "A", 30, "10.0.0.2")]
    let swapped = 0
    for (let i = 0; i < 2000; i++) if (loadbalanceAnswer(a(two), rng).answer[0]!.data === "10.0.0.2") swapped++
    expect(swapped).toBeGreaterThan(900)
    expect(swapped).toBeLessThan(1100)
  })

  it("property: over a headless Service's answers every endpoint comes first in some reply, and the order varies", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
        const index = new ClusterZoneIndex()
        index.setNamespace("default")
        index.setService(svc("default", "db", { type: "ClusterIP", clusterIP: "None", ports: [{ name: "pg", port: 5432 }] }))
        const ips = Array.from({ length: n }, (_, i) => `10.244.${i % 3}.${10 + i}`)
        index.setEndpointSlice(slice("default", "db", "db-1", ips.map((ip) => ({ addresses: [ip] })), [{ name: "pg", port: 5432 }]))
        const server = new CorednsServer(index, kubeadmKubernetesStanza())
        const base = server.answer({ name: "db.default.svc.cluster.local.", qtype: "A" })
        expect(base.answer.map((r) => r.data)).toEqual(ips)
        const rng = new Simulation(seed).rng("dns-loadbalance/coredns-0")
        const firsts = new Set<string>()
        const orders = new Set<string>()
        for (let i = 0; i < 40 * n; i++) {
          const out = loadbalanceAnswer(base, rng).answer.map((r) => r.data)
          expect([...out].sort()).toEqual([...ips].sort())
          firsts.add(out[0]!)
          orders.add(out.join(","))
        }
        expect(firsts.size).toBe(n)
        expect(orders.size).toBeGreaterThan(1)
      }),
      { numRuns: runs(30) },
    )
  })

  it("is a pure function of the stream: one seed, one sequence of orders", () => {
    const addrs = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((ip) => rr("h.", "A", 30, ip))
    const seq = (seed: number): string[] => {
      const rng = new Simulation(seed).rng("dns-loadbalance/x")
      return Array.from({ length: 20 }, () => loadbalanceAnswer(a(addrs), rng).answer.map((r) => r.data).join(","))
    }
    expect(seq(3)).toEqual(seq(3))
    expect(seq(3)).not.toEqual(seq(4))
  })
})
