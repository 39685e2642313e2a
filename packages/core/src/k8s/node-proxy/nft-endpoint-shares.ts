import { formatIpv4, type NftChain, type NftRuleset, type NftTable } from "../../net/index"
import { nftChainsFor, type ServicePortMap } from "../proxy/index"
import { servicePortText } from "./endpoint-shares"

/**
 * Each endpoint's share of ClusterIP traffic from a node's nftables rules: the service chain's
 * `numgen random mod N vmap { k : goto endpoint-… }` picks index k for exactly the draws u with
 * floor(u·N / 2^32) = k (nft_numgen.c reciprocal_scale), i.e. ceil((k+1)·2^32/N) − ceil(k·2^32/N) of the 2^32
 * values: 1/N each to within 2^-32. Affinity lookups are skipped (a fresh client has no entry).
 */
export const nftEndpointShares = (rs: NftRuleset, services: ServicePortMap): Record<string, Record<string, number>> => {
  const out: Record<string, Record<string, number>> = {}
  const t = rs.table("kube-proxy")
  if (t === undefined) return out
  for (const key of [...services.keys()].sort()) {
    const svc = services.get(key)
    if (svc === undefined) continue
    const chain = t.chains.get(nftChainsFor(svc).cluster)
    if (chain === undefined) continue
    const shares = numgenShares(t, chain)
    if (shares.size === 0) continue
    const entry: Record<string, number> = {}
    for (const ep of [...shares.keys()].sort()) entry[ep] = shares.get(ep) as number
    out[servicePortText(svc.name.namespace, svc.name.name, svc.name.port)] = entry
  }
  return out
}

const TWO32 = 2 ** 32

const numgenShares = (t: NftTable, chain: NftChain): Map<string, number> => {
  const shares = new Map<string, number>()
  for (const r of chain.rules) {
    const st = r.statements.find((s) => s.kind === "vmap" && s.lhs.length === 1 && s.lhs[0]?.kind === "numgen")
    if (st === undefined || st.kind !== "vmap" || st.map.kind !== "anon") continue
    const ng = st.lhs[0]
    if (ng === undefined || ng.kind !== "numgen" || ng.mode !== "random") continue
    const n = ng.mod
    for (const e of st.map.set.elements.values()) {
      const k = (e.key[0]?.value ?? 0) - ng.offset
      if (k < 0 || k >= n || e.verdict === null || (e.verdict.kind !== "goto" && e.verdict.kind !== "jump")) continue
      const dest = dnatDestination(t.chains.get(e.verdict.chain))
      if (dest === undefined) continue
      const count = Math.ceil(((k + 1) * TWO32) / n) - Math.ceil((k * TWO32) / n)
      shares.set(dest, (shares.get(dest) ?? 0) + count / TWO32)
    }
    break
  }
  return shares
}

const dnatDestination = (c: NftChain | undefined): string | undefined => {
  for (const r of c?.rules ?? []) for (const st of r.statements) if (st.kind === "nat" && st.nat === "dnat") return `${formatIpv4(st.addr)}:${st.port ?? 0}`
  return undefined
}
