/**
 * Netfilter first-packet cost with 1k, 5k and 10k ClusterIP services laid out as kube-proxy does (KUBE-SERVICES
 * with one rule per service, a KUBE-SVC chain of 3 statistic rules, KUBE-SEP chains with DNAT): rules evaluated
 * per first packet and wall time per packet, rule by rule versus with the compiled KUBE-SERVICES index.
 */
import { makeRng } from "../packages/core/src/sim/index"
import { formatIpv4 } from "../packages/core/src/net/addr/index"
import { type EvalContext, PROTO_TCP, RecentTables, Ruleset, applyRestore, evaluateHook, packetMeta } from "../packages/core/src/net/netfilter/index"

const clock = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

const CLUSTER_IP_BASE = 0x0a600000 // 10.96.0.0

const payload = (services: number): string => {
  const chains: string[] = [":KUBE-SERVICES - [0:0]", ":KUBE-MARK-MASQ - [0:0]"]
  const rules: string[] = ["-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES", "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000"]
  for (let i = 0; i < services; i++) {
    const ip = formatIpv4(CLUSTER_IP_BASE + 256 + i)
    const svc = `KUBE-SVC-${i.toString(36).toUpperCase().padStart(16, "0")}`
    chains.push(`:${svc} - [0:0]`)
    rules.push(`-A KUBE-SERVICES -m comment --comment "ns/svc${i}:http cluster IP" -m tcp -p tcp -d ${ip} --dport 80 -j ${svc}`)
    rules.push(`-A ${svc} -m comment --comment "ns/svc${i}:http cluster IP" -m tcp -p tcp -d ${ip} --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`)
    for (let e = 0; e < 3; e++) {
      const sep = `KUBE-SEP-${i.toString(36).toUpperCase().padStart(14, "0")}E${e}`
      const ep = formatIpv4(0x0af40000 + i * 3 + e)
      chains.push(`:${sep} - [0:0]`)
      const stat = e < 2 ? ` -m statistic --mode random --probability ${(1 / (3 - e)).toFixed(10)}` : ""
      rules.push(`-A ${svc} -m comment --comment "ns/svc${i}:http -> ${ep}:8080"${stat} -j ${sep}`)
      rules.push(`-A ${sep} -m comment --comment ns/svc${i}:http -s ${ep} -j KUBE-MARK-MASQ`)
      rules.push(`-A ${sep} -m comment --comment ns/svc${i}:http -m tcp -p tcp -j DNAT --to-destination ${ep}:8080`)
    }
  }
  rules.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
  chains.push(":KUBE-NODEPORTS - [0:0]")
  return `*nat\n${chains.join("\n")}\n${rules.join("\n")}\nCOMMIT\n`
}

const firstPackets = (services: number, linear: boolean) => ({
  name: `netfilter first packet: ${services} services, ${linear ? "linear" : "compiled index"}`,
  run() {
    const rs = new Ruleset()
    const t0 = clock()
    applyRestore(rs, payload(services), { noflush: true })
    const restoreSeconds = clock() - t0
    const ctx: EvalContext = { now: 0, rng: makeRng(1, "node"), isLocal: () => false, recent: new RecentTables(), linear }
    const pick = makeRng(1, "bench-packets")
    const packets = linear ? 2_000 : 20_000
    let rules = 0
    let maxRules = 0
    const t1 = clock()
    for (let k = 0; k < packets; k++) {
      const dst = CLUSTER_IP_BASE + 256 + pick.int(0, services)
      const v = evaluateHook(rs, "nat", "PREROUTING", packetMeta({ src: 0x0af40101, dst, proto: PROTO_TCP, sport: 40000, dport: 80 }), ctx)
      rules += v.rulesEvaluated
      if (v.rulesEvaluated > maxRules) maxRules = v.rulesEvaluated
    }
    const seconds = clock() - t1
    return {
      events: packets,
      seconds,
      restoreSeconds,
      natRules: rs.ruleCount("nat"),
      meanRulesEvaluated: rules / packets,
      maxRulesEvaluated: maxRules,
      microsPerPacket: (seconds / packets) * 1e6,
    }
  },
})

export default [1_000, 5_000, 10_000].flatMap((n) => [firstPackets(n, true), firstPackets(n, false)])
