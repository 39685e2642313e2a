import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { affinityCase } from "../src/cases/affinity-case"
import type { CaseResult } from "../src/cases/case-result"
import { ConformanceRun } from "../src/cases/conformance-run"
import { conntrackCase } from "../src/cases/conntrack-case"
import { conntrackSysctlsCase } from "../src/cases/conntrack-sysctls-case"
import { nodePortCase } from "../src/cases/node-port-case"
import { noEndpointsCase } from "../src/cases/no-endpoints-case"
import { restoreCase } from "../src/cases/restore-case"
import { spreadCase } from "../src/cases/spread-case"
import { udpCleanupCase } from "../src/cases/udp-cleanup-case"
import { conformanceCluster } from "../src/cluster/conformance-cluster"
import { STANDARD_SERVICES, STANDARD_TOPOLOGY, standardCluster } from "../src/cluster/standard-cluster"
import { kubesimRuleSource } from "../src/kubesim/proxier-rule-source"
import { renderVerdictTable } from "../src/report/verdict-table"
import { skipReason, toolSkipReason } from "./kernel-gate"

const reason = skipReason()
const noConntrackTool = reason === null ? toolSkipReason("conntrack") : null
// kubesim's seed: its draws are fixed, so its counts are the same on every run (the kernel's are not).
const SEED = 20260127

describe.skipIf(reason !== null)("kubesim's kube-proxy rules against the Linux kernel", () => {
  let run: ConformanceRun
  const results: Array<CaseResult> = []
  const check = (r: CaseResult) => {
    results.push(r)
    expect(r.problems, `${r.row.case}: ${r.problems.join("; ")}`).toEqual([])
  }

  beforeAll(async () => {
    run = await ConformanceRun.start(standardCluster(), kubesimRuleSource, SEED)
  })
  afterAll(() => {
    run?.teardown()
    // The table, printed whatever happened (vitest shows console output with the test's result).
    console.log(`\n${renderVerdictTable(results.map((r) => r.row))}\n`)
  })

  it("kubesim's rules load with iptables-restore", () => {
    for (const node of STANDARD_TOPOLOGY.nodes) check(restoreCase(run, node.name))
  })
  it.each([2, 3, 5])("ClusterIP with %i endpoints: kernel counts fit kubesim's shares", async (n) => {
    check(await spreadCase(run, `spread-${n}`, 300))
  })
  it("sessionAffinity ClientIP pins each client, and pins expire", async () => {
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
      conformanceCluster(
        STANDARD_TOPOLOGY,
        "10.244.0.0/16",
        STANDARD_SERVICES.map((s) => (s.name === "held" ? { ...s, endpoints } : s)),
      )
    check(await conntrackCase(run, "held", rebuild, 30))
  })
  it.skipIf(noConntrackTool !== null)("a UDP flow keeps its endpoint across the restore and moves after kube-proxy's conntrack cleanup", async () => {
    const rebuild = (endpoints: ReadonlyArray<string>) =>
      conformanceCluster(
        STANDARD_TOPOLOGY,
        "10.244.0.0/16",
        STANDARD_SERVICES.map((s) => (s.name === "udp-held" ? { ...s, endpoints } : s)),
      )
    check(await udpCleanupCase(run, "udp-held", rebuild))
  })
  it.skipIf(noConntrackTool !== null)("kube-proxy's conntrack sysctls: kubesim's defaults and raises match the kernel's", async () => {
    check(await conntrackSysctlsCase(run, "node-1", "spread-2"))
  })
  if (noConntrackTool !== null) it(`UDP conntrack cleanup and conntrack sysctls SKIPPED: ${noConntrackTool}`, () => {})
})
