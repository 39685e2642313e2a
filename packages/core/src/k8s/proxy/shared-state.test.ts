import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../test-support/runs"
import type { EndpointSliceView, ServiceView } from "./api-view"
import { IptablesProxier } from "./iptables/iptables-proxier"
import { IptablesRenderCache } from "./iptables/render-cache"
import { service, slice } from "./test-support/fixtures"

// A pool of API objects, built once: nodes see the same objects (the watch fans one object out to all).
const svcs: ServiceView[] = [0, 1, 2].map((i) =>
  service("ns1", `svc${i}`, { clusterIP: `172.30.0.${41 + i}`, ports: [{ name: "p80", port: 80 }], ...(i === 2 ? { internalTrafficPolicy: "Local" as const } : {}) }),
)
const slices: EndpointSliceView[][] = [0, 1, 2].map((i) =>
  [["10.0.1.1"], ["10.0.1.1", "10.0.2.1"], ["10.0.2.1", "10.0.3.1", "10.0.1.2"]].map((ips) =>
    slice("ns1", `svc${i}`, 1, ips.map((ip, k) => ({ addresses: [ip], nodeName: `node-${k + 1}` })), [{ name: "p80", port: 80 }]),
  ),
)

interface Node {
  readonly proxier: IptablesProxier
  readonly payloads: string[]
  readonly services: Array<ServiceView | undefined>
  readonly slices: Array<EndpointSliceView | undefined>
}

const node = (name: string, cache: IptablesRenderCache): Node => {
  const payloads: string[] = []
  const proxier = new IptablesProxier(
    { nodeName: name, nodeIPs: ["192.168.0.2"], clusterCIDR: "10.0.0.0/16" },
    { now: () => 0, renderCache: cache, sink: { restore: (p) => void payloads.push(p) } },
  )
  return { proxier, payloads, services: [undefined, undefined, undefined], slices: [undefined, undefined, undefined] }
}

/** An informer event: Service i present or absent, or its slice set to version v (or deleted). */
const event = fc.record({ svc: fc.nat(2), slice: fc.boolean(), version: fc.integer({ min: -1, max: 2 }) })
type Event = typeof event extends fc.Arbitrary<infer T> ? T : never

const deliver = (n: Node, e: Event): void => {
  const p = n.proxier
  if (!e.slice) {
    const old = n.services[e.svc]
    const next = e.version >= 0 ? svcs[e.svc] : undefined
    if (old !== undefined && next === undefined) p.onServiceDelete(old)
    else if (old === undefined && next !== undefined) p.onServiceAdd(next)
    n.services[e.svc] = next
    return
  }
  const old = n.slices[e.svc]
  const next = e.version >= 0 ? slices[e.svc]?.[e.version] : undefined
  if (old !== undefined && next === undefined) p.onEndpointSliceDelete(old)
  else if (old === undefined && next !== undefined) p.onEndpointSliceAdd(next)
  else if (old !== undefined && next !== undefined) p.onEndpointSliceUpdate(old, next)
  n.slices[e.svc] = next
}

const sorted = <V>(m: ReadonlyMap<string, V>): Array<[string, V]> => [...m].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0))

describe("ProxyStateStore: proxiers of many nodes share the state after each change set", () => {
  test("nodes fed the same events share maps and payloads; a node with another history joins the same state", () => {
    const cache = new IptablesRenderCache()
    const [a, b, c] = ["node-1", "node-2", "node-3"].map((n) => node(n, cache)) as [Node, Node, Node]
    for (const n of [a, b]) {
      for (let i = 0; i < 2; i++) deliver(n, { svc: i, slice: false, version: 0 })
      for (let i = 0; i < 2; i++) deliver(n, { svc: i, slice: true, version: 1 })
      n.proxier.onServiceSynced()
      n.proxier.onEndpointSlicesSynced()
    }
    expect(a.proxier.svcPortMap).toBe(b.proxier.svcPortMap)
    expect(a.payloads.at(-1)).toBe(b.payloads.at(-1))
    // Node c hears the same objects in another order, with a Service that comes and goes, and syncs twice.
    deliver(c, { svc: 2, slice: false, version: 0 })
    for (let i = 1; i >= 0; i--) deliver(c, { svc: i, slice: true, version: 1 })
    c.proxier.onServiceSynced()
    c.proxier.onEndpointSlicesSynced()
    for (let i = 0; i < 2; i++) deliver(c, { svc: i, slice: false, version: 0 })
    deliver(c, { svc: 2, slice: false, version: -1 })
    c.proxier.syncProxyRules()
    expect(c.proxier.svcPortMap).toBe(a.proxier.svcPortMap)
    expect(c.proxier.endpointsMap).toBe(a.proxier.endpointsMap)
  })

  test("any events and sync points give each node the payloads it would write with a store of its own", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ event, syncs: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }) }), { maxLength: 25 }), (steps) => {
        const shared = new IptablesRenderCache()
        const together = ["node-1", "node-2", "node-3"].map((n) => node(n, shared))
        const alone = ["node-1", "node-2", "node-3"].map((n) => node(n, new IptablesRenderCache()))
        for (const n of [...together, ...alone]) {
          n.proxier.onServiceSynced()
          n.proxier.onEndpointSlicesSynced()
        }
        for (const s of steps) {
          for (let k = 0; k < 3; k++) {
            for (const n of [together[k] as Node, alone[k] as Node]) {
              deliver(n, s.event)
              if (s.syncs[k] === true) n.proxier.syncProxyRules()
            }
          }
        }
        for (let k = 0; k < 3; k++) {
          const x = together[k] as Node
          const y = alone[k] as Node
          x.proxier.syncProxyRules()
          y.proxier.syncProxyRules()
          expect(x.payloads).toEqual(y.payloads)
          // The same entries (a merged state keeps the insertion order of whichever history built it first;
          // upstream's maps are Go maps, unordered, and every reader here sorts or aggregates).
          expect(sorted(x.proxier.svcPortMap)).toEqual(sorted(y.proxier.svcPortMap))
          expect(sorted(x.proxier.endpointsMap)).toEqual(sorted(y.proxier.endpointsMap))
        }
      }),
      { numRuns: runs(200) },
    )
  })
})
