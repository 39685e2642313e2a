import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../sim/index"
import { nodeShouldRunDaemonPod } from "./daemonset/daemonset-controller"
import { daemonSetManifest, statefulSetManifest, testCluster } from "./test-support/cluster"
import { isPodReady } from "./util/pods"

const seconds = (s: number) => s * NANOS_PER_SECOND

const sts = (replicas: number, policy: string, image: string) => statefulSetManifest(replicas, image, `  podManagementPolicy: ${policy}\n`)
const ds = daemonSetManifest

describe("workload controllers, model-based", () => {
  it("StatefulSet: OrderedReady never has pod i without Running+Ready pods below it; at quiescence pods are exactly db-0..db-(n-1), ready, on the last template", () => {
    const step = fc.record({ replicas: fc.integer({ min: 0, max: 5 }), image: fc.constantFrom("a:1", "a:2", "a:3") })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom("OrderedReady", "Parallel"), fc.array(step, { minLength: 1, maxLength: 4 }), (seed, policy, steps) => {
        const c = testCluster(seed)
        const violations: string[] = []
        if (policy === "OrderedReady") {
          // stateful_set_control.go: a pod is created only once every lower ordinal is Running and Ready.
          c.store.watch("Pod", (e) => {
            if (e.type !== "ADDED") return
            const o = Number(e.object.metadata.name.slice("db-".length))
            for (let i = 0; i < o; i++) {
              const p = c.store.get("Pod", "default", `db-${i}`)
              if (p === undefined || !isPodReady(p)) violations.push(`t=${c.sim.now}: db-${o} created while db-${i} is ${p === undefined ? "missing" : "not ready"}`)
            }
          })
        }
        for (const s of steps) {
          c.apply(sts(s.replicas, policy, s.image))
          c.sim.run({ until: c.sim.now + (policy === "OrderedReady" ? 500 : 300) * NANOS_PER_MILLI })
        }
        c.sim.run({ until: c.sim.now + seconds(60) })
        expect(violations).toEqual([])
        const last = steps.at(-1)!
        const pods = c.store.list("Pod", { namespace: "default" })
        expect(pods.map((p) => p.metadata.name).sort()).toEqual(Array.from({ length: last.replicas }, (_, i) => `db-${i}`).sort())
        for (const p of pods) {
          expect(isPodReady(p)).toBe(true)
          expect(p.spec.containers[0]!.image).toBe(last.image)
        }
        expect(c.store.get("StatefulSet", "default", "db")!.status).toMatchObject({ replicas: last.replicas, readyReplicas: last.replicas, updatedReplicas: last.replicas })
      }),
      { numRuns: runs(10) },
    )
  }, 120_000)

  it("DaemonSet: after taints, node removals and template changes, exactly one ready pod of the last template on every node that should run it", () => {
    type Op = { kind: "taint"; node: number; effect: "NoSchedule" | "NoExecute" | "none" } | { kind: "remove"; node: number } | { kind: "image"; image: string }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("taint" as const), node: fc.integer({ min: 1, max: 4 }), effect: fc.constantFrom("NoSchedule" as const, "NoExecute" as const, "none" as const) }),
      fc.record({ kind: fc.constant("remove" as const), node: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant("image" as const), image: fc.constantFrom("agent:1", "agent:2", "agent:3") }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(op, { maxLength: 5 }), (seed, ops) => {
        const c = testCluster(seed, 4)
        let image = "agent:1"
        c.apply(ds(image))
        c.sim.run({ until: seconds(3) })
        for (const o of ops) {
          if (o.kind === "image") {
            image = o.image
            c.apply(ds(image))
          } else {
            const n = c.store.get("Node", undefined, `node-${o.node}`)
            if (n === undefined) continue
            if (o.kind === "remove") c.store.delete("Node", undefined, n.metadata.name)
            else c.store.update({ ...n, spec: { ...n.spec, taints: o.effect === "none" ? [] : [{ key: "k", value: "v", effect: o.effect }] } })
          }
          c.sim.run({ until: c.sim.now + 400 * NANOS_PER_MILLI })
        }
        c.sim.run({ until: c.sim.now + seconds(30) })
        const set = c.store.get("DaemonSet", "default", "agent")!
        const pods = c.store.list("Pod", { namespace: "default" })
        for (const node of c.store.list("Node")) {
          const here = pods.filter((p) => p.spec.nodeName === node.metadata.name)
          const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, set)
          if (shouldRun) {
            expect(here).toHaveLength(1)
            expect(isPodReady(here[0]!)).toBe(true)
            expect(here[0]!.spec.containers[0]!.image).toBe(image)
          } else if (!shouldContinueRunning) expect(here).toEqual([])
        }
        const nodes = new Set(c.store.list("Node").map((n) => n.metadata.name))
        expect(pods.filter((p) => !nodes.has(p.spec.nodeName ?? ""))).toEqual([])
      }),
      { numRuns: runs(12) },
    )
  }, 120_000)
})
