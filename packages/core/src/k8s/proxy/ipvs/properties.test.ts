import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatIpv4, IpvsTable, parseIpv4, TCP_ACK, TCP_SYN, type IpvsConn } from "../../../net/index"
import { runs } from "../../../../../../test-support/runs"
import type { EndpointSliceView, ServiceView } from "../api-view"
import { service, slice, startProxier } from "../test-support/fixtures"
import { fakeIpvsProxier, type FakeIpvsKernel } from "../test-support/ipvs-node"

// Three Services whose shape, and endpoints, change at random.
const shape = fc.record({
  present: fc.boolean(),
  type: fc.constantFrom("ClusterIP" as const, "NodePort" as const, "LoadBalancer" as const),
  policy: fc.constantFrom("Cluster" as const, "Local" as const),
  internalLocal: fc.boolean(),
  affinity: fc.boolean(),
  externalIP: fc.boolean(),
  port: fc.constantFrom(80, 81),
})
const endpoints = fc.uniqueArray(fc.record({ host: fc.integer({ min: 1, max: 6 }), local: fc.boolean(), ready: fc.boolean() }), { maxLength: 5, selector: (e) => e.host })
const step = fc.record({ svc: fc.integer({ min: 1, max: 3 }), shape, endpoints })

type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never
type Eps = typeof endpoints extends fc.Arbitrary<infer T> ? T : never

const makeService = (n: number, s: Shape): ServiceView =>
  service(
    "ns1",
    `svc${n}`,
    {
      type: s.type,
      clusterIP: `172.30.0.${40 + n}`,
      ports: [{ name: "p", port: s.port, protocol: "TCP", ...(s.type !== "ClusterIP" ? { nodePort: 30000 + n } : {}) }],
      ...(s.type !== "ClusterIP" ? { externalTrafficPolicy: s.policy } : {}),
      internalTrafficPolicy: s.internalLocal ? "Local" : "Cluster",
      ...(s.affinity ? { sessionAffinity: "ClientIP" as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } : {}),
      ...(s.externalIP ? { externalIPs: [`203.0.113.${n}`] } : {}),
    },
    s.type === "LoadBalancer" ? [`198.51.100.${n}`] : undefined,
  )
const makeSlice = (n: number, e: Eps, port: number): EndpointSliceView =>
  slice(
    "ns1",
    `svc${n}`,
    1,
    e.map((x) => ({ addresses: [`10.0.${n}.${x.host}`], nodeName: x.local ? "test-node" : "other", conditions: { ready: x.ready, serving: x.ready, terminating: false } })),
    [{ name: "p", port }],
  )

const snapshot = (k: FakeIpvsKernel) => ({ ipvs: k.state(), sets: k.sets(), dummy: [...k.dummy].sort() })

describe("IpvsProxier properties", () => {
  it("after any sequence of changes, the IPVS table, ipsets and kube-ipvs0 equal a fresh proxier's", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const { proxier, kernel } = fakeIpvsProxier({}, ["100.101.102.103"])
        const svcs = new Map<number, ServiceView>()
        const slices = new Map<number, EndpointSliceView>()
        startProxier(proxier, [], [])
        for (const st of steps) {
          const old = svcs.get(st.svc)
          if (st.shape.present) {
            const next = makeService(st.svc, st.shape)
            if (old === undefined) proxier.onServiceAdd(next)
            else proxier.onServiceUpdate(old, next)
            svcs.set(st.svc, next)
          } else if (old !== undefined) {
            proxier.onServiceDelete(old)
            svcs.delete(st.svc)
          }
          const oldSlice = slices.get(st.svc)
          const sl = makeSlice(st.svc, st.endpoints, st.shape.port)
          if (oldSlice === undefined) proxier.onEndpointSliceAdd(sl)
          else proxier.onEndpointSliceUpdate(oldSlice, sl)
          slices.set(st.svc, sl)
          proxier.syncProxyRules()
          const fresh = fakeIpvsProxier({}, ["100.101.102.103"])
          startProxier(fresh.proxier, [...svcs.values()], [...slices.values()])
          expect(snapshot(kernel)).toEqual(snapshot(fresh.kernel))
          expect(kernel.last).toBe(fresh.kernel.last)
        }
      }),
      { numRuns: runs(60) },
    )
  })
})

const connect = (t: IpvsTable, client: string, cport: number, vip: string, now: number): IpvsConn => {
  const r = t.inbound(6, parseIpv4(client), cport, parseIpv4(vip), 80, TCP_SYN, now)
  if (typeof r === "string") throw new Error(`no connection: ${r}`)
  t.inbound(6, parseIpv4(client), cport, parseIpv4(vip), 80, TCP_ACK, now)
  return r
}

describe("IPVS scheduling through the proxier's virtual servers", () => {
  it("rr: k·N new connections to a ClusterIP go exactly k to each of the N real servers, in a fixed cycle", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 }), (n, k) => {
        const { proxier, kernel } = fakeIpvsProxier()
        const ips = Array.from({ length: n }, (_, i) => `10.0.1.${i + 1}`)
        startProxier(
          proxier,
          [service("ns1", "svc1", { clusterIP: "172.30.0.41", ports: [{ name: "p", port: 80, protocol: "TCP" }] })],
          [slice("ns1", "svc1", 1, ips.map((ip) => ({ addresses: [ip] })), [{ name: "p", port: 8080 }])],
        )
        const counts = new Map<string, number>()
        const order: string[] = []
        for (let i = 0; i < k * n; i++) {
          const d = formatIpv4(connect(kernel.ipvs, "10.0.9.9", 10000 + i, "172.30.0.41", 0).dest.address)
          counts.set(d, (counts.get(d) ?? 0) + 1)
          order.push(d)
        }
        expect([...counts.keys()].sort()).toEqual(ips)
        for (const c of counts.values()) expect(c).toBe(k)
        for (let i = n; i < order.length; i++) expect(order[i]).toBe(order[i - n])
      }),
      { numRuns: runs(40) },
    )
  })

  it("ClientIP affinity: each client stays on one real server while its template lives, and clients spread round-robin", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 60 }), (n, clients) => {
        const { proxier, kernel } = fakeIpvsProxier()
        const ips = Array.from({ length: n }, (_, i) => `10.0.1.${i + 1}`)
        startProxier(
          proxier,
          [service("ns1", "svc1", { clusterIP: "172.30.0.41", sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: "p", port: 80, protocol: "TCP" }] })],
          [slice("ns1", "svc1", 1, ips.map((ip) => ({ addresses: [ip] })), [{ name: "p", port: 8080 }])],
        )
        const pinned = new Map<number, number>()
        const firstSeen: number[] = []
        clients.forEach((c, i) => {
          const d = connect(kernel.ipvs, `10.0.9.${c}`, 20000 + i, "172.30.0.41", i * 1e9).dest.address
          const p = pinned.get(c)
          if (p === undefined) {
            pinned.set(c, d)
            firstSeen.push(d)
          } else expect(d).toBe(p)
        })
        // New clients are scheduled by rr: consecutive new clients get consecutive real servers.
        for (let i = n; i < firstSeen.length; i++) expect(firstSeen[i]).toBe(firstSeen[i - n])
      }),
      { numRuns: runs(40) },
    )
  })
})
