import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import { seconds } from "../../../sim/index"
import { testCluster } from "../test-support/cluster"
import { numFeasibleNodesToFind } from "./feasible-nodes"

describe("numFeasibleNodesToFind (schedule_one.go, percentageOfNodesToScore unset)", () => {
  it("filters every node below 100, then 50 − nodes/125 percent, at least 5 % and 100 nodes", () => {
    expect([1, 50, 99].map((n) => numFeasibleNodesToFind(n))).toEqual([1, 50, 99])
    // 100 → 49 % = 49 → raised to 100; 500 → 46 % = 230; 1,000 → 42 %; 5,000 → 10 %; 6,000 → 2 % → 5 %.
    expect([100, 200, 500, 1_000, 5_000, 6_000, 15_000].map((n) => numFeasibleNodesToFind(n))).toEqual([100, 100, 230, 420, 500, 300, 750])
    expect(numFeasibleNodesToFind(1_000, 100)).toBe(1_000)
    expect(numFeasibleNodesToFind(1_000, 30)).toBe(300)
  })

  it("is every node below 100 and between 100 and all the nodes from there", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), (n) => {
        const k = numFeasibleNodesToFind(n)
        if (n < 100) expect(k).toBe(n)
        else expect(k >= 100 && k <= n).toBe(true)
      }),
      { numRuns: runs(200) },
    )
  })
})

/** A bare nginx pod, bound to `node` when given. */
const pod = (name: string, node?: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec: { ${node === undefined ? "" : `nodeName: ${node}, `}containers: [{ name: c, image: nginx:1.25 }] }
`

/**
 * `nodes` stand-in nodes, every one but the `empty`-th (in the scheduler's name order) holding a pod already — that
 * one scores best (LeastAllocated) wherever the filter sees it — then a pod "first" scheduled at 3 s.
 */
const oneEmptyNode = (nodes: number, empty: number) => {
  const c = testCluster(3, nodes)
  c.sim.run({ until: seconds(1) })
  const order = c.store.list("Node").map((n) => n.metadata.name)
  const emptyNode = order[empty] as string
  c.apply(order.filter((n) => n !== emptyNode).map((n) => pod(`bound-${n}`, n)).join("---\n"))
  c.sim.run({ until: seconds(2) })
  c.apply(pod("first"))
  c.sim.run({ until: seconds(3) })
  const placed = (name: string) => c.store.get("Pod", "default", name)?.spec.nodeName
  return { c, order, emptyNode, placed }
}

describe("the scheduler's filter window (nextStartNodeIndex)", () => {
  it("on 150 nodes a cycle looks at 100 nodes from where the last one stopped: the emptiest node wins only once in the window", () => {
    const { c, order, emptyNode, placed } = oneEmptyNode(150, 120)
    const first = order.indexOf(placed("first") ?? "")
    // The first cycle filters nodes 0–99 and stops: node 120 is not seen.
    expect(first).toBeGreaterThanOrEqual(0)
    expect(first).toBeLessThan(100)
    c.apply(pod("second"))
    c.sim.run({ until: seconds(4) })
    // The second starts at 100 and sees it.
    expect(placed("second")).toBe(emptyNode)
  })

  it("below 100 nodes every node is filtered: the emptiest node wins at once", () => {
    const { emptyNode, placed } = oneEmptyNode(99, 98)
    expect(placed("first")).toBe(emptyNode)
  })
})
