import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { affinityCase } from "../src/cases/affinity-case"
import type { CaseResult } from "../src/cases/case-result"
import { ConformanceRun } from "../src/cases/conformance-run"
import { conntrackCase } from "../src/cases/conntrack-case"
import { nftRestoreCase } from "../src/cases/nft-restore-case"
import { nodePortCase } from "../src/cases/node-port-case"
import { noEndpointsCase } from "../src/cases/no-endpoints-case"
import { spreadCase } from "../src/cases/spread-case"
import { conformanceCluster } from "../src/cluster/conformance-cluster"
import { STANDARD_SERVICES, STANDARD_TOPOLOGY, standardCluster } from "../src/cluster/standard-cluster"
import { probeNftSupport } from "../src/kernel/nft-support"
import { kubesimNftRuleSource } from "../src/kubesim/proxier-rule-source"
import { renderVerdictTable } from "../src/report/verdict-table"
import { decideSkip, skipReason } from "./kernel-gate"

// The kernel gate, then nft itself (the nftables package); required where the iptables suite is.
const reason = skipReason() ?? (() => {
  const nft = probeNftSupport()
  return nft === null ? null : decideSkip({ ok: false, reason: nft }, process.env)
})()
if (reason !== null) console.warn(`nftables kernel conformance SKIPPED: ${reason}`)
const SEED = 20260127

describe.skipIf(reason !== null)("kubesim's kube-proxy nftables rules against the Linux kernel", () => {
  let run: ConformanceRun
  const results: Array<CaseResult> = []
  const check = (r: CaseResult) => {
    results.push(r)
    expect(r.problems, `${r.row.case}: ${r.problems.join("; ")}`).toEqual([])
  }

  beforeAll(async () => {
    run = await ConformanceRun.start(standardCluster(), kubesimNftRuleSource, SEED)
  })
  afterAll(() => {
    run?.teardown()
    console.log(`\n${renderVerdictTable(results.map((r) => r.row))}\n`)
  })

  it("kubesim's transactions load with nft -f, and the kernel lists kubesim's listing back byte for byte", () => {
    for (const node of STANDARD_TOPOLOGY.nodes) check(nftRestoreCase(run, node.name))
  })
  it.each([2, 3, 5])("ClusterIP with %i endpoints: kernel counts fit kubesim's numgen shares", async (n) => {
    check(await spreadCase(run, `spread-${n}`, 300))
  })
  it("sessionAffinity ClientIP pins each client (affinity sets with timeouts), and pins expire", async () => {
    check(await affinityCase(run, "sticky", 3))
  })
  it("a Service without endpoints is rejected", async () => {
    check(await noEndpointsCase(run, "empty", 10))
  })
  it("NodePort externalTrafficPolicy Cluster", async () => {
    check(await nodePortCase(run, "np-cluster", "node-1", 200))
  })
  it("NodePort externalTrafficPolicy Local, via each node", async () => {
    check(await nodePortCase(run, "np-local", "node-1", 60))
    check(await nodePortCase(run, "np-local", "node-2", 60))
  })
  it("NodePort externalTrafficPolicy Local via a node without a local endpoint drops", async () => {
    check(await nodePortCase(run, "np-local-far", "node-1", 3))
  })
  it("an open connection keeps its endpoint after the rules change", async () => {
    const rebuild = (endpoints: ReadonlyArray<string>) =>
      conformanceCluster(STANDARD_TOPOLOGY, "10.244.0.0/16", STANDARD_SERVICES.map((s) => (s.name === "held" ? { ...s, endpoints } : s)))
    check(await conntrackCase(run, "held", rebuild, 30))
  })
})
