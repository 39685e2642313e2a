import { net } from "@kubesim/core"
import type { TopologySpec } from "../topology/topology-spec"

/** The share of new connections each pod gets from a Service's KUBE-SVC chain, as kubesim's rules give it. */
export interface ServiceShares {
  readonly svcChain: string
  readonly pods: ReadonlyArray<string>
  readonly shares: ReadonlyArray<number>
}

const KUBE_SERVICES = "KUBE-SERVICES"

/**
 * Walks a node's nat table in kubesim's Ruleset the way the kernel walks it for a new connection without
 * affinity: KUBE-SERVICES' rule commented `<spn> cluster IP` names the KUBE-SVC chain; its KUBE-SEP jumps are
 * tried in order, each taken with its `statistic` probability — exactly threshold / 2^31, as xt_statistic.c
 * statistic_mt matches (kubesim's net.thresholdProbability) — or 1 without one; `recent --rcheck` rules (a
 * fresh client has no entry) and the KUBE-MARK-MASQ jump (it returns) do not end the walk. Each SEP chain's
 * DNAT names the pod. `spn` is the ServicePortName, e.g. "conformance/spread-3:http". Throws naming what is
 * missing.
 */
export const serviceShares = (ruleset: net.Ruleset, spn: string, topology: TopologySpec): ServiceShares => {
  const comment = (r: net.Rule): string | undefined => {
    for (const m of r.matches) if (m.kind === "comment") return m.comment
    return undefined
  }
  const entry = ruleset
    .chain("nat", KUBE_SERVICES)
    ?.rules.find((r) => comment(r) === `${spn} cluster IP` && r.target.kind === "chain" && r.target.chain.startsWith("KUBE-SVC-"))
  if (entry === undefined || entry.target.kind !== "chain") {
    throw new Error(`kubesim's nat table has no KUBE-SERVICES rule to a KUBE-SVC chain for "${spn}"`)
  }
  const svcChain = entry.target.chain
  const chain = ruleset.chain("nat", svcChain)
  if (chain === undefined) throw new Error(`kubesim's nat table has no chain ${svcChain} (${spn})`)
  const pods: Array<string> = []
  const shares: Array<number> = []
  let remaining = 1
  for (const r of chain.rules) {
    if (r.target.kind !== "chain" || !r.target.chain.startsWith("KUBE-SEP-")) continue
    if (r.matches.some((m) => m.kind === "recent")) continue
    let p = 1
    for (const m of r.matches) {
      if (m.kind === "statistic" && m.mode === "random") {
        const q = net.thresholdProbability(m.probability)
        p *= m.invert ? 1 - q : q
      }
    }
    const taken = remaining * p
    remaining -= taken
    const sep = r.target.chain
    const dnat = ruleset.chain("nat", sep)?.rules.find((x) => x.target.kind === "DNAT")
    const ip = dnat?.target.kind === "DNAT" && dnat.target.to.ip !== null ? net.formatIpv4(dnat.target.to.ip) : undefined
    if (ip === undefined) throw new Error(`kubesim's ${sep} (from ${svcChain}) has no DNAT to an address`)
    const pod = topology.pods.find((x) => x.ip === ip)
    if (pod === undefined) throw new Error(`kubesim's ${sep} DNATs to ${ip}, which is no pod of the topology`)
    pods.push(pod.name)
    shares.push(taken)
  }
  if (pods.length === 0) throw new Error(`kubesim's ${svcChain} (${spn}) jumps to no KUBE-SEP chain`)
  // kube-proxy's last endpoint rule has no statistic match (proxier.go writeServiceToEndpointRules), so
  // nothing should fall through the chain un-DNATed.
  if (remaining > 1e-12) throw new Error(`kubesim's ${svcChain} lets ${remaining} of new connections fall through`)
  return { svcChain, pods, shares }
}
