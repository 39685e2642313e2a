import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import type { EndpointSliceView, ServiceView } from "../api-view"
import { service, slice } from "../test-support/fixtures"
import { fakeNftProxier, settled } from "../test-support/nft-node"

const svcOf = (i: number, affinity: boolean, local: boolean): ServiceView =>
  service(`ns${i}`, `svc${i}`, {
    type: local ? "LoadBalancer" : "NodePort",
    clusterIP: `172.30.0.${10 + i}`,
    ports: [{ name: "p80", port: 80, protocol: "TCP", nodePort: 30000 + i }],
    ...(local ? { externalTrafficPolicy: "Local" as const } : {}),
    ...(affinity ? { sessionAffinity: "ClientIP" as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } : {}),
  }, local ? [`1.2.3.${i}`] : undefined)
const sliceOf = (i: number, eps: ReadonlyArray<number>): EndpointSliceView =>
  slice(`ns${i}`, `svc${i}`, 1, eps.map((e) => ({ addresses: [`10.180.${i}.${e}`], ...(e % 2 === 0 ? { nodeName: "test-node" } : {}) })), [{ name: "p80", port: 80 }])

type Step = { readonly svc: number; readonly kind: "service"; readonly present: boolean; readonly affinity: boolean; readonly local: boolean } | { readonly svc: number; readonly kind: "endpoints"; readonly eps: number[] }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ svc: fc.integer({ min: 0, max: 3 }), kind: fc.constant("service" as const), present: fc.boolean(), affinity: fc.boolean(), local: fc.boolean() }),
  fc.record({ svc: fc.integer({ min: 0, max: 3 }), kind: fc.constant("endpoints" as const), eps: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 4 }) }),
)

// proxier.go's partial syncs (only changed services' chains, element diffs, stale chains flushed then deleted a
// second later) must leave the kernel as a fresh kube-proxy's full sync of the same objects would.
describe("nftables partial syncs", () => {
  it("converge to the full sync's table after any sequence of changes", () => {
    fc.assert(
      fc.property(fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const live = fakeNftProxier()
        const services = new Map<number, ServiceView>()
        const slices = new Map<number, EndpointSliceView>()
        live.proxier.onServiceSynced()
        live.proxier.onEndpointSlicesSynced()
        for (const batch of batches) {
          for (const s of batch) {
            if (s.kind === "service") {
              const old = services.get(s.svc)
              if (s.present) {
                const next = svcOf(s.svc, s.affinity, s.local)
                if (old === undefined) live.proxier.onServiceAdd(next)
                else live.proxier.onServiceUpdate(old, next)
                services.set(s.svc, next)
              } else if (old !== undefined) {
                live.proxier.onServiceDelete(old)
                services.delete(s.svc)
              }
            } else {
              const old = slices.get(s.svc)
              const next = sliceOf(s.svc, s.eps)
              if (old === undefined) live.proxier.onEndpointSliceAdd(next)
              else live.proxier.onEndpointSliceUpdate(old, next)
              slices.set(s.svc, next)
            }
          }
          live.clock.now += 400_000_000
          live.sink.now = live.clock.now
          live.proxier.syncProxyRules()
          expect(live.proxier.lastResult?.success).toBe(true)
          const fresh = fakeNftProxier()
          for (const v of services.values()) fresh.proxier.onServiceAdd(v)
          for (const v of slices.values()) fresh.proxier.onEndpointSliceAdd(v)
          fresh.proxier.onServiceSynced()
          fresh.proxier.onEndpointSlicesSynced()
          expect(settled(live.sink.ruleset)).toEqual(settled(fresh.sink.ruleset))
        }
      }),
      { numRuns: runs(60) },
    )
  })

  it("writes only the changed service's chains and elements", () => {
    const { proxier, sink, clock } = fakeNftProxier()
    proxier.onServiceAdd(svcOf(0, false, false))
    proxier.onServiceAdd(svcOf(1, false, false))
    proxier.onEndpointSliceAdd(sliceOf(0, [1]))
    proxier.onEndpointSliceAdd(sliceOf(1, [1]))
    proxier.onServiceSynced()
    proxier.onEndpointSlicesSynced()
    clock.now = 2e9
    proxier.onEndpointSliceUpdate(sliceOf(1, [1]), sliceOf(1, [1, 3]))
    proxier.syncProxyRules()
    expect(proxier.lastResult).toMatchObject({ fullSync: false, servicesWritten: 1, elementsChanged: 0 })
    expect(sink.last).not.toContain("ns0/svc0")
    expect(sink.last).toContain("numgen random mod 2 vmap")
    // Removing the endpoints: the service's IP moves from service-ips to no-endpoint-services; chains go stale.
    clock.now = 4e9
    proxier.onEndpointSliceUpdate(sliceOf(1, [1, 3]), sliceOf(1, []))
    proxier.syncProxyRules()
    expect(sink.last).toMatch(/^delete element ip kube-proxy service-ips \{ 172\.30\.0\.11 \. tcp \. 80 \}$/m)
    expect(sink.last).toMatch(/^add element ip kube-proxy no-endpoint-services \{ 172\.30\.0\.11 \. tcp \. 80 comment "ns1\/svc1:p80" : goto reject-chain \}$/m)
    expect(sink.last).toMatch(/^flush chain ip kube-proxy endpoint-[A-Z2-7]{8}-ns1\/svc1\/tcp\/p80__10\.180\.1\.3\/80$/m)
    // A second later the stale chains are deleted (in a transaction before the sync's own).
    clock.now = 5.5e9
    proxier.syncProxyRules()
    expect(sink.transactions.at(-2)).toMatch(/^delete chain ip kube-proxy endpoint-[A-Z2-7]{8}-ns1\/svc1\/tcp\/p80__10\.180\.1\.3\/80$/m)
  })
})
