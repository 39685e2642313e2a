import type { RequestOutcome } from "../traffic/request-outcome"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, type ConformanceRun } from "./conformance-run"

const summary = (out: ReadonlyArray<RequestOutcome>): Map<string, number> => {
  const codes = new Map<string, number>()
  for (const o of out) {
    const code = "pod" in o ? `served by ${o.pod}` : o.error
    codes.set(code, (codes.get(code) ?? 0) + 1)
  }
  return codes
}

/**
 * A Service without endpoints: kube-proxy REJECTs its ClusterIP in filter KUBE-SERVICES with the default
 * icmp-port-unreachable (proxier.go, "has no endpoints"), which a Linux TCP client sees as ECONNREFUSED — in
 * the kernel and in kubesim alike. The time to the error is shown, not judged: the kernel rate-limits the
 * ICMP errors REJECT sends (net.ipv4.icmp_ratelimit, 1 s per destination after a burst), so some SYNs are only
 * refused on their retransmission; kubesim has no ICMP rate limit (core/net README, Simplifications).
 */
export const noEndpointsCase = async (run: ConformanceRun, service: string, requests: number): Promise<CaseResult> => {
  run.ready()
  const rules = run.initialRules.get("node-1")!
  const ip = clusterIpOf(run.state, service)
  const problems: Array<string> = []
  if (rules.nft !== undefined) {
    // nftables mode: the ClusterIP's element in no-endpoint-services goes to reject-chain (proxier.go).
    const element = rules.nft.split("\n").find((l) => l.startsWith(`add element ip kube-proxy no-endpoint-services { ${ip} . tcp . 80 `))
    if (element === undefined || !element.endsWith(": goto reject-chain }")) problems.push(`kubesim wrote no reject-chain element for ${ip}`)
  } else {
    const reject = rules.payload.split("\n").find((l) => l.includes("has no endpoints") && l.includes(` -d ${ip} `))
    if (reject === undefined || !reject.endsWith("-j REJECT")) problems.push(`kubesim wrote no REJECT rule for ${ip}`)
  }
  const [kernel, kubesim] = await run.onBoth(async (plane) => {
    const out = await plane.requests("busybox", { host: ip, port: 80 }, [null], requests)
    const codes = summary(out)
    const times = out.map((o) => o.ms ?? 0).sort((a, b) => a - b)
    const median = times[Math.floor(times.length / 2)] ?? 0
    const text = `${[...codes].map(([c, n]) => `${c}×${n}`).join(" ")} (median ${median < 1 ? median.toFixed(2) : median.toFixed(0)} ms)`
    if (codes.get("ECONNREFUSED") !== requests) problems.push(`${plane.label}: expected ECONNREFUSED for all ${requests}, got ${text}`)
    return text
  })
  return caseResult({ case: "no endpoints", kernel, kubesim, pValue: null }, problems)
}
