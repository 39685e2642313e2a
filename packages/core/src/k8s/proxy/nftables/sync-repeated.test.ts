import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { dumpNftCommands } from "../../../net/index"
import { service, slice, startProxier } from "../test-support/fixtures"
import { fakeNftProxier, sortNFTablesTransaction } from "../test-support/nft-node"

const golden = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8")

// proxier_test.go's baseRules: the fixed part of TestOverallNFTablesRules' expectation (everything before "# svc1").
const baseRules = golden("overall-nftables-rules.golden").split("# svc1")[0] as string
const steps = new Map<number, { ops: number | null; body: string }>()
for (const part of golden("sync-proxy-rules-repeated.golden").split("### step ").slice(1)) {
  const nl = part.indexOf("\n")
  const [n, , ops] = part.slice(0, nl).split(" ")
  steps.set(Number(n), { ops: ops === undefined ? null : Number(ops), body: part.slice(nl + 1) })
}

const svc = (ns: string, name: string, ip: string, port: string, num: number) => service(ns, name, { clusterIP: ip, ports: [{ name: port, port: num, protocol: "TCP" }] })
const eps = (ns: string, name: string, ip: string, port: string, num: number) => slice(ns, name, 1, [{ addresses: [ip] }], [{ name: port, port: num }])

// pkg/proxy/nftables/proxier_test.go TestSyncProxyRulesRepeated: the table after each partial sync, and how many
// operations the sync's transaction had (stale chains are deleted in a transaction of their own).
describe("TestSyncProxyRulesRepeated (nftables)", () => {
  it("writes only what changed, flushes stale chains and deletes them a second later", () => {
    const { proxier, sink, clock } = fakeNftProxier()
    const expectStep = (n: number) => {
      const step = steps.get(n)!
      expect(sortNFTablesTransaction(dumpNftCommands(sink.ruleset)), `step ${n}`).toBe(sortNFTablesTransaction(baseRules + step.body))
      if (step.ops !== null) expect(sink.last.split("\n").filter((l) => l !== "").length, `step ${n} operations`).toBe(step.ops)
    }
    const svc2 = svc("ns2", "svc2", "172.30.0.42", "p8080", 8080)
    startProxier(proxier, [svc("ns1", "svc1", "172.30.0.41", "p80", 80), svc2], [eps("ns1", "svc1", "10.0.1.1", "p80", 80), eps("ns2", "svc2", "10.0.2.1", "p8080", 8080)])
    expectStep(1)

    // Add a new service and its endpoints.
    proxier.onServiceAdd(svc("ns3", "svc3", "172.30.0.43", "p80", 80))
    const eps3 = eps("ns3", "svc3", "10.0.3.1", "p80", 80)
    proxier.onEndpointSliceAdd(eps3)
    proxier.syncProxyRules()
    expectStep(2)

    // Delete a service; its chains are flushed, not deleted yet.
    proxier.onServiceDelete(svc2)
    proxier.syncProxyRules()
    expectStep(3)

    // Two seconds later the stale chains go, in a transaction of their own; the sync's own has nothing to do.
    clock.now += 2e9
    sink.now = clock.now
    proxier.syncProxyRules()
    expectStep(4)
    expect(sink.transactions.at(-2)).toBe(
      "delete chain ip kube-proxy endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080\ndelete chain ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080\n",
    )

    // Add a service, sync, then add its endpoints.
    proxier.onServiceAdd(svc("ns4", "svc4", "172.30.0.44", "p80", 80))
    proxier.syncProxyRules()
    expectStep(5)
    proxier.onEndpointSliceAdd(eps("ns4", "svc4", "10.0.4.1", "p80", 80))
    proxier.syncProxyRules()
    expectStep(6)

    // Change an endpoint of an existing service: the old endpoint chain is flushed, not deleted yet.
    proxier.onEndpointSliceUpdate(eps3, eps("ns3", "svc3", "10.0.3.2", "p80", 80))
    proxier.syncProxyRules()
    expectStep(7)
  })
})
