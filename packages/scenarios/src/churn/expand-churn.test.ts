import { makeRng } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { expandChurn } from "./expand-churn"

const S = 1e9
const rng = () => makeRng(1, "churn")

describe("churn schedules", () => {
  test("kill-pods at a rate: Poisson kill times inside the window", () => {
    const xs = expandChurn({ type: "kill-pods", selector: { app: "web" }, rate: 1, start: "100s", stop: "1100s" }, 0, rng(), 2000 * S)
    expect(xs.every((x) => x.at >= 100 * S && x.at < 1100 * S && x.operation.op === "kill")).toBe(true)
    expect(Math.abs(xs.length - 1000)).toBeLessThan(130)
  })

  test("kill-pods on a schedule", () => {
    expect(expandChurn({ type: "kill-pods", selector: { app: "web" }, schedule: ["5s", "1s"] }, 2, rng(), 10 * S).map((x) => [x.at, x.source])).toEqual([
      [1 * S, "churn[2] (kill-pods)"],
      [5 * S, "churn[2] (kill-pods)"],
    ])
  })

  test("rolling updates every period, alternating images", () => {
    const xs = expandChurn({ type: "rolling-update", deployment: "web", every: "30s", images: ["a", "b"] }, 0, rng(), 100 * S)
    expect(xs.map((x) => [x.at / S, x.operation])).toEqual([
      [30, { op: "rollout", deployment: "web", namespace: "default", image: "a" }],
      [60, { op: "rollout", deployment: "web", namespace: "default", image: "b" }],
      [90, { op: "rollout", deployment: "web", namespace: "default", image: "a" }],
    ])
  })

  test("node failure and recovery; readiness flapping", () => {
    expect(expandChurn({ type: "node-failure", node: "n", at: ["10s", "50s"], recoverAfter: "20s" }, 0, rng(), 60 * S).map((x) => [x.at / S, x.operation.op])).toEqual([
      [10, "fail-node"],
      [30, "recover-node"],
      [50, "fail-node"],
    ])
    const poisson = expandChurn({ type: "node-failure", node: "n", rate: 0.05, recoverAfter: "10s" }, 0, rng(), 1000 * S)
    // Failures and recoveries alternate: a node never fails twice without recovering.
    poisson.forEach((x, i) => expect(x.operation.op).toBe(i % 2 === 0 ? "fail-node" : "recover-node"))
    const flap = expandChurn({ type: "readiness-flap", selector: { app: "web" }, period: "10s", down: "2s" }, 0, rng(), 25 * S)
    expect(flap.map((x) => [x.at / S, x.operation.op === "set-readiness" && x.operation.ready])).toEqual([
      [10, false],
      [12, true],
      [20, false],
      [22, true],
    ])
  })
})
