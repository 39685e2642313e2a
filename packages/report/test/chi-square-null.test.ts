import { expect, test } from "vitest"
import { runs } from "../../../test-support/runs"
import { chiSquareTest } from "../src/index"
import { Prng } from "./support/prng"

// Under the null hypothesis p-values are Uniform(0,1). Draw multinomial samples from the expected shares, test
// each, and bound the Kolmogorov–Smirnov distance of the p-values from the uniform CDF by the α = 0.001
// critical value 1.95/√m. A p-value computed as F instead of 1−F, or with the wrong df, fails this.
test("chi-square p-values are uniform under the null (Kolmogorov–Smirnov)", () => {
  const m = runs(400)
  const rng = new Prng(20240611)
  const shares = [0.1, 0.2, 0.3, 0.15, 0.25]
  const n = 400
  const pValues: number[] = []
  for (let s = 0; s < m; s++) {
    const observed = shares.map(() => 0)
    for (let i = 0; i < n; i++) observed[rng.pick(shares)]!++
    pValues.push(chiSquareTest(observed, shares.map((p) => p * n)).pValue!)
  }
  pValues.sort((a, b) => a - b)
  let d = 0
  pValues.forEach((p, i) => {
    d = Math.max(d, (i + 1) / m - p, p - i / m)
  })
  expect(d).toBeLessThan(1.95 / Math.sqrt(m))
})

test("chi-square p-values are small under a shifted alternative", () => {
  const rng = new Prng(7)
  const truth = [0.3, 0.2, 0.2, 0.15, 0.15]
  const claimed = [0.2, 0.2, 0.2, 0.2, 0.2]
  const n = 2000
  const observed = claimed.map(() => 0)
  for (let i = 0; i < n; i++) observed[rng.pick(truth)]!++
  expect(chiSquareTest(observed, claimed.map((p) => p * n)).pValue!).toBeLessThan(1e-6)
})
