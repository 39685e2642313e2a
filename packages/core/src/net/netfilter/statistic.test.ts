import { describe, expect, it } from "vitest"
import { makeRng } from "../../sim/index"
import {
  type EvalContext,
  PROTO_TCP,
  RecentTables,
  Ruleset,
  applyRestore,
  evaluateHook,
  formatFixed,
  formatThreshold,
  kubeProxyProbability,
  packetMeta,
  probabilityThreshold,
  thresholdProbability,
} from "./index"

describe("statistic probabilities as the kernel stores them", () => {
  it("matches the values iptables-save prints", () => {
    const cases: [string, number, string][] = [
      ["0.5000000000", 1073741824, "0.50000000000"],
      ["0.3333333333", 715827883, "0.33333333349"],
      ["0.2000000000", 429496730, "0.20000000019"],
      ["0.1666666667", 357913941, "0.16666666651"],
      ["0.1428571429", 306783378, "0.14285714272"],
      ["1.0000000000", 2147483648, "1.00000000000"],
    ]
    for (const [written, stored, printed] of cases) {
      expect(probabilityThreshold(Number(written))).toBe(stored)
      expect(formatThreshold(stored)).toBe(printed)
    }
    // An exact tie at the 11th decimal rounds to even like glibc's printf (toFixed would round up).
    expect(formatThreshold(2 ** 19)).toBe("0.00024414062")
  })

  // Wilson–Hilferty approximation of the chi-square quantile.
  const chiSquareQuantile = (df: number, z: number): number => df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3

  for (const n of [2, 3, 5, 7]) {
    it(`a kube-proxy chain of ${n} endpoints selects each with probability 1/${n} up to the 31-bit rounding`, () => {
      // Analytically: endpoint i is chosen with t_i/2^31 · Π_{j<i} (1 − t_j/2^31).
      const thresholds = Array.from({ length: n - 1 }, (_, i) => probabilityThreshold(Number(kubeProxyProbability(n - i))))
      const analytic: number[] = []
      let rest = 1
      for (const t of thresholds) {
        analytic.push(rest * thresholdProbability(t))
        rest *= 1 - thresholdProbability(t)
      }
      analytic.push(rest)
      for (const p of analytic) expect(Math.abs(p - 1 / n)).toBeLessThan(n * 2 ** -31)
      expect(analytic.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)

      // By sampling through the evaluator.
      const rules = Array.from({ length: n }, (_, i) =>
        i < n - 1
          ? `-A SVC -m statistic --mode random --probability ${kubeProxyProbability(n - i)} -j SEP${i}`
          : `-A SVC -j SEP${i}`,
      )
      const seps = Array.from({ length: n }, (_, i) => `:SEP${i} - [0:0]\n-A SEP${i} -p tcp -m tcp -j DNAT --to-destination 10.0.0.${i + 1}:80`)
      const rs = new Ruleset()
      applyRestore(rs, `*nat\n:SVC - [0:0]\n${seps.join("\n")}\n-A PREROUTING -j SVC\n${rules.join("\n")}\nCOMMIT\n`, { noflush: true })
      const ctx: EvalContext = { now: 0, rng: makeRng(42, `stat-${n}`), isLocal: () => false, recent: new RecentTables() }
      const samples = 20_000
      const counts = new Array<number>(n).fill(0)
      for (let k = 0; k < samples; k++) {
        const v = evaluateHook(rs, "nat", "PREROUTING", packetMeta({ proto: PROTO_TCP, dport: 80 }), ctx)
        const ip = v.nat?.toIp ?? 0
        counts[(ip & 255) - 1] = (counts[(ip & 255) - 1] ?? 0) + 1
      }
      const chi2 = counts.reduce((s, c, i) => s + (c - samples * (analytic[i] as number)) ** 2 / (samples * (analytic[i] as number)), 0)
      expect(chi2).toBeLessThan(chiSquareQuantile(n - 1, 3.09)) // 0.999 quantile
      // Counters: the SVC chain's statistic rules count exactly the packets that matched them.
      const svc = rs.chain("nat", "SVC")
      expect(svc?.rules.map((r) => r.counters.packets)).toEqual(counts)
    })
  }
})

describe("kubeProxyProbability (proxier.go computeProbability, Go %0.10f)", () => {
  // proxier_test.go TestComputeProbability
  it.each([
    [1, "1.0000000000"],
    [2, "0.5000000000"],
    [10, "0.1000000000"],
    [100, "0.0100000000"],
    [1000, "0.0010000000"],
    [10000, "0.0001000000"],
    [100000, "0.0000100000"],
    [100001, "0.0000099999"],
    [3, "0.3333333333"],
    [6, "0.1666666667"],
  ])("1/%i → %s", (n, want) => expect(kubeProxyProbability(n)).toBe(want))

  it("rounds exact ties half to even, as Go does (toFixed would round 1/2048 up)", () => {
    expect(kubeProxyProbability(2048)).toBe("0.0004882812")
    expect((1 / 2048).toFixed(10)).toBe("0.0004882813")
    expect(formatFixed(0.00000000005, 10)).toBe("0.0000000001") // not an exact tie in binary: above half
    expect(formatFixed(2.5, 1)).toBe("2.5")
    expect(formatFixed(0.125, 2)).toBe("0.12") // exact tie → even
    expect(formatFixed(0.375, 2)).toBe("0.38")
    expect(formatFixed(12345678, 3)).toBe("12345678.000")
  })

  it("agrees with toFixed everywhere else up to 1/5000", () => {
    for (let n = 1; n <= 5000; n++) if (n !== 2048) expect(kubeProxyProbability(n)).toBe((1 / n).toFixed(10))
  })

  it("rejects what printf could not print", () => {
    expect(() => formatFixed(-1, 10)).toThrow(/finite non-negative/)
    expect(() => formatFixed(Number.NaN, 10)).toThrow(/finite non-negative/)
    expect(() => formatFixed(1, 0)).toThrow(/digits/)
  })
})
