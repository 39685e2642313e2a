import type { TopologySpec } from "../topology/topology-spec"

/** The share of new connections each pod gets from a Service's KUBE-SVC chain, read from a restore payload. */
export interface ServiceShares {
  readonly svcChain: string
  readonly pods: ReadonlyArray<string>
  readonly shares: ReadonlyArray<number>
}

// libxt_statistic.c statistic_parse stores lround(0x80000000 * p); xt_statistic.c statistic_mt matches when
// (get_random_u32() & 0x7FFFFFFF) < that value, so the kernel's probability is that value / 2^31.
const kernelProbability = (p: number): number => Math.round(0x80000000 * p) / 0x80000000

/**
 * Walks the payload the way the kernel walks the chain for a new connection without affinity: KUBE-SERVICES'
 * rule for `<spn> cluster IP` names the KUBE-SVC chain; its `-j KUBE-SEP-…` rules are tried in order, each
 * taken with its `statistic` probability (1 without one); each SEP chain's DNAT names the pod's address.
 * `spn` is the ServicePortName, e.g. "conformance/spread-3:http". Throws naming what is missing.
 */
export const serviceShares = (payload: string, spn: string, topology: TopologySpec): ServiceShares => {
  const lines = payload.split("\n")
  const entry = lines.find((l) => l.startsWith("-A KUBE-SERVICES ") && l.includes(`--comment "${spn} cluster IP"`))
  const svcChain = entry === undefined ? undefined : /-j (KUBE-SVC-[A-Z0-9]+)$/.exec(entry)?.[1]
  if (svcChain === undefined) throw new Error(`payload has no KUBE-SERVICES rule to a KUBE-SVC chain for "${spn}"`)
  const pods: Array<string> = []
  const shares: Array<number> = []
  let remaining = 1
  for (const l of lines) {
    if (!l.startsWith(`-A ${svcChain} `) || l.includes("-m recent")) continue
    const sep = /-j (KUBE-SEP-[A-Z0-9]+)$/.exec(l)?.[1]
    if (sep === undefined) continue
    const p = /--probability ([0-9.]+)/.exec(l)?.[1]
    const taken = remaining * (p === undefined ? 1 : kernelProbability(Number(p)))
    remaining -= taken
    const dnat = lines.find((x) => x.startsWith(`-A ${sep} `) && x.includes("-j DNAT"))
    const ip = dnat === undefined ? undefined : /--to-destination ([0-9.]+):\d+/.exec(dnat)?.[1]
    if (ip === undefined) throw new Error(`payload: ${sep} (from ${svcChain}) has no DNAT --to-destination`)
    const pod = topology.pods.find((x) => x.ip === ip)
    if (pod === undefined) throw new Error(`payload: ${sep} DNATs to ${ip}, which is no pod of the topology`)
    pods.push(pod.name)
    shares.push(taken)
  }
  if (pods.length === 0) throw new Error(`payload: ${svcChain} (${spn}) jumps to no KUBE-SEP chain`)
  // kube-proxy's last endpoint rule has no statistic match (proxier.go writeServiceToEndpointRules), so
  // nothing should fall through the chain un-DNATed.
  if (remaining > 1e-12) throw new Error(`payload: ${svcChain} lets ${remaining} of new connections fall through`)
  return { svcChain, pods, shares }
}
