import { type cluster, formatDuration, type Nanos, NANOS_PER_SECOND, parseDuration, type records } from "@kubesim/core"
import { type Scenario, type ScenarioRunResult, runScenario, scenarioFromObject } from "../../../src/index"
import type { GeneratedCase } from "../arbitraries/cluster-plan"
import { scenarioOfPlan } from "../arbitraries/scenario-of-plan"
import { freshKubeProxyRules, lineDiff } from "./fresh-rules"
import { RunMonitor } from "./run-monitor"

const S = NANOS_PER_SECOND
/** After the run: at least this long (every request addressed by IP has met its timeouts)… */
const MIN_SETTLE: Nanos = 8 * S
/** …until no Service or EndpointSlice changed for the informer lag + minSyncPeriod + a restore, at most this long. */
const MAX_SETTLE: Nanos = 30 * S
/** A lookup's worst case: musl tries the search list's 3 domains and the name, 5 s each (resolv.conf timeout:5). */
const POD_DNS_BOUND: Nanos = 21 * S
/** glibc on an external host: no search list, 2 attempts of 5 s. */
const EXTERNAL_DNS_BOUND: Nanos = 11 * S

/** What one checked run found and how much it exercised. */
export interface CaseReport {
  readonly violations: ReadonlyArray<string>
  readonly result: ScenarioRunResult | undefined
  /** The monitor (its `restores` when asked to keep them) and the cluster as the run left it. */
  readonly monitor: RunMonitor | undefined
  readonly cluster: cluster.Cluster | undefined
  readonly checked: RunMonitor["checked"] & { readonly rulesCompared: number; readonly nodesUnsettled: number }
}

const isIpUrl = (url: string): boolean => /^https?:\/\/\d+\.\d+\.\d+\.\d+[:/]/.test(url)

/** Longest a client's request may take: its connect and response timeouts, plus a lookup when the URL holds a name. */
const requestBounds = (s: Scenario): ((client: string) => Nanos) => {
  const bounds = new Map<string, Nanos>()
  for (const c of s.clients ?? []) {
    const t = 2 * parseDuration(c.traffic.timeout ?? "900s") + S
    const dns = isIpUrl(c.traffic.url) ? 0 : c.external !== undefined ? EXTERNAL_DNS_BOUND : POD_DNS_BOUND
    bounds.set(c.name, t + dns)
  }
  return (client) => bounds.get(client) ?? bounds.get(client.replace(/-\d+$/, "")) ?? Infinity
}

/**
 * Runs one generated case with every invariant watched: no exception escapes; packet conservation; each restore
 * payload accepted by the kernel; DNS answers over the packet path equal the plugin's; Ready endpoints belong to
 * running Ready pods with that IP; no new connection goes to an address gone from every slice before the node's
 * rules last changed; every request ends with an outcome and a cause within its timeouts; and, once the API has
 * been quiet for the sync delays, every live node's rules equal what a freshly started kube-proxy writes.
 */
export const checkCase = (gc: GeneratedCase, options: { readonly tamper?: (c: cluster.Cluster) => void; readonly keepRestores?: boolean } = {}): CaseReport => {
  const scenario = scenarioOfPlan(gc.plan, gc.seed)
  const loaded = scenarioFromObject(scenario)
  let monitor: RunMonitor | undefined
  let live: cluster.Cluster | undefined
  let rulesCompared = 0
  let nodesUnsettled = 0
  const minSync = parseDuration(scenario.cluster?.delays?.["minSyncPeriod"] ?? "1s")
  const quietFor = 150_000_000 + minSync + 100_000_000
  const violations: string[] = []
  const compareRules = (c: cluster.Cluster): void => {
    const m = monitor as RunMonitor
    const end = c.sim.now
    c.runUntil(end + MIN_SETTLE)
    while (c.sim.now - m.lastRulesInput < quietFor && c.sim.now < end + MAX_SETTLE) c.runUntil(c.sim.now + S / 4)
    const settled = c.sim.now - m.lastRulesInput >= quietFor
    for (const n of c.nodes.values()) {
      if (n.failed) continue
      if (!settled) {
        nodesUnsettled++
        continue
      }
      rulesCompared++
      const want = freshKubeProxyRules(c, n)
      const got = c.iptablesSave(n.name)
      if (got !== want) {
        const d = lineDiff(got, want)
        violations.push(`${formatDuration(c.sim.now)}: ${n.name}'s rules differ from a fresh kube-proxy's for the same API state (last Service/EndpointSlice change at ${formatDuration(m.lastRulesInput)}):\n    ${d.length === 0 ? "(same lines, different order)" : d.join("\n    ")}`)
      }
    }
    m.checkSlicesNow()
  }
  let result: ScenarioRunResult | undefined
  try {
    result = runScenario(loaded, {
      seed: gc.seed,
      observe: {
        onCluster: (c) => {
          live = c
          monitor = new RunMonitor(c, { outsideClusterDomain: gc.plan.inputs.podUpstreamDns, keepRestores: options.keepRestores ?? false })
          // The harness's own tests plant defects here, to see the invariants catch them.
          options.tamper?.(c)
        },
        onStop: compareRules,
      },
    })
  } catch (e) {
    violations.push(`an exception escaped the simulation: ${e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? "").split("\n").slice(1, 6).join("\n")}` : String(e)}`)
  }
  const m = monitor
  if (m !== undefined && result !== undefined) {
    m.checkConservation()
    const recs = result.records
    const end = (recs[recs.length - 1] as records.RunEndRecord).t
    m.checkRequests(recs, end, requestBounds(scenario))
    m.checkRefusedRestores(recs)
    m.checkBackends(recs)
  }
  return {
    violations: [...(m?.violations ?? []), ...violations],
    result,
    monitor: m,
    cluster: live,
    checked: { ...(m?.checked ?? { packets: 0, dnsAnswers: 0, sliceWrites: 0, dnats: 0, restores: 0 }), rulesCompared, nodesUnsettled },
  }
}
