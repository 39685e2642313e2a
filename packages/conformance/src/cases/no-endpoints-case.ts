import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, type ConformanceRun } from "./conformance-run"

/**
 * A Service without endpoints: kube-proxy REJECTs its ClusterIP in filter KUBE-SERVICES with the default
 * icmp-port-unreachable (proxier.go, "has no endpoints"), which a Linux TCP client sees as ECONNREFUSED.
 */
export const noEndpointsCase = async (run: ConformanceRun, service: string, requests: number): Promise<CaseResult> => {
  const payload = run.initialRules.get("node-1")!.payload
  const ip = clusterIpOf(run.state, service)
  const problems: Array<string> = []
  const reject = payload.split("\n").find((l) => l.includes("has no endpoints") && l.includes(` -d ${ip} `))
  if (reject === undefined || !reject.endsWith("-j REJECT")) problems.push(`kubesim wrote no REJECT rule for ${ip}`)
  const out = await run.kernel.client("busybox").requests({ host: ip, port: 80 }, [null], requests)
  const codes = new Map<string, number>()
  for (const o of out) {
    const code = "pod" in o ? `served by ${o.pod}` : o.error
    codes.set(code, (codes.get(code) ?? 0) + 1)
  }
  // The time to the error is reported, not judged: the kernel rate-limits the ICMP errors REJECT sends
  // (net.ipv4.icmp_ratelimit, 1 s per destination by default), so after a burst some SYNs are only refused
  // on their retransmission.
  const times = out.map((o) => o.ms ?? 0).sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)] ?? 0
  const kernel = `${[...codes].map(([c, n]) => `${c}×${n}`).join(" ")} (median ${median.toFixed(0)} ms)`
  if (codes.get("ECONNREFUSED") !== requests) problems.push(`expected ECONNREFUSED for all ${requests}, got ${kernel}`)
  return caseResult({ case: "no endpoints", kernel, kubesim: `REJECT → ECONNREFUSED×${requests}`, pValue: null }, problems)
}
