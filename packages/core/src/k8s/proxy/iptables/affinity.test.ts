import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import { NANOS_PER_SECOND } from "../../../sim/index"
import { RecentTables, evaluateHook, formatIpv4 } from "../../../net/index"
import type { EndpointSliceView } from "../api-view"
import { service, slice, startProxier } from "../test-support/fixtures"
import { scriptedRng, dnatDestination, evalContext, netfilterProxier, newConnection } from "../test-support/netfilter-node"

// sessionAffinity: ClientIP through the real kernel model: the proxier's payload lands in a netfilter Ruleset and
// each connection's first packet is judged by evaluateHook at simulated time with the node's xt_recent state.
// proxier.go writeServiceToEndpointRules: per endpoint, `-m recent --name SEP --rcheck --seconds T --reap` in the
// SVC chain before the random choice, and `-m recent --name SEP --set` in the SEP chain.

const CLUSTER_IP = "172.30.0.10"

const affinityService = (timeoutSeconds: number) =>
  service("ns1", "svc1", {
    clusterIP: CLUSTER_IP,
    ports: [{ name: "p80", port: 80, protocol: "TCP" }],
    sessionAffinity: "ClientIP",
    sessionAffinityConfig: { clientIP: { timeoutSeconds } },
  })

const endpointSlice = (ready: ReadonlyArray<boolean>): EndpointSliceView =>
  slice(
    "ns1",
    "svc1",
    1,
    ready.map((r, i) => ({ addresses: [`10.180.0.${i + 1}`], conditions: { ready: r } })),
    [{ name: "p80", port: 8080 }],
  )

/** Unicast client addresses (not 0/8, loopback or multicast), inside or outside the cluster CIDR. */
const clientIp = fc
  .tuple(fc.integer({ min: 1, max: 223 }).filter((a) => a !== 127), fc.integer({ min: 0, max: 0xffffff }))
  .map(([a, rest]) => formatIpv4(((a << 24) | rest) >>> 0))

type Step =
  | { readonly op: "connect"; readonly client: number; readonly advance: number; readonly draws: readonly number[] }
  | { readonly op: "toggle"; readonly endpoint: number }

const JIFFY = NANOS_PER_SECOND / 250

/** Clock advances chosen around the timeout: well inside, within a few jiffies of it either way, well past. */
const advance = (timeoutSeconds: number): fc.Arbitrary<number> => {
  const t = timeoutSeconds * NANOS_PER_SECOND
  return fc.oneof(
    fc.integer({ min: 0, max: t - 2 * JIFFY }),
    fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: JIFFY - 1 })).map(([k, sub]) => t + k * JIFFY + sub),
    fc.integer({ min: t + 2 * JIFFY, max: 5 * t }),
  )
}

const scenario = fc.integer({ min: 1, max: 60 }).chain((timeoutSeconds) =>
  fc.record({
    timeoutSeconds: fc.constant(timeoutSeconds),
    endpoints: fc.integer({ min: 1, max: 5 }),
    clients: fc.uniqueArray(clientIp, { minLength: 1, maxLength: 3 }),
    steps: fc.array(
      fc.oneof(
        { weight: 5, arbitrary: fc.record({ op: fc.constant("connect" as const), client: fc.nat(2), advance: advance(timeoutSeconds), draws: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 5, maxLength: 5 }) }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constant("toggle" as const), endpoint: fc.nat(4) }) },
      ),
      { minLength: 1, maxLength: 14 },
    ),
  }),
)

describe("sessionAffinity ClientIP through netfilter", () => {
  it("a client stays on its endpoint while it is usable and its gaps are within timeoutSeconds; otherwise it chooses afresh", () => {
    fc.assert(
      fc.property(scenario, ({ timeoutSeconds, endpoints, clients, steps }) => {
        const { proxier, sink } = netfilterProxier()
        const ready = Array.from({ length: endpoints }, () => true)
        let current = endpointSlice(ready)
        startProxier(proxier, [affinityService(timeoutSeconds)], [current])
        const recent = sink.ruleset.recent
        const hz = recent.hz
        const jiffies = (t: number): number => Math.floor((t * hz) / NANOS_PER_SECOND)
        const rng = scriptedRng()
        const freshRng = scriptedRng()
        // Per client: the endpoint of its last connection and when it was made.
        const last = new Map<string, { dest: string; at: number }>()
        let now = 3600 * NANOS_PER_SECOND
        for (const step of steps) {
          if (step.op === "toggle") {
            const i = step.endpoint % endpoints
            if (ready[i] === true && ready.filter(Boolean).length === 1) continue // keep one endpoint serving
            ready[i] = !ready[i]
            if (ready[i] === false) {
              // The endpoint's rules leave KUBE-SVC, so no rule refers to its recent list any more and the kernel
              // destroys it (xt_recent.c recent_mt_destroy: the table goes with its last reference): pins to it
              // are gone, even if the endpoint comes back before the timeout.
              for (const [c, pin] of last) if (pin.dest === `10.180.0.${i + 1}:8080`) last.delete(c)
            }
            const next = endpointSlice(ready)
            proxier.onEndpointSliceUpdate(current, next)
            current = next
            proxier.syncProxyRules()
            expect(proxier.lastResult?.success).toBe(true)
            continue
          }
          const client = clients[step.client % clients.length] as string
          now += step.advance
          const pkt = () => newConnection(client, CLUSTER_IP, 80)
          const got = dnatDestination(evaluateHook(sink.ruleset, "nat", "PREROUTING", pkt(), evalContext(rng.script(step.draws, 0), now, recent)))
          // The same draws for a client nobody has seen: the choice without affinity.
          const fresh = dnatDestination(evaluateHook(sink.ruleset, "nat", "PREROUTING", pkt(), evalContext(freshRng.script(step.draws, 0), now, new RecentTables())))
          expect(got).not.toBeNull()
          const usable = ready.map((r, i) => (r ? `10.180.0.${i + 1}:8080` : "")).filter((d) => d !== "")
          expect(usable).toContain(got)
          const prev = last.get(client)
          // xt_recent.c recent_mt: a stamp counts while it is not older than jiffies − seconds·HZ.
          const sticky = prev !== undefined && usable.includes(prev.dest) && jiffies(now) - jiffies(prev.at) <= timeoutSeconds * hz
          if (sticky) {
            expect(got).toBe(prev.dest)
            expect(rng.used).toBe(0) // decided by the recent check, before any random choice
          } else {
            expect(got).toBe(fresh)
            expect(rng.used).toBe(freshRng.used)
          }
          // Gaps clearly inside or clearly past the timeout decide it whatever the jiffy rounding.
          if (prev !== undefined && usable.includes(prev.dest)) {
            const gap = now - prev.at
            if (gap < timeoutSeconds * NANOS_PER_SECOND - JIFFY) expect(sticky).toBe(true)
            if (gap > timeoutSeconds * NANOS_PER_SECOND + JIFFY) expect(sticky).toBe(false)
          }
          last.set(client, { dest: got as string, at: now })
        }
      }),
      { numRuns: runs(80) },
    )
  })

  it("past the timeout the choice follows the random draws again (an example)", () => {
    const { proxier, sink } = netfilterProxier()
    startProxier(proxier, [affinityService(10)], [endpointSlice([true, true, true])])
    const rng = scriptedRng()
    const connect = (at: number, draws: number[]) =>
      dnatDestination(evaluateHook(sink.ruleset, "nat", "PREROUTING", newConnection("203.0.113.7", CLUSTER_IP, 80), evalContext(rng.script(draws), at, sink.ruleset.recent)))
    const s = NANOS_PER_SECOND
    expect(connect(100 * s, [0])).toBe("10.180.0.1:8080") // draw 0 < threshold(1/3): the first endpoint
    expect(connect(109 * s, [])).toBe("10.180.0.1:8080") // 9 s later: the recent check answers, no draw
    expect(connect(119 * s, [])).toBe("10.180.0.1:8080") // 10 s after the last: still inside the window
    expect(connect(129 * s + 2 * JIFFY, [0x7fffffff, 0])).toBe("10.180.0.2:8080") // past it: drawn again
    // Another client is not affected by the first one's entry.
    expect(
      dnatDestination(evaluateHook(sink.ruleset, "nat", "PREROUTING", newConnection("203.0.113.8", CLUSTER_IP, 80), evalContext(rng.script([0x7fffffff, 0x7fffffff]), 130 * s, sink.ruleset.recent))),
    ).toBe("10.180.0.3:8080")
  })
})
