import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../test-support/runs"
import type { EndpointSliceView, ServiceView } from "./api-view"
import { ProxyChangeFeed, type Subscription } from "./change-feed"
import { EndpointsChangeTracker, type EndpointsChangeSource } from "./endpoints-change-tracker"
import { ServiceChangeTracker, type ServiceChangeSource } from "./service-change-tracker"
import { service, slice } from "./test-support/fixtures"

// A pool of API objects, built once (a watch hands every node the same objects). Versions 0–2 of each Service;
// versions 0–2 of two slices per Service, where slice 2's version 2 repeats an endpoint of slice 1 (then the
// merged endpoints depend on the node: its local copy wins).
const svcs: ServiceView[][] = [0, 1, 2].map((i) =>
  [[80], [80, 443], [8080]].map((ports) =>
    service("ns1", `svc${i}`, { clusterIP: `172.30.0.${41 + i}`, ports: ports.map((port) => ({ name: `p${port}`, port, ...(i === 1 ? { protocol: "UDP" as const } : {}) })) }),
  ),
)
const sliceVersions = (i: number, n: number): EndpointSliceView[] =>
  [
    n === 1 ? [["10.0.1.1", "node-1"]] : [["10.0.2.1", "node-2"]],
    n === 1 ? [["10.0.1.1", "node-1"], ["10.0.3.1", "node-3"]] : [["10.0.2.1", "node-2"], ["10.0.4.1", "node-4"]],
    n === 1 ? [["10.0.1.2", "node-2"]] : [["10.0.1.1", "node-2"], ["10.0.2.2", "node-1"]],
  ].map((eps) =>
    slice("ns1", `svc${i}`, n, eps.map(([ip, nodeName]) => ({ addresses: [ip as string], nodeName: nodeName as string })), [
      { name: "p80", port: 80 },
      { name: "p443", port: 443 },
    ]),
  )
const slices: EndpointSliceView[][][] = [0, 1, 2].map((i) => [sliceVersions(i, 1), sliceVersions(i, 2)])

const op = fc.oneof(
  fc.record({ op: fc.constant("service" as const), i: fc.nat(2), version: fc.integer({ min: -1, max: 2 }) }),
  fc.record({ op: fc.constant("slice" as const), i: fc.nat(2), n: fc.nat(1), version: fc.integer({ min: -1, max: 2 }) }),
  fc.record({ op: fc.constant("checkout" as const), m: fc.nat(3) }),
  fc.record({ op: fc.constant("leave" as const), m: fc.nat(3) }),
)

/** One node's kube-proxy: its own trackers (the model), and its membership of the feed until it leaves. */
interface Member {
  readonly name: string
  readonly ownServices: ServiceChangeTracker
  readonly ownEndpoints: EndpointsChangeTracker
  sub: Subscription | undefined
  /** After leaving: the trackers the feed handed over. */
  left: { readonly services: ServiceChangeTracker; readonly endpoints: EndpointsChangeTracker } | undefined
  changedCalls: number
  /** Until when its (model) sync runner is quiet: telling it then would do nothing, so the feed may skip it. */
  quietUntil: number
}

const checkoutOf = (s: ServiceChangeSource, e: EndpointsChangeSource) => {
  const services = s.checkout()
  const endpoints = e.checkout()
  return {
    services: [...services].map(([nn, c]) => [nn, c.previous, c.current]),
    endpoints: [...endpoints].map(([nn, c]) => [nn, [...c.previous], [...c.current]]),
  }
}

/** What the member checks out: from the feed while a member, from the trackers it left with after. */
const memberCheckout = (m: Member) =>
  m.sub !== undefined ? checkoutOf(m.sub.services, m.sub.endpoints) : checkoutOf(m.left?.services as ServiceChangeTracker, m.left?.endpoints as EndpointsChangeTracker)

/**
 * One informer event to the feed and to every node's own trackers: a member is asked to sync only if its own
 * trackers say so, and always then unless its runner is quiet (when asking would do nothing).
 */
const deliver = (members: ReadonlyArray<Member>, now: number, toFeed: () => void, toOwn: (m: Member) => boolean): void => {
  const before = members.map((m) => [m.changedCalls, m.quietUntil] as const)
  toFeed()
  members.forEach((m, k) => {
    const wants = toOwn(m)
    if (m.sub === undefined) return
    const [calls, quietUntil] = before[k] as readonly [number, number]
    const told = m.changedCalls - calls
    if (!wants) expect(told).toBe(0)
    else if (quietUntil <= now) expect(told).toBe(1)
    else expect(told).toBeLessThanOrEqual(1)
  })
}

describe("ProxyChangeFeed: one log of informer changes for every node in step", () => {
  test("each member syncs when, and checks out what, its own trackers fed the same events would", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 5 }), (ops, quietSpells) => {
        let now = 0
        const feed = new ProxyChangeFeed(() => now)
        const members: Member[] = ["node-1", "node-2", "node-3", "node-4"].map((name) => ({
          name,
          ownServices: new ServiceChangeTracker(),
          ownEndpoints: new EndpointsChangeTracker(name),
          sub: undefined,
          left: undefined,
          changedCalls: 0,
          quietUntil: -Infinity,
        }))
        // Each time a member is told, its runner goes quiet for a while (or not: −1), cycling through `quietSpells`.
        for (const m of members) {
          m.sub = feed.join({
            nodeName: m.name,
            changed: () => {
              const spell = quietSpells[m.changedCalls++ % quietSpells.length] as number
              m.quietUntil = spell < 0 ? -Infinity : now + spell
              return m.quietUntil
            },
          })
        }
        // The informer caches (one, as every node's would hold the same objects).
        const svcNow: Array<ServiceView | undefined> = [undefined, undefined, undefined]
        const sliceNow: Array<Array<EndpointSliceView | undefined>> = [[undefined, undefined], [undefined, undefined], [undefined, undefined]]
        for (const o of ops) {
          now++
          if (o.op === "service") {
            const previous = svcNow[o.i]
            const current = o.version < 0 ? undefined : svcs[o.i]?.[o.version]
            svcNow[o.i] = current
            if (previous === undefined && current === undefined) continue
            deliver(members, now, () => feed.serviceUpdate(previous, current), (m) => {
              m.left?.services.update(previous, current)
              return m.ownServices.update(previous, current)
            })
          } else if (o.op === "slice") {
            const previous = sliceNow[o.i]?.[o.n]
            const current = o.version < 0 ? undefined : slices[o.i]?.[o.n]?.[o.version]
            ;(sliceNow[o.i] as Array<EndpointSliceView | undefined>)[o.n] = current
            // The informer: a deletion of an unknown object is not delivered; a deletion hands over the old object.
            const delivered = current ?? previous
            if (delivered === undefined) continue
            const remove = current === undefined
            deliver(members, now, () => feed.sliceUpdate(delivered, remove), (m) => {
              m.left?.endpoints.endpointSliceUpdate(delivered, remove)
              return m.ownEndpoints.endpointSliceUpdate(delivered, remove)
            })
          } else {
            const m = members[o.m] as Member
            if (o.op === "leave") {
              if (m.sub !== undefined) m.left = feed.leave(m.sub)
              m.sub = undefined
              continue
            }
            const expected = checkoutOf(m.ownServices, m.ownEndpoints)
            const got = memberCheckout(m)
            // A sync began: the runner takes requests again.
            m.quietUntil = -Infinity
            expect(got).toEqual(expected)
            // The Services' port maps are the very records the tracker hands out (shared by identity).
            got.services.forEach((entry, k) => {
              expect(entry[1]).toBe(expected.services[k]?.[1])
              expect(entry[2]).toBe(expected.services[k]?.[2])
            })
          }
        }
        // What is still pending comes out the same too.
        for (const m of members) expect(memberCheckout(m)).toEqual(checkoutOf(m.ownServices, m.ownEndpoints))
      }),
      { numRuns: runs(300) },
    )
  })

  test("members checking out together share one checkout; the log keeps only what a member has not checked out", () => {
    const feed = new ProxyChangeFeed()
    const subs = ["node-1", "node-2"].map((nodeName) => feed.join({ nodeName, changed: () => -Infinity }))
    for (let k = 0; k < 3000; k++) feed.serviceUpdate(k === 0 ? undefined : svcs[0]?.[(k - 1) % 3], svcs[0]?.[k % 3])
    const [a, b] = subs as [Subscription, Subscription]
    const ca = a.services.checkout()
    a.endpoints.checkout()
    const cb = b.services.checkout()
    b.endpoints.checkout()
    expect(cb).toBe(ca)
    expect([...ca.keys()]).toEqual(["ns1/svc0"])
    expect(feed.position).toBe(3000)
    expect((feed as unknown as { entries: unknown[] }).entries.length).toBe(0)
  })
})
