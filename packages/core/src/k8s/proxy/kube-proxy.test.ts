import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { renderSave } from "../../net/index"
import { millis, seconds, Simulation, type Nanos } from "../../sim/index"
import type { EndpointSliceView, ServiceView } from "./api-view"
import type { UdpConntrackTargets } from "./conntrack-cleanup"
import type { JumpRule } from "./iptables/jump-chains"
import { KubeProxy, type KubeProxyNode, type RestoreOutcome } from "./kube-proxy"
import { FAKE_PROXIER_CONFIG, service, slice, startProxier } from "./test-support/fixtures"
import { NetfilterSink, netfilterProxier } from "./test-support/netfilter-node"

describe("KubeProxy on the simulation kernel", () => {
  it("rules lag the API: syncs are rate-limited (burst 2, minSyncPeriod 1 s) and land after the restore's duration", () => {
    const sim = new Simulation(7)
    const applied: { at: Nanos; payload: string }[] = []
    const kp = new KubeProxy(sim, { ...FAKE_PROXIER_CONFIG, nfacct: false }, {
      node: { apply: (payload) => applied.push({ at: sim.now, payload }) },
      cost: { base: millis(10), perLine: 0 },
    })
    const svc = service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80 }] })
    const s1 = slice("ns1", "svc1", 1, [{ addresses: ["10.0.0.1"] }], [{ name: "p80", port: 80 }])
    kp.onServiceAdd(svc)
    kp.onEndpointSliceAdd(s1)
    kp.start()
    kp.onSynced()
    const change = sim.defineKind<number>("endpoint-change", (i) => {
      kp.onEndpointSliceUpdate(s1, slice("ns1", "svc1", 1, [{ addresses: [`10.0.0.${i}`] }], [{ name: "p80", port: 80 }]))
    })
    for (let i = 2; i <= 6; i++) sim.at(millis(100 * i), change, i)
    sim.run({ until: seconds(5) })
    // Initial sync at 0 lands at 10 ms; changes at 200 and 300 ms use the two burst tokens; 400–600 ms coalesce
    // into one run when the next token is back (lastRun 310 ms + 1 s).
    expect(kp.runner.runs).toEqual([millis(200), millis(300), millis(1310)])
    expect(applied.map((a) => a.at)).toEqual([millis(10), millis(210), millis(310), millis(1320)])
    expect(applied[3]?.payload).toContain("--to-destination 10.0.0.6:80")
  })
})

/** A node whose kernel is a netfilter Ruleset (restores are all or nothing) and which lists its nat chains. */
class RulesetNode extends NetfilterSink implements KubeProxyNode {
  apply(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined): void {
    this.restore(payload, jumpRules)
  }
  natChains(): Iterable<string> {
    return this.ruleset.table("nat")?.chains.keys() ?? []
  }
}

const CONFIG = { ...FAKE_PROXIER_CONFIG, nfacct: false }
const svc1 = service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: 80 }] })
const eps = (...ips: string[]) => slice("ns1", "svc1", 1, ips.map((ip) => ({ addresses: [ip] })), [{ name: "p80", port: 80 }])

const harness = () => {
  const sim = new Simulation(11)
  const node = new RulesetNode()
  const outcomes: RestoreOutcome[] = []
  const kp = new KubeProxy(sim, CONFIG, { node, cost: { base: millis(5), perLine: millis(1) }, onRestore: (o) => outcomes.push(o) })
  return { sim, node, outcomes, kp }
}

/** What a freshly started kube-proxy writes for these objects, as iptables-save prints it. */
const freshSave = (services: ReadonlyArray<ServiceView>, slices: ReadonlyArray<EndpointSliceView>): string => {
  const fresh = netfilterProxier(CONFIG)
  startProxier(fresh.proxier, services, slices)
  return renderSave(fresh.sink.ruleset)
}

describe("KubeProxy: syncs never overlap (kubesim issue 14)", () => {
  it("a direct sync requested while a restore is running waits for it, so no payload deletes a chain still jumped to", () => {
    const { sim, node, outcomes, kp } = harness()
    kp.onServiceAdd(svc1)
    kp.onEndpointSliceAdd(eps("10.0.1.1", "10.0.1.2"))
    kp.start()
    kp.onSynced()
    sim.run({ until: seconds(2) })
    // An endpoint leaves and, at the same instant, the synced callbacks run again (as a re-listing informer did):
    // the first direct sync rewrites KUBE-SVC and deletes the SEP chain; the second, shorter one used to list the
    // nat table before that payload landed, and deleted the SEP chain while the old KUBE-SVC still jumped to it.
    const at = sim.defineKind<null>("relist", () => {
      kp.onEndpointSliceUpdate(eps("10.0.1.1", "10.0.1.2"), eps("10.0.1.1"))
      kp.onSynced()
    })
    sim.at(seconds(3), at, null)
    sim.run({ until: seconds(10) })
    expect(outcomes.map((o) => o.error)).toEqual(outcomes.map(() => undefined))
    const starts = outcomes.map((o) => o.start)
    for (let i = 1; i < outcomes.length; i++) expect(starts[i]).toBeGreaterThanOrEqual((outcomes[i - 1] as RestoreOutcome).end)
    expect(renderSave(node.ruleset)).toBe(freshSave([svc1], [eps("10.0.1.1")]))
  })

  it("random changes and synced callbacks at random times: every restore lands, and the rules end as a fresh sync's", () => {
    const change = fc.record({
      at: fc.integer({ min: 0, max: 3000 }),
      what: fc.oneof(
        fc.record({ kind: fc.constant("endpoints" as const), ips: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 4 }) }),
        fc.record({ kind: fc.constant("service" as const), port: fc.constantFrom(80, 81), present: fc.boolean() }),
        fc.record({ kind: fc.constant("synced" as const) }),
      ),
    })
    fc.assert(
      fc.property(fc.array(change, { maxLength: 25 }), fc.integer({ min: 0, max: 3 }), (changes, perLine) => {
        const sim = new Simulation(5)
        const node = new RulesetNode()
        const outcomes: RestoreOutcome[] = []
        const kp = new KubeProxy(sim, CONFIG, { node, cost: { base: millis(3), perLine: millis(perLine) }, onRestore: (o) => outcomes.push(o) })
        let svc: ServiceView | undefined = svc1
        let sl = eps("10.0.1.1")
        kp.onServiceAdd(svc)
        kp.onEndpointSliceAdd(sl)
        kp.start()
        kp.onSynced()
        const kind = sim.defineKind<(typeof changes)[number]["what"]>("change", (w) => {
          if (w.kind === "endpoints") {
            const next = eps(...w.ips.map((h) => `10.0.1.${h}`))
            kp.onEndpointSliceUpdate(sl, next)
            sl = next
          } else if (w.kind === "service") {
            const next = w.present ? service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p80", port: w.port }] }) : undefined
            if (svc !== undefined && next !== undefined) kp.onServiceUpdate(svc, next)
            else if (next !== undefined) kp.onServiceAdd(next)
            else if (svc !== undefined) kp.onServiceDelete(svc)
            svc = next
          } else kp.onSynced()
        })
        for (const c of changes) sim.at(millis(c.at), kind, c.what)
        sim.run({ until: seconds(10) })
        expect(outcomes.filter((o) => o.error !== undefined)).toEqual([])
        expect(renderSave(node.ruleset)).toBe(freshSave(svc === undefined ? [] : [svc], [sl]))
      }),
      { numRuns: runs(80) },
    )
  })

  it("a refused restore is not fatal: the proxier retries within syncPeriod with a full sync (proxier.go RetryAfter)", () => {
    const { sim, node, outcomes, kp } = harness()
    kp.onServiceAdd(svc1)
    kp.onEndpointSliceAdd(eps("10.0.1.1"))
    kp.start()
    kp.onSynced()
    sim.run({ until: seconds(2) })
    node.failNext = true
    const change = sim.defineKind<null>("change", () => kp.onEndpointSliceUpdate(eps("10.0.1.1"), eps("10.0.1.2")))
    sim.at(seconds(3), change, null)
    sim.run({ until: seconds(3) + millis(500) })
    const failed = outcomes.at(-1) as RestoreOutcome
    expect(failed.error).toMatch(/injected/)
    expect(kp.proxier.lastResult?.success).toBe(false)
    // Nothing else changes; the retry comes from RetryAfter(syncPeriod = 30 s), and it is a full sync.
    const runsBefore = kp.runner.runs.length
    sim.run({ until: failed.end + seconds(30) + millis(100) })
    const retries = kp.runner.runs.slice(runsBefore)
    expect(retries).toEqual([failed.end + seconds(30)])
    const retried = outcomes.at(-1) as RestoreOutcome
    expect(retried.error).toBeUndefined()
    expect(retried.result.fullSync).toBe(true)
    expect(renderSave(node.ruleset)).toBe(freshSave([svc1], [eps("10.0.1.2")]))
  })
})

describe("KubeProxy: UDP conntrack cleanup after the restore (proxier.go: RestoreAll, then conntrack.CleanStaleEntries)", () => {
  const udp = (name: string, ip: string) => service("ns1", name, { clusterIP: ip, ports: [{ name: "dns", port: 53, protocol: "UDP" }] })
  const udpEps = (name: string, ...ips: string[]) =>
    slice("ns1", name, 1, ips.map((ip) => ({ addresses: [ip] })), [{ name: "dns", port: 5353, protocol: "UDP" }])

  const setup = () => {
    const sim = new Simulation(3)
    const calls: string[] = []
    const node = new (class extends RulesetNode {
      override apply(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined): void {
        super.apply(payload, jumpRules)
        calls.push(`${sim.now / 1e6}ms restore`)
      }
      cleanConntrack(t: UdpConntrackTargets): void {
        calls.push(`${sim.now / 1e6}ms clean ${[...t.serviceIPs].map(([k, v]) => `${k}->${[...v].join(",")}`).join(" ")}`)
      }
    })()
    const kp = new KubeProxy(sim, CONFIG, { node, cost: { base: millis(50), perLine: 0 } })
    const at = (ms: number, f: () => void) => sim.at(millis(ms), sim.defineKind<null>(`step-${ms}`, f), null)
    return { sim, calls, node, kp, at }
  }

  it("runs when the restore has landed, not when the sync starts, and only after a UDP port's endpoints changed", () => {
    const { sim, calls, kp, at } = setup()
    kp.onServiceAdd(udp("dns", "172.30.0.53"))
    kp.onEndpointSliceAdd(udpEps("dns", "10.0.1.1", "10.0.1.2"))
    kp.onServiceAdd(svc1)
    kp.onEndpointSliceAdd(eps("10.0.1.9"))
    kp.start()
    kp.onSynced()
    // 2 s: a UDP endpoint leaves (cleanup); 4 s: a TCP endpoint changes (none); 6 s: the UDP Service's port
    // changes without an endpoint change (none: changing a Service does not touch existing flows).
    at(2000, () => kp.onEndpointSliceUpdate(udpEps("dns", "10.0.1.1", "10.0.1.2"), udpEps("dns", "10.0.1.1")))
    at(4000, () => kp.onEndpointSliceUpdate(eps("10.0.1.9"), eps("10.0.1.8")))
    at(6000, () =>
      kp.onServiceUpdate(udp("dns", "172.30.0.53"), service("ns1", "dns", { clusterIP: "172.30.0.53", ports: [{ name: "dns", port: 54, protocol: "UDP" }] })),
    )
    sim.run({ until: seconds(8) })
    expect(calls).toEqual([
      // The initial sync: every endpoint is new (endpointschangetracker.go: ConntrackCleanupRequired).
      "50ms restore",
      "50ms clean 172.30.0.53:53->10.0.1.1,10.0.1.2",
      "2050ms restore",
      "2050ms clean 172.30.0.53:53->10.0.1.1",
      "4050ms restore",
      "6050ms restore",
    ])
  })

  it("does not run when the kernel refused the restore", () => {
    const { sim, calls, node, kp, at } = setup()
    kp.onServiceAdd(udp("dns", "172.30.0.53"))
    kp.onEndpointSliceAdd(udpEps("dns", "10.0.1.1", "10.0.1.2"))
    kp.start()
    kp.onSynced()
    at(2000, () => {
      node.failNext = true
      kp.onEndpointSliceUpdate(udpEps("dns", "10.0.1.1", "10.0.1.2"), udpEps("dns", "10.0.1.1"))
    })
    sim.run({ until: seconds(3) })
    expect(calls).toEqual(["50ms restore", "50ms clean 172.30.0.53:53->10.0.1.1,10.0.1.2"])
  })
})
