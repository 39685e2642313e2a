import type { RequestOutcome } from "../traffic/request-outcome"
import type { TrafficPlane } from "../traffic/traffic-plane"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, type ConformanceRun } from "./conformance-run"

/** Each source's pod, or a problem if a source was served by two pods or failed. */
const pinsOf = (out: ReadonlyArray<RequestOutcome>, phase: string, problems: Array<string>): Map<string, string> => {
  const pins = new Map<string, string>()
  for (const o of out) {
    const src = o.source ?? "?"
    if (!("pod" in o)) {
      problems.push(`${phase}: ${src} failed with ${o.error}`)
      continue
    }
    const pin = pins.get(src)
    if (pin === undefined) pins.set(src, o.pod)
    else if (pin !== o.pod) problems.push(`${phase}: ${src} went to ${pin} and to ${o.pod}`)
  }
  return pins
}

/**
 * sessionAffinity ClientIP with a short timeoutSeconds, from many external source IPs, in the kernel and in
 * kubesim: within the timeout every source stays on one pod (also across an idle gap shorter than it); after
 * an idle gap longer than the timeout the pins are gone and sources are spread afresh — with 12 sources over
 * 3 pods, all 12 landing on their old pod again has probability 3^-12. kube-proxy: the `recent` rules of
 * proxier.go writeServiceToEndpointRules; xt_recent `--rcheck --seconds` (net/netfilter/xt_recent.c).
 */
export const affinityCase = async (run: ConformanceRun, service: string, rounds: number): Promise<CaseResult> => {
  run.ready()
  const svc = run.state.services.find((s) => s.metadata.name === service)
  const timeout = svc?.spec.sessionAffinityConfig?.clientIP.timeoutSeconds
  if (timeout === undefined) throw new Error(`affinityCase: service "${service}" has no ClientIP timeoutSeconds`)
  const client = run.state.topology.clients.find((c) => c.kind === "external")
  if (client === undefined || client.kind !== "external") throw new Error("affinityCase: needs an external client")
  const target = { host: clusterIpOf(run.state, service), port: 80 }
  const n = client.ips.length * rounds
  const problems: Array<string> = []
  const leg = async (plane: TrafficPlane): Promise<string> => {
    const at = (phase: string) => `${plane.label} ${phase}`
    const first = pinsOf(await plane.requests(client.name, target, client.ips, n), at("first"), problems)
    await plane.idle(timeout * 500)
    const held = pinsOf(await plane.requests(client.name, target, client.ips, n), at(`after ${timeout / 2}s idle`), problems)
    for (const [src, pod] of held) {
      if (first.get(src) !== pod) problems.push(`${plane.label}: ${src} moved from ${first.get(src)} to ${pod} within the timeout`)
    }
    await plane.idle(timeout * 1000 + 1500)
    const later = pinsOf(await plane.requests(client.name, target, client.ips, n), at(`after ${timeout + 1.5}s idle`), problems)
    const moved = [...later].filter(([src, pod]) => first.get(src) !== pod).length
    if (moved === 0) problems.push(`${plane.label}: no source changed pod after the ${timeout}s timeout: pins did not expire`)
    const pods = new Set(first.values()).size
    return `pinned ${first.size}/${client.ips.length} on ${pods} pods, held; ${moved} moved after expiry`
  }
  const [kernel, kubesim] = await run.onBoth(leg)
  return caseResult({ case: `ClientIP affinity ${timeout}s (${client.ips.length} clients)`, kernel, kubesim, pValue: null }, problems)
}
