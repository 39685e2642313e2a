import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { Simulation } from "../../sim/index"
import { parseCidr, parseIpv4 } from "../addr/index"
import type { Host } from "../host/host"
import { Network } from "../network"
import { Fabric, type LanPairParams } from "./fabric"

const MS = 1_000_000

/** Three nodes (two in zone a, one in b), a pod on each, and an external host; `lanPairs` as given. */
const build = (lanPairs?: LanPairParams, veth = { latency: 5_000 }) => {
  const sim = new Simulation(1)
  const net = new Network(sim)
  const fabric = new Fabric(net, { lan: parseCidr("172.18.0.0/16"), vethLink: veth, ...(lanPairs !== undefined ? { lanPairs } : {}) })
  const zones = ["a", "a", "b"]
  const nodes = zones.map((zone, i) => fabric.addNode(`n${i + 1}`, { ip: parseIpv4(`172.18.0.${3 + i}`), podCidr: parseCidr(`10.244.${1 + i}.0/24`), zone }))
  const pods = zones.map((_, i) => fabric.addPod(`n${i + 1}`, `p${i + 1}`, parseIpv4(`10.244.${1 + i}.2`)))
  const ext = fabric.addLanHost("ext", { ip: parseIpv4("172.18.0.100") })
  return { sim, nodes, pods, ext }
}

/** One UDP datagram from `from` to `to`: the time it arrives. */
const oneWay = (sim: Simulation, from: Host, to: Host): number => {
  let at = -1
  to.udpBind(9000, { onMessage: () => (at = sim.now) })
  const t0 = sim.now
  from.udpBind(0, {}).sendTo(to.primaryAddress, 9000, "x", 10)
  sim.run()
  return at - t0
}

describe("Fabric lanPairs: LAN settings by the pair of hosts (cluster.network classes)", () => {
  const p: LanPairParams = { nodes: { latency: 1 * MS }, crossZone: { latency: 5 * MS }, external: { latency: 3 * MS } }

  it("node ⇄ node in one zone takes `nodes`, across zones `crossZone`, with an external host `external`", () => {
    const base = build()
    const c = build(p)
    // The same hop minus the default LAN's 100 µs is the class's latency (host processing is the same in both).
    const extra = (f: (x: ReturnType<typeof build>) => number): number => f(c) - f(base) + 100_000
    expect(extra((x) => oneWay(x.sim, x.nodes[0]!, x.nodes[1]!))).toBe(1 * MS)
    expect(extra((x) => oneWay(x.sim, x.nodes[0]!, x.nodes[2]!))).toBe(5 * MS)
    expect(extra((x) => oneWay(x.sim, x.nodes[2]!, x.ext))).toBe(3 * MS)
    expect(extra((x) => oneWay(x.sim, x.ext, x.nodes[0]!))).toBe(3 * MS)
  })

  it("pod → pod across zones: veth, crossZone, veth", () => {
    const base = build()
    const c = build(p, { latency: 20_000 })
    expect(oneWay(c.sim, c.pods[0]!, c.pods[2]!) - oneWay(base.sim, base.pods[0]!, base.pods[2]!)).toBe(5 * MS - 100_000 + 2 * (20_000 - 5_000))
  })

  it("loss on the cross-zone class drops only cross-zone packets (property: every pair's fate follows its class)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), (a, b) => {
        fc.pre(a !== b)
        const c = build({ nodes: { latency: 1000 }, crossZone: { latency: 1000, loss: 1 }, external: { latency: 1000 } })
        const t = oneWay(c.sim, c.nodes[a]!, c.nodes[b]!)
        const cross = (a === 2) !== (b === 2)
        expect(t < 0).toBe(cross)
      }),
      { numRuns: runs(20) },
    )
  })

  it("bad settings are refused with the class named", () => {
    expect(() => build({ ...p, crossZone: { latency: -1 } })).toThrow(/group \d → \d\): latency -1 is not a whole number of nanoseconds/)
    expect(() => build({ ...p, external: { latency: 1, loss: 2 } })).toThrow(/loss 2 is not a probability/)
  })
})
