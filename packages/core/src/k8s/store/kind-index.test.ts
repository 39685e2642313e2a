import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { Simulation } from "../../sim/index"
import { type LabelSelector, type Pod, defaultPod, labelSelectorMatches } from "../api/index"
import { ApiStore } from "./api-store"
import { INDEX_CONTROLLER_UID, INDEX_POD_NODE } from "./indexers"
import { byNamespaceThenName, type SumFunc } from "./kind-index"

const NAMESPACES = ["default", "a", "a-b", "kube-system"]
const NAMES = ["p0", "p1", "p2", "p3", "p4", "p5"]
const VALUES = ["x", "y", "z"]

const podOf = (ns: string, name: string, labels: Record<string, string>, node: string | undefined, owner: string | undefined): Pod =>
  defaultPod(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: ns,
        labels,
        ...(owner !== undefined ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: owner, controller: true }] } : {}),
      },
      spec: { containers: [{ name: "c", image: "nginx" }], ...(node !== undefined ? { nodeName: node } : {}) },
    },
    ns,
  )

const labels = fc.dictionary(fc.constantFrom("app", "tier", "team"), fc.constantFrom(...VALUES), { maxKeys: 3 })

type Op =
  | { readonly op: "put"; readonly ns: string; readonly name: string; readonly labels: Record<string, string>; readonly node: string | undefined; readonly owner: string | undefined }
  | { readonly op: "delete"; readonly ns: string; readonly name: string }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("put" as const),
    ns: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom(...NAMES),
    labels,
    node: fc.option(fc.constantFrom("n1", "n2"), { nil: undefined }),
    owner: fc.option(fc.constantFrom("rs-1", "rs-2"), { nil: undefined }),
  }),
  fc.record({ op: fc.constant("delete" as const), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...NAMES) }),
)

const selector: fc.Arbitrary<LabelSelector> = fc.record(
  {
    matchLabels: fc.dictionary(fc.constantFrom("app", "tier"), fc.constantFrom(...VALUES), { maxKeys: 2 }),
    matchExpressions: fc.array(
      fc.record({ key: fc.constantFrom("app", "team"), operator: fc.constantFrom("In" as const, "NotIn" as const, "Exists" as const, "DoesNotExist" as const), values: fc.subarray(VALUES) }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
)

/** A sum's part: per node, the pod's label count and whether it has an owner. */
const partOf: SumFunc = (o) => {
  const p = o as Pod
  return p.spec.nodeName === undefined ? undefined : { key: p.spec.nodeName, amounts: [Object.keys(p.metadata.labels ?? {}).length, p.metadata.ownerReferences === undefined ? 0 : 1] }
}

const names = (xs: ReadonlyArray<Pod>) => xs.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)

describe("the store's indexes", () => {
  test("list, byIndex, indexRevision and running sums through the indexes equal a filter over every object, after any writes", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }), fc.option(selector, { nil: undefined }), (ops, ns, sel) => {
        const store = new ApiStore(new Simulation(1))
        store.addSum("Pod", "early", partOf)
        const revisions = new Map<string, number>()
        for (const o of ops) {
          const live = store.get("Pod", o.ns, o.name)
          const before = live?.spec.nodeName
          if (o.op === "put") {
            // Pods are bound once (spec.nodeName is immutable): a rewrite replaces the pod.
            if (live !== undefined) store.delete("Pod", o.ns, o.name, { gracePeriodSeconds: 0 })
            expect(store.create(podOf(o.ns, o.name, o.labels, o.node, o.owner)).ok).toBe(true)
          } else store.delete("Pod", o.ns, o.name, { gracePeriodSeconds: 0 })
          const after = store.get("Pod", o.ns, o.name)?.spec.nodeName
          for (const n of new Set([before, after])) {
            if (n === undefined) continue
            const r = store.indexRevision("Pod", INDEX_POD_NODE, n)
            expect(r).toBeGreaterThan(revisions.get(n) ?? 0)
            revisions.set(n, r)
          }
          // Listed between writes (the sorted bucket lists are cached and dropped on change): the live objects.
          for (const n of ["n1", "n2"]) {
            const listed = store.byIndex("Pod", INDEX_POD_NODE, n)
            expect(names(listed)).toEqual(names(store.list("Pod").filter((p) => p.spec.nodeName === n)))
            for (const p of listed) expect(store.get("Pod", p.metadata.namespace ?? "", p.metadata.name)).toBe(p)
          }
        }
        const every = store.list("Pod")
        expect(every.length).toBe(store.count("Pod"))
        expect(names(every)).toEqual(names([...every].sort(byNamespaceThenName)))
        const naive = every.filter((p) => (ns === undefined || p.metadata.namespace === ns) && (sel === undefined || labelSelectorMatches(sel, p.metadata.labels)))
        const options = { ...(ns !== undefined ? { namespace: ns } : {}), ...(sel !== undefined ? { labelSelector: sel } : {}) }
        expect(names(store.list("Pod", options))).toEqual(names(naive))
        const visited: Pod[] = []
        store.forEachMatching("Pod", options, (p) => visited.push(p))
        expect(names(visited.sort(byNamespaceThenName))).toEqual(names(naive))
        for (const n of ["n1", "n2"]) expect(names(store.byIndex("Pod", INDEX_POD_NODE, n))).toEqual(names(every.filter((p) => p.spec.nodeName === n)))
        for (const u of ["rs-1", "rs-2"]) {
          expect(names(store.byIndex("Pod", INDEX_CONTROLLER_UID, u))).toEqual(names(every.filter((p) => p.metadata.ownerReferences?.[0]?.uid === u)))
        }
        // Running sums, kept through the writes or folded at registration, equal a fold over the objects.
        store.addSum("Pod", "late", partOf)
        for (const n of ["n1", "n2"]) {
          const mine = every.map(partOf).filter((x) => x !== undefined && x.key === n)
          const folded = mine.length === 0 ? undefined : [mine.length, ...[0, 1].map((i) => mine.reduce((a, x) => a + (x?.amounts[i] ?? 0), 0))]
          expect(store.sum("Pod", "early", n)).toEqual(folded)
          expect(store.sum("Pod", "late", n)).toEqual(folded)
        }
      }),
      { numRuns: runs(200) },
    )
  })

  test("a pod watch with the spec.nodeName field selector sees its node's pods only: ADDED on binding, then MODIFIED and DELETED", () => {
    const sim = new Simulation(1)
    const store = new ApiStore(sim)
    const seen: string[] = []
    store.watch("Pod", (e) => seen.push(`${e.type} ${e.object.metadata.name}`), { nodeName: "n1" })
    store.create(podOf("default", "p0", {}, undefined, undefined))
    store.create(podOf("default", "p1", {}, "n2", undefined))
    store.bind("default", "p0", "n1")
    store.update({ ...(store.get("Pod", "default", "p0") as Pod), metadata: { ...(store.get("Pod", "default", "p0") as Pod).metadata, labels: { a: "b" } } })
    store.delete("Pod", "default", "p1", { gracePeriodSeconds: 0 })
    store.delete("Pod", "default", "p0", { gracePeriodSeconds: 0 })
    sim.run({})
    expect(seen).toEqual(["ADDED p0", "MODIFIED p0", "DELETED p0"])
    expect(() => store.watch("Service", () => undefined, { nodeName: "n1" })).toThrow(/applies to Pods/)
  })
})

describe("watch fan-out", () => {
  test("a write reaching consecutive watchers with one lag is one kernel event; handlers run in registration order, as separate deliveries would", () => {
    const sim = new Simulation(1)
    const store = new ApiStore(sim)
    const seen: string[] = []
    const order = (tag: string) => (e: { type: string; object: Pod }) => {
      seen.push(`${tag} ${e.type} ${e.object.metadata.name}`)
      // What a handler schedules at the same instant runs after every delivery of the write, as before.
      sim.after(0, sim.defineKind(`t-${tag}-${seen.length}`, () => seen.push(`${tag} later`)), null)
    }
    store.watch("Pod", order("a"))
    store.watch("Pod", order("b"))
    const c = store.watch("Pod", order("c"), { delay: 5 })
    store.watch("Pod", order("d"))
    const before = sim.eventsProcessed
    store.create(podOf("default", "p0", {}, undefined, undefined))
    c.stop()
    sim.run({})
    expect(seen).toEqual(["a ADDED p0", "b ADDED p0", "d ADDED p0", "a later", "b later", "d later"])
    // a+b share one event; c (another lag, stopped before it) and d have their own: 3 deliveries, then 3 timers.
    expect(sim.eventsProcessed - before).toBe(3 + 3)
  })
})
