import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { applyNft, NftRuleset } from "../../net/index"
import { millis, seconds, Simulation } from "../../sim/index"
import type { EndpointSliceView, ServiceView } from "./api-view"
import type { UdpConntrackTargets } from "./conntrack-cleanup"
import { KubeProxy, type KubeProxyNode, type NftKubeProxyNode, type RestoreOutcome } from "./kube-proxy"
import { service, slice, startProxier } from "./test-support/fixtures"
import { FAKE_NFT_CONFIG, fakeNftProxier, settled } from "./test-support/nft-node"
import { driveKubeProxy, eps, kubeProxyChange, svc1 } from "./test-support/random-changes"

// kube-proxy.test.ts's guarantees, in nftables mode: syncs never overlap, a refused transaction is recorded and
// retried with a full sync within syncPeriod (nftables/proxier.go syncProxyRules), UDP conntrack cleanup runs
// only after the transaction is in.

/** A node whose kernel is an NftRuleset: `nft -c` and `nft -f` semantics, with refusals to inject. */
class NftNode implements NftKubeProxyNode {
  readonly ruleset = new NftRuleset()
  /** The next `nft -c` refuses (as the kernel refuses a bad transaction). */
  failNextCheck = false
  /** The next `nft -f` refuses (the kernel changed since the check). */
  failNextRun = false
  readonly calls: string[] = []
  constructor(private readonly sim: Simulation) {}
  check(tx: string): void {
    if (this.failNextCheck) {
      this.failNextCheck = false
      throw new Error("nft: Error: Could not process rule (injected at check)")
    }
    applyNft(this.ruleset, tx, { now: this.sim.now, dryRun: true })
  }
  run(tx: string): void {
    if (this.failNextRun) {
      this.failNextRun = false
      throw new Error("nft: Error: Could not process rule (injected at run)")
    }
    applyNft(this.ruleset, tx, { now: this.sim.now })
    this.calls.push(`${this.sim.now / 1e6}ms nft -f`)
  }
  listChains(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.chains.keys() ?? []
  }
  listSets(): Iterable<string> {
    return this.ruleset.table("kube-proxy")?.sets.keys() ?? []
  }
  cleanConntrack(t: UdpConntrackTargets): void {
    this.calls.push(`${this.sim.now / 1e6}ms clean ${[...t.serviceIPs].map(([k, v]) => `${k}->${[...v].join(",")}`).join(" ")}`)
  }
}

/** The iptables side must stay untouched in nftables mode: every restore it is handed is kept here. */
const iptablesRestores: string[] = []
const untouched: KubeProxyNode = {
  apply: (payload) => void iptablesRestores.push(payload),
}


const harness = (seed = 11, perLine = millis(1)) => {
  const sim = new Simulation(seed)
  const node = new NftNode(sim)
  const outcomes: RestoreOutcome[] = []
  const kp = new KubeProxy(sim, FAKE_NFT_CONFIG, { node: untouched, nftNode: node, cost: { base: millis(5), perLine }, onRestore: (o) => outcomes.push(o) })
  return { sim, node, outcomes, kp }
}

/** What a freshly started kube-proxy writes for these objects (settled: sorted, empty stale chains aside). */
const freshTable = (services: ReadonlyArray<ServiceView>, slices: ReadonlyArray<EndpointSliceView>): string[] => {
  const fresh = fakeNftProxier()
  startProxier(fresh.proxier, services, slices)
  return settled(fresh.sink.ruleset)
}

describe("KubeProxy in nftables mode: syncs never overlap", () => {
  it("a direct sync requested while a transaction is running waits for it", () => {
    const { sim, node, outcomes, kp } = harness()
    kp.onServiceAdd(svc1)
    kp.onEndpointSliceAdd(eps("10.0.1.1", "10.0.1.2"))
    kp.start()
    kp.onSynced()
    sim.run({ until: seconds(2) })
    const at = sim.defineKind<null>("relist", () => {
      kp.onEndpointSliceUpdate(eps("10.0.1.1", "10.0.1.2"), eps("10.0.1.1"))
      kp.onSynced()
    })
    sim.at(seconds(3), at, null)
    sim.run({ until: seconds(10) })
    expect(outcomes.length).toBeGreaterThan(2)
    expect(outcomes.map((o) => o.error)).toEqual(outcomes.map(() => undefined))
    for (let i = 1; i < outcomes.length; i++) expect(outcomes[i]?.start).toBeGreaterThanOrEqual((outcomes[i - 1] as RestoreOutcome).end)
    expect(settled(node.ruleset)).toEqual(freshTable([svc1], [eps("10.0.1.1")]))
  })

  it("random changes and synced callbacks at random times: every transaction lands, and the table ends as a fresh sync's", () => {
    fc.assert(
      fc.property(fc.array(kubeProxyChange, { maxLength: 25 }), fc.integer({ min: 0, max: 3 }), (changes, perLine) => {
        const { sim, node, outcomes, kp } = harness(5, millis(perLine))
        const last = driveKubeProxy(sim, kp, changes)
        sim.run({ until: seconds(10) })
        expect(outcomes.filter((o) => o.error !== undefined)).toEqual([])
        for (let i = 1; i < outcomes.length; i++) expect(outcomes[i]?.start).toBeGreaterThanOrEqual((outcomes[i - 1] as RestoreOutcome).end)
        expect(settled(node.ruleset)).toEqual(freshTable(last.svc === undefined ? [] : [last.svc], [last.sl]))
      }),
      { numRuns: runs(60) },
    )
  })
})

describe("KubeProxy in nftables mode: a refused transaction is not fatal", () => {
  for (const when of ["check", "run"] as const) {
    it(`refused at ${when === "check" ? "nft -c (sync time)" : "nft -f (landing)"}: reported when the sync lands, retried within syncPeriod with a full sync`, () => {
      const { sim, node, outcomes, kp } = harness()
      kp.onServiceAdd(svc1)
      kp.onEndpointSliceAdd(eps("10.0.1.1"))
      kp.start()
      kp.onSynced()
      sim.run({ until: seconds(2) })
      const before = settled(node.ruleset)
      const change = sim.defineKind<null>("change", () => {
        if (when === "check") node.failNextCheck = true
        else node.failNextRun = true
        kp.onEndpointSliceUpdate(eps("10.0.1.1"), eps("10.0.1.2"))
      })
      sim.at(seconds(3), change, null)
      sim.run({ until: seconds(3) + millis(500) })
      const failed = outcomes.at(-1) as RestoreOutcome
      expect(failed.error).toMatch(new RegExp(`injected at ${when}`))
      expect(failed.start).toBe(seconds(3))
      expect(failed.end).toBeGreaterThan(failed.start)
      expect(kp.proxier.lastResult?.success).toBe(false)
      // Nothing of the refused transaction is in the kernel.
      expect(settled(node.ruleset)).toEqual(before)
      // Nothing else changes; the retry comes from RetryAfter(syncPeriod = 30 s), and it is a full sync.
      const runsBefore = kp.runner.runs.length
      const retryFrom = when === "check" ? failed.start : failed.end
      sim.run({ until: retryFrom + seconds(30) + millis(100) })
      expect(kp.runner.runs.slice(runsBefore)).toEqual([retryFrom + seconds(30)])
      const retried = outcomes.at(-1) as RestoreOutcome
      expect(retried.error).toBeUndefined()
      expect(retried.result.fullSync).toBe(true)
      expect(settled(node.ruleset)).toEqual(freshTable([svc1], [eps("10.0.1.2")]))
      expect(iptablesRestores).toEqual([])
    })
  }
})

describe("KubeProxy in nftables mode: UDP conntrack cleanup after the transaction (nftables/proxier.go: nft run, then CleanStaleEntries)", () => {
  const udp = (name: string, ip: string) => service("ns1", name, { clusterIP: ip, ports: [{ name: "dns", port: 53, protocol: "UDP" }] })
  const udpEps = (name: string, ...ips: string[]) =>
    slice("ns1", name, 1, ips.map((ip) => ({ addresses: [ip] })), [{ name: "dns", port: 5353, protocol: "UDP" }])

  const setup = () => {
    const sim = new Simulation(3)
    const node = new NftNode(sim)
    const kp = new KubeProxy(sim, FAKE_NFT_CONFIG, { node: untouched, nftNode: node, cost: { base: millis(50), perLine: 0 } })
    const at = (ms: number, f: () => void) => sim.at(millis(ms), sim.defineKind<null>(`step-${ms}`, f), null)
    return { sim, node, kp, at }
  }

  it("runs when the transaction has landed, not when the sync starts, and only after a UDP port's endpoints changed", () => {
    const { sim, node, kp, at } = setup()
    kp.onServiceAdd(udp("dns", "172.30.0.53"))
    kp.onEndpointSliceAdd(udpEps("dns", "10.0.1.1", "10.0.1.2"))
    kp.onServiceAdd(svc1)
    kp.onEndpointSliceAdd(eps("10.0.1.9"))
    kp.start()
    kp.onSynced()
    at(2000, () => kp.onEndpointSliceUpdate(udpEps("dns", "10.0.1.1", "10.0.1.2"), udpEps("dns", "10.0.1.1")))
    at(4000, () => kp.onEndpointSliceUpdate(eps("10.0.1.9"), eps("10.0.1.8")))
    at(6000, () =>
      kp.onServiceUpdate(udp("dns", "172.30.0.53"), service("ns1", "dns", { clusterIP: "172.30.0.53", ports: [{ name: "dns", port: 54, protocol: "UDP" }] })),
    )
    sim.run({ until: seconds(8) })
    expect(node.calls).toEqual([
      // The initial sync: every endpoint is new (endpointschangetracker.go: ConntrackCleanupRequired).
      "50ms nft -f",
      "50ms clean 172.30.0.53:53->10.0.1.1,10.0.1.2",
      "2050ms nft -f",
      "2050ms clean 172.30.0.53:53->10.0.1.1",
      // 4 s: the stale endpoint chain flushed at 2 s goes first, in a transaction of its own (proxier.go).
      "4050ms nft -f",
      "4050ms nft -f",
      "6050ms nft -f",
      "6050ms nft -f",
    ])
  })

  it("does not run when the kernel refused the transaction", () => {
    for (const when of ["check", "run"] as const) {
      const { sim, node, kp, at } = setup()
      kp.onServiceAdd(udp("dns", "172.30.0.53"))
      kp.onEndpointSliceAdd(udpEps("dns", "10.0.1.1", "10.0.1.2"))
      kp.start()
      kp.onSynced()
      at(2000, () => {
        if (when === "check") node.failNextCheck = true
        else node.failNextRun = true
        kp.onEndpointSliceUpdate(udpEps("dns", "10.0.1.1", "10.0.1.2"), udpEps("dns", "10.0.1.1"))
      })
      sim.run({ until: seconds(3) })
      expect(node.calls, when).toEqual(["50ms nft -f", "50ms clean 172.30.0.53:53->10.0.1.1,10.0.1.2"])
    }
  })
})
