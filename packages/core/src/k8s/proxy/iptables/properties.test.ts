import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import type { EndpointSliceView, ServiceView } from "../api-view"
import { fakeProxier, service, slice, startProxier } from "../test-support/fixtures"
import { evaluatorShares, netfilterProxier, newConnection } from "../test-support/netfilter-node"
import { Ruleset, applyRestore, kubeProxyProbability, parseSave, renderRestore, renderSave } from "../../../net/index"
import { canonicalOrder } from "./canonical-order"
import { servicePortChains } from "./chain-names"

interface World {
  readonly services: ServiceView[]
  readonly slices: EndpointSliceView[]
  /** `<service port name>|<protocol>` → endpoint `ip:port`s (ready ones). */
  readonly expected: Map<string, string[]>
  /** `<service port name>|<protocol>` → the cluster IP and port clients connect to. */
  readonly frontends: Map<string, { ip: string; port: number; protocol: "TCP" | "UDP" }>
}

/** Arbitrary worlds: up to 6 services, each with 1–4 ports and 0–12 endpoints spread over 1–3 slices. */
const worldArb = fc
  .array(
    fc.record({
      // Target ports are port + 1, so at most 65535 (API validation rejects more; iptables-restore would too).
      ports: fc.uniqueArray(fc.integer({ min: 1, max: 65534 }), { minLength: 1, maxLength: 3 }),
      udp: fc.boolean(),
      affinity: fc.boolean(),
      endpoints: fc.uniqueArray(fc.integer({ min: 1, max: 60000 }), { minLength: 0, maxLength: 12 }),
      slices: fc.integer({ min: 1, max: 3 }),
      notReady: fc.integer({ min: 0, max: 3 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((specs): World => {
    const services: ServiceView[] = []
    const slices: EndpointSliceView[] = []
    const expected = new Map<string, string[]>()
    const frontends = new Map<string, { ip: string; port: number; protocol: "TCP" | "UDP" }>()
    specs.forEach((sp, i) => {
      const ns = `ns${i}`
      const name = `svc${i}`
      const protocol = sp.udp ? ("UDP" as const) : ("TCP" as const)
      services.push(
        service(ns, name, {
          clusterIP: `172.30.${i >> 8}.${i & 255}`,
          ports: sp.ports.map((p) => ({ name: `p${p}`, port: p, protocol })),
          ...(sp.affinity ? { sessionAffinity: "ClientIP" as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } } : {}),
        }),
      )
      const ips = sp.endpoints.map((e) => `10.${i}.${e >> 8}.${e & 255}`)
      for (let k = 0; k < sp.slices; k++) {
        const mine = ips.filter((_, j) => j % sp.slices === k)
        slices.push(
          slice(
            ns,
            name,
            k,
            mine.map((ip, j) => ({ addresses: [ip], conditions: { ready: !(j < sp.notReady && k === 0) } })),
            sp.ports.map((p) => ({ name: `p${p}`, port: p + 1, protocol })),
          ),
        )
      }
      const ready = ips.filter((_, j) => !(Math.floor(j / sp.slices) < sp.notReady && j % sp.slices === 0))
      for (const p of sp.ports) {
        expected.set(`${ns}/${name}:p${p}|${protocol}`, ready.map((ip) => `${ip}:${p + 1}`).sort())
        frontends.set(`${ns}/${name}:p${p}|${protocol}`, { ip: `172.30.${i >> 8}.${i & 255}`, port: p, protocol })
      }
    })
    return { services, slices, expected, frontends }
  })

const shuffled = <T>(xs: ReadonlyArray<T>, seed: number): T[] => {
  const out = [...xs]
  let s = seed >>> 0 || 1
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

describe("iptables proxier properties", () => {
  it("each ready endpoint of a service port gets its share: exactly per the evaluator's 31-bit thresholds, and 1/n within 1e-9", () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { proxier, sink } = netfilterProxier()
        startProxier(proxier, world.services, world.slices)
        expect(proxier.lastResult?.success).toBe(true)
        for (const [key, eps] of world.expected) {
          const [spn, protocol] = key.split("|") as [string, string]
          const svcChain = servicePortChains(spn, protocol.toLowerCase()).cluster
          const fe = world.frontends.get(key)
          if (fe === undefined) throw new Error(`no frontend for ${key}`)
          // A pod (inside the cluster CIDR, not an endpoint) connecting to the cluster IP.
          const { shares, thresholds } = evaluatorShares(sink.ruleset, () => newConnection("10.255.255.1", fe.ip, fe.port, fe.protocol))
          if (eps.length === 0) {
            expect(sink.ruleset.chain("nat", svcChain)).toBeUndefined()
            expect(shares.size).toBe(0)
            continue
          }
          expect([...shares.keys()].sort()).toEqual(eps)
          // Independent expectation: kube-proxy writes 1/(n−i) with %0.10f, iptables stores lround(p·2^31)
          // (libxt_statistic.c statistic_parse), rule i matches threshold/2^31 of what reaches it.
          const n = eps.length
          expect(thresholds).toEqual(Array.from({ length: n - 1 }, (_, i) => Math.round(Number(kubeProxyProbability(n - i)) * 2 ** 31)))
          let remaining = 1
          for (let i = 0; i < n; i++) {
            const p = i < n - 1 ? (thresholds[i] as number) / 2 ** 31 : 1
            const want = remaining * p
            remaining -= want
            expect(shares.get(eps[i] as string)).toBe(want)
            expect(Math.abs(want - 1 / n)).toBeLessThan(1e-9)
          }
        }
      }),
      { numRuns: runs(30) },
    )
  })

  it("the generated rules round-trip through netfilter in both text forms", () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { proxier, sink } = fakeProxier()
        startProxier(proxier, world.services, world.slices)
        const payload = sink.last
        // Restore form: payload → iptables-restore → the rules as written, modulo upstream's canonical order.
        const rs = new Ruleset()
        applyRestore(rs, payload, { noflush: true })
        expect(canonicalOrder(renderRestore(rs))).toBe(canonicalOrder(payload))
        // Save form: iptables-save → parse → iptables-save is the identity.
        const save = renderSave(rs)
        expect(renderSave(parseSave(save))).toBe(save)
      }),
      { numRuns: runs(40) },
    )
  })

  it("the payload does not depend on the order objects were created or listed", () => {
    fc.assert(
      fc.property(worldArb, fc.integer(), (world, seed) => {
        const a = fakeProxier()
        startProxier(a.proxier, world.services, world.slices)
        const b = fakeProxier()
        startProxier(b.proxier, shuffled(world.services, seed), shuffled(world.slices, seed ^ 0x5bd1e995))
        expect(b.sink.last).toBe(a.sink.last)
      }),
      { numRuns: runs(60) },
    )
  })

  it("a partial sync after any changes leaves the same rules as a fresh full sync would", () => {
    fc.assert(
      fc.property(worldArb, worldArb, (before, after) => {
        // Apply `before`, then switch to `after` through informer updates; every payload lands in one Ruleset.
        const { proxier, sink } = netfilterProxier()
        startProxier(proxier, before.services, before.slices)
        const byName = <T extends { metadata: { namespace?: string; name: string } }>(xs: ReadonlyArray<T>) =>
          new Map(xs.map((x) => [`${x.metadata.namespace}/${x.metadata.name}`, x]))
        const oldSvcs = byName(before.services)
        const newSvcs = byName(after.services)
        for (const [k, s] of oldSvcs) if (!newSvcs.has(k)) proxier.onServiceDelete(s)
        for (const [k, s] of newSvcs) {
          const old = oldSvcs.get(k)
          if (old === undefined) proxier.onServiceAdd(s)
          else proxier.onServiceUpdate(old, s)
        }
        const oldSlices = byName(before.slices)
        const newSlices = byName(after.slices)
        for (const [k, s] of oldSlices) if (!newSlices.has(k)) proxier.onEndpointSliceDelete(s)
        for (const [k, s] of newSlices) {
          const old = oldSlices.get(k)
          if (old === undefined) proxier.onEndpointSliceAdd(s)
          else proxier.onEndpointSliceUpdate(old, s)
        }
        proxier.syncProxyRules()
        const fresh = netfilterProxier()
        startProxier(fresh.proxier, after.services, after.slices)
        expect(renderSave(sink.ruleset)).toBe(renderSave(fresh.sink.ruleset))
        // The accumulated rules, in restore form, are the fresh full sync's payload (modulo canonical order).
        expect(canonicalOrder(renderRestore(sink.ruleset))).toBe(canonicalOrder(fresh.sink.last))
      }),
      { numRuns: runs(40) },
    )
  })
})
