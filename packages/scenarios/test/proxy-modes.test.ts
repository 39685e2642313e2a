import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { records } from "@kubesim/core"
import { describe, expect, test } from "vitest"
import { LIBRARY_DIR, loadBuiltinScenario, runScenario } from "../src/index"
import { runBuiltin } from "./library-support"

const SEEDS = [1, 2, 3]
const run = (variant: "default" | "nftables" | "ipvs", seed: number) =>
  variant === "default" ? runBuiltin("proxy-modes", seed) : runScenario(loadBuiltinScenario("proxy-modes"), { seed, variant })

const requests = (r: ReturnType<typeof run>) => r.records.filter((x): x is records.RequestRecord => x.kind === "request")

/** Upper tail of chi-square with 2 degrees of freedom (3 pods): exp(−x/2). */
const uniformP = (counts: ReadonlyArray<number>): number => {
  const n = counts.reduce((s, c) => s + c, 0)
  const e = n / counts.length
  return Math.exp(-counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0) / 2)
}

/**
 * Network programming latency (network_programming_duration_seconds' idea): from a new web pod's `ready` (the
 * EndpointSlice change that follows it) to the first `rules` record on each node whose default/web shares include
 * the pod's endpoint, i.e. when that node's new rules landed. Records list only ports whose shares changed, so
 * each node's shares are carried forward.
 */
const programmingLatencies = (r: ReturnType<typeof run>): number[] => {
  const endpointOf = new Map<string, string>()
  for (const x of requests(r)) if (x.pod !== null && x.endpoint !== null) endpointOf.set(x.pod, x.endpoint)
  const ready = r.records.filter((x): x is records.ActionRecord => x.kind === "action" && x.verb === "ready" && x.object.startsWith("Pod default/web-"))
  const rules = r.records.filter((x): x is records.RulesRecord => x.kind === "rules")
  const out: number[] = []
  for (const a of ready) {
    const ep = endpointOf.get(a.object.slice("Pod default/".length))
    if (ep === undefined) continue
    const seen = new Map<string, number>()
    const current = new Map<string, Readonly<Record<string, number>>>()
    for (const x of rules) {
      const web = x.shares["default/web"]
      if (web !== undefined) current.set(x.node, web)
      if (x.t >= a.t && !seen.has(x.node) && current.get(x.node)?.[ep] !== undefined) seen.set(x.node, x.t - a.t)
    }
    out.push(...seen.values())
  }
  return out.sort((p, q) => p - q)
}

describe("proxy-modes: iptables, nftables and IPVS over seeds 1–3", () => {
  const runs = SEEDS.map((seed) => ({ seed, ipt: run("default", seed), nft: run("nftables", seed), ipvs: run("ipvs", seed) }))

  test("each variant's kube-proxy writes its own mode; nftables rules records give 1/N to within 2^-31", () => {
    for (const { ipt, nft } of runs) {
      const modes = (r: ReturnType<typeof run>) => new Set(r.records.filter((x): x is records.RulesRecord => x.kind === "rules").map((x) => x.mode))
      expect([...modes(ipt)]).toEqual(["iptables"])
      expect([...modes(nft)]).toEqual(["nftables"])
      // A rules record lists the ports whose shares changed since the node's previous one: take the last that lists web.
      const last = nft.records.filter((x): x is records.RulesRecord => x.kind === "rules" && x.shares["default/web"] !== undefined).at(-1)
      const web = Object.values(last?.shares["default/web"] ?? {})
      expect(web.length).toBe(3)
      for (const s of web) expect(Math.abs(s - 1 / 3)).toBeLessThan(2 ** -31)
    }
  })

  test("the nftables and IPVS variants are deterministic too (byte-identical records and trace hash)", () => {
    const again = run("nftables", 1)
    expect(again.traceHash).toBe(runs[0]!.nft.traceHash)
    expect([...again.recordsChunks].join("")).toBe([...runs[0]!.nft.recordsChunks].join(""))
    const ipvs = run("ipvs", 1)
    expect(ipvs.traceHash).toBe(runs[0]!.ipvs.traceHash)
    expect([...ipvs.recordsChunks].join("")).toBe([...runs[0]!.ipvs.recordsChunks].join(""))
  })

  test("IPVS: rules records say ipvs with exactly 1/3 per web endpoint; rr spreads the one client's steady requests exactly", () => {
    for (const { ipvs } of runs) {
      const rules = ipvs.records.filter((x): x is records.RulesRecord => x.kind === "rules")
      expect(new Set(rules.map((x) => x.mode))).toEqual(new Set(["ipvs"]))
      const last = rules.filter((x) => x.shares["default/web"] !== undefined).at(-1)
      expect(Object.values(last?.shares["default/web"] ?? {})).toEqual([1 / 3, 1 / 3, 1 / 3])
      // One client pod on one node: its node's rr virtual server cycles through the three pods.
      const steady = requests(ipvs).filter((x) => x.phase === "steady" && x.service === "default/web" && x.pod !== null)
      const perPod = new Map<string, number>()
      for (const x of steady) perPod.set(x.pod as string, (perPod.get(x.pod as string) ?? 0) + 1)
      expect(perPod.size).toBe(3)
      expect(Math.max(...perPod.values()) - Math.min(...perPod.values())).toBeLessThanOrEqual(1)
    }
  })

  test("network programming latency: every web pod is in every node's rules within 2 s, the modes within 1 ms of each other", () => {
    for (const { ipt, nft, ipvs } of runs) {
      const [a, b, c] = [ipt, nft, ipvs].map(programmingLatencies)
      for (const l of [a, b, c]) {
        // The first three web pods and the rollout's three, on each of the three nodes.
        expect(l?.length).toBe(18)
        expect(l?.at(-1)).toBeLessThan(2e9)
      }
      // Dominated by the watch delay, the EndpointSlice controller and the runner; the sync durations differ by µs.
      for (let i = 0; i < 18; i++) {
        expect(Math.abs(a![i]! - c![i]!)).toBeLessThan(1e6)
        expect(Math.abs(b![i]! - c![i]!)).toBeLessThan(1e6)
      }
    }
  })

  test("the IPVS variant's golden summary", () => {
    const golden = join(LIBRARY_DIR, "proxy-modes", "summary.ipvs.seed-1.md")
    const summary = runs[0]!.ipvs.summary
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, summary)
    expect(summary).toBe(readFileSync(golden, "utf8"))
  })

  test("common random numbers: both variants issue the same requests at the same times", () => {
    for (const { ipt, nft, ipvs } of runs) {
      const key = (r: ReturnType<typeof run>) => requests(r).map((x) => `${x.client}@${x.t}`).sort().join(",")
      expect(key(nft)).toBe(key(ipt))
      expect(key(ipvs)).toBe(key(ipt))
    }
  })

  test("steady phase: web spreads evenly over the three pods in every mode", () => {
    for (const { ipt, nft, ipvs } of runs) {
      for (const r of [ipt, nft, ipvs]) {
        const perPod = new Map<string, number>()
        for (const x of requests(r)) if (x.phase === "steady" && x.service === "default/web" && x.pod !== null) perPod.set(x.pod, (perPod.get(x.pod) ?? 0) + 1)
        expect(perPod.size).toBe(3)
        expect(uniformP([...perPod.values()])).toBeGreaterThan(1e-4)
      }
    }
  })

  test("steady phase: the ClientIP Service keeps its one client on one pod in every mode", () => {
    for (const { ipt, nft, ipvs } of runs) {
      for (const r of [ipt, nft, ipvs]) {
        const pods = new Set(requests(r).filter((x) => x.phase === "steady" && x.service === "default/web-sticky").map((x) => x.pod))
        expect(pods.size).toBe(1)
      }
    }
  })

  test("the nftables variant's golden summary (the default's is checked by library.test.ts)", () => {
    const golden = join(LIBRARY_DIR, "proxy-modes", "summary.nftables.seed-1.md")
    const summary = runs[0]!.nft.summary
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, summary)
    expect(summary).toBe(readFileSync(golden, "utf8"))
  })

  test("failures happen only during the rollout, in every mode", () => {
    for (const { ipt, nft, ipvs } of runs) {
      for (const r of [ipt, nft, ipvs]) for (const x of requests(r)) if (x.outcome === "failed") expect(x.phase).toBe("rollout")
    }
  })
})
