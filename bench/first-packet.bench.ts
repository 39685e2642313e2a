/**
 * The first packet's cost per kube-proxy mode at 5,000, 10,000 and 30,000 Services (the shape of the kubernetes.io blog
 * 2025-02-28 "NFTables mode for kube-proxy" figure): each mode's rules for one node, then a new connection to
 * each of 1,000 Services picked at random, judged by kubesim's evaluators; the cost is rules evaluated ×
 * `costPerRule` (20 ns, the Network default), reported as p50/p99 in simulated nanoseconds.
 */
import { IptablesProxier } from "../packages/core/src/k8s/proxy/iptables/iptables-proxier"
import { NftablesProxier } from "../packages/core/src/k8s/proxy/nftables/nftables-proxier"
import type { EndpointSliceView, ServiceView } from "../packages/core/src/k8s/proxy/api-view"
import { applyNft, applyRestore, CT_NEW, evaluateHook, evaluateNftChain, NftRuleset, packetMeta, parseIpv4, RecentTables, Ruleset } from "../packages/core/src/net/index"

const COST_PER_RULE = 20
const SAMPLES = 1000

const world = (n: number) => {
  const svcs: ServiceView[] = []
  const slices: EndpointSliceView[] = []
  for (let i = 0; i < n; i++) {
    const ns = `ns${i % 50}`
    svcs.push({ metadata: { namespace: ns, name: `svc${i}` }, spec: { type: "ClusterIP", clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: "http", port: 80, protocol: "TCP" }] } })
    slices.push({
      metadata: { namespace: ns, name: `svc${i}-x`, labels: { "kubernetes.io/service-name": `svc${i}` } },
      addressType: "IPv4",
      endpoints: [0, 1].map((e) => ({ addresses: [`10.${64 + (((2 * i + e) >> 16) & 63)}.${((2 * i + e) >> 8) & 255}.${(2 * i + e) & 255}`] })),
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    })
  }
  return { svcs, slices }
}

const feed = (p: IptablesProxier | NftablesProxier, w: ReturnType<typeof world>) => {
  for (const s of w.svcs) p.onServiceAdd(s)
  for (const s of w.slices) p.onEndpointSliceAdd(s)
  p.onServiceSynced()
  p.onEndpointSlicesSynced()
}

const rng = { uint32: () => 0x12345678, name: "fixed" } as never
/** Deterministic sample of Service indices (a 32-bit LCG). */
const picks = (n: number): number[] => {
  let x = 12345
  return Array.from({ length: SAMPLES }, () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0), x % n))
}
const pct = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number
const config = { nodeName: "node-0", nodeIPs: ["192.168.0.2"], clusterCIDR: "10.64.0.0/10" }

const bench = (n: number) => ({
  name: `first-packet cost: ${n} services, iptables vs nftables`,
  about: "rules a new connection walks, × 20 ns, p50/p99 over 1,000 random Services",
  // The figures are simulated time (deterministic); the 30k build takes 12–25 s of wall time, so one run.
  ...(n >= 30_000 ? { repeat: 1 } : {}),
  run() {
    const w = world(n)
    const ipt = new Ruleset()
    feed(new IptablesProxier(config, { now: () => 0, sink: { restore: (p) => applyRestore(ipt, p, { noflush: true }) } }), w)
    applyRestore(ipt, "*nat\n-I PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\nCOMMIT\n", { noflush: true })
    const nft = new NftRuleset()
    feed(new NftablesProxier({ ...config, serviceCIDRs: ["10.96.0.0/12"] }, { now: () => 0, sink: { run: (tx) => void applyNft(nft, tx) } }), w)
    const t = nft.table("kube-proxy")!
    const natPre = t.chains.get("nat-prerouting")!
    const iptCosts: number[] = []
    const nftCosts: number[] = []
    for (const i of picks(n)) {
      const dst = parseIpv4(`10.96.${(i >> 8) & 255}.${i & 255}`)
      const mk = () => packetMeta({ src: parseIpv4("10.64.200.1"), dst, dport: 80, ctState: CT_NEW })
      iptCosts.push(evaluateHook(ipt, "nat", "PREROUTING", mk(), { now: 0, rng, isLocal: () => false, recent: new RecentTables() }).rulesEvaluated * COST_PER_RULE)
      nftCosts.push(evaluateNftChain(t, natPre, mk(), { now: 0, rng, isLocal: () => false }).rulesEvaluated * COST_PER_RULE)
    }
    return {
      events: 2 * SAMPLES,
      iptablesP50ns: pct(iptCosts, 0.5),
      iptablesP99ns: pct(iptCosts, 0.99),
      nftablesP50ns: pct(nftCosts, 0.5),
      nftablesP99ns: pct(nftCosts, 0.99),
    }
  },
})

export const benchmarks = [bench(5000), bench(10000), bench(30000)]
