import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import type { EndpointSliceView, ServiceView } from "../api-view"
import { fakeProxier, service, slice, startProxier } from "../test-support/fixtures"
import { endpointShares, natChains, threshold } from "../test-support/share-walker"
import { servicePortChains } from "./chain-names"
import { computeProbability } from "./probability"

interface World {
  readonly services: ServiceView[]
  readonly slices: EndpointSliceView[]
  /** service port name → endpoint `ip:port`s (ready ones). */
  readonly expected: Map<string, string[]>
}

/** Arbitrary worlds: up to 6 services, each with 1–4 ports and 0–12 endpoints spread over 1–3 slices. */
const worldArb = fc
  .array(
    fc.record({
      ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
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
      for (const p of sp.ports) expected.set(`${ns}/${name}:p${p}|${protocol}`, ready.map((ip) => `${ip}:${p + 1}`).sort())
    })
    return { services, slices, expected }
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
  it("each ready endpoint of a service port gets its share: exactly per the kernel's 31-bit thresholds, and 1/n within 1e-9", () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { proxier, sink } = fakeProxier()
        startProxier(proxier, world.services, world.slices)
        const chains = natChains(sink.last)
        for (const [key, eps] of world.expected) {
          const [spn, protocol] = key.split("|") as [string, string]
          const svcChain = servicePortChains(spn, protocol.toLowerCase()).cluster
          if (eps.length === 0) {
            expect(chains.has(svcChain)).toBe(false)
            continue
          }
          const shares = endpointShares(chains, svcChain)
          expect([...shares.keys()].sort()).toEqual(eps)
          // Independent expectation: rule i matches with threshold(1/(n−i))/2^31 of what reaches it.
          const n = eps.length
          let remaining = 1
          const sorted = [...eps].sort()
          for (let i = 0; i < n; i++) {
            const p = i < n - 1 ? threshold(Number(computeProbability(n - i))) / 2 ** 31 : 1
            const want = remaining * p
            remaining -= want
            expect(shares.get(sorted[i] as string)).toBe(want)
            expect(Math.abs(want - 1 / n)).toBeLessThan(1e-9)
          }
        }
      }),
      { numRuns: runs(60) },
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
        // Apply `before`, then switch to `after` through informer updates, replaying each payload on a model table.
        const { proxier, sink } = fakeProxier()
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
        const replayed = replay(sink.payloads)
        const fresh = fakeProxier()
        startProxier(fresh.proxier, after.services, after.slices)
        expect(replayed).toEqual(replay([fresh.sink.last]))
      }),
      { numRuns: runs(40) },
    )
  })
})

/** iptables-restore --noflush semantics on a chain → rules model: a `:` line creates or flushes, -X deletes. */
const replay = (payloads: ReadonlyArray<string>): Map<string, string[]> => {
  const tables = new Map<string, string[]>()
  for (const payload of payloads) {
    let table = ""
    for (const line of payload.split("\n")) {
      if (line.startsWith("*")) table = line.slice(1)
      else if (line.startsWith(":")) tables.set(`${table} ${line.slice(1, line.indexOf(" "))}`, [])
      else if (line.startsWith("-A ")) tables.get(`${table} ${line.slice(3, line.indexOf(" ", 3))}`)?.push(line)
      else if (line.startsWith("-X ")) tables.delete(`${table} ${line.slice(3)}`)
    }
  }
  return new Map([...tables].sort(([a], [b]) => (a < b ? -1 : 1)))
}
