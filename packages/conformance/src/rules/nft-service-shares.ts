import { net } from "@kubesim/core"
import type { TopologySpec } from "../topology/topology-spec"
import type { ServiceShares } from "./service-shares"

const TWO32 = 2 ** 32

/**
 * A Service's shares from kubesim's nftables, as the kernel runs them for a new connection without affinity: the
 * `service-ips` map sends `<clusterIP> . tcp . <port>` to the service chain; its `numgen random mod N vmap`
 * sends index k to an endpoint chain for ceil((k+1)·2^32/N) − ceil(k·2^32/N) of the 2^32 draws
 * (nft_numgen.c: reciprocal_scale(get_random_u32(), N)); each endpoint chain's dnat names the pod.
 */
export const nftServiceShares = (rs: net.NftRuleset, clusterIp: string, port: number, topology: TopologySpec): ServiceShares => {
  const t = rs.table("kube-proxy")
  if (t === undefined) throw new Error("kubesim's nftables have no kube-proxy table")
  const map = t.sets.get("service-ips")
  const ip = net.parseIpv4(clusterIp)
  const elem = [...(map?.elements.values() ?? [])].find((e) => e.key[0]?.value === ip && e.key[1]?.value === 6 && e.key[2]?.value === port)
  if (elem?.verdict === undefined || elem.verdict === null || elem.verdict.kind !== "goto") throw new Error(`kubesim's service-ips has no goto for ${clusterIp} . tcp . ${port}`)
  const svcChain = elem.verdict.chain
  const pods: string[] = []
  const shares: number[] = []
  for (const r of t.chains.get(svcChain)?.rules ?? []) {
    for (const st of r.statements) {
      if (st.kind !== "vmap" || st.map.kind !== "anon" || st.lhs[0]?.kind !== "numgen") continue
      const n = st.lhs[0].mod
      for (const e of st.map.set.elements.values()) {
        const k = e.key[0]?.value ?? 0
        if (e.verdict === null || (e.verdict.kind !== "goto" && e.verdict.kind !== "jump")) continue
        const target = e.verdict.chain
        const dnat = t.chains.get(target)?.rules.flatMap((x) => x.statements).find((x) => x.kind === "nat" && x.nat === "dnat")
        if (dnat === undefined || dnat.kind !== "nat") throw new Error(`kubesim's ${target} has no dnat`)
        const pod = topology.pods.find((p) => p.ip === net.formatIpv4(dnat.addr))
        if (pod === undefined) throw new Error(`kubesim's ${target} DNATs to ${net.formatIpv4(dnat.addr)}, which is no pod of the topology`)
        pods.push(pod.name)
        shares.push((Math.ceil(((k + 1) * TWO32) / n) - Math.ceil((k * TWO32) / n)) / TWO32)
      }
    }
  }
  if (pods.length === 0) throw new Error(`kubesim's ${svcChain} has no numgen vmap to endpoint chains`)
  return { svcChain, pods, shares }
}
