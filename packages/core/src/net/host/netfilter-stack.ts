import type { Nanos } from "../../sim/index"
import { evaluateNftChain, NftEvalError, type NftChain, type NftChainVerdict, type NftEvalContext, type NftHook, type NftRuleset, type NftTable } from "../nftables/index"
import type { Ruleset, Verdict } from "../netfilter/index"
import type { Ipv4, Packet } from "../packet/packet"
import type { Host } from "./host"
import { IptablesHooks } from "./iptables-hooks"
import type { HookName, HookVerdict, NetfilterHooks } from "./netfilter-hooks"

interface Stage {
  readonly priority: number
  /** null: the iptables table of this type (registered at its fixed priority). */
  readonly table: NftTable | null
  readonly chain: NftChain | null
}

const NFT_HOOK: Readonly<Record<HookName, NftHook>> = {
  PREROUTING: "prerouting",
  INPUT: "input",
  FORWARD: "forward",
  OUTPUT: "output",
  POSTROUTING: "postrouting",
}

// include/uapi/linux/netfilter_ipv4.h: NF_IP_PRI_NAT_DST -100 (PREROUTING, OUTPUT), NF_IP_PRI_NAT_SRC 100
// (INPUT, POSTROUTING), NF_IP_PRI_FILTER 0.
const IPT_NAT_PRIORITY: Readonly<Record<HookName, number>> = { PREROUTING: -100, OUTPUT: -100, INPUT: 100, POSTROUTING: 100, FORWARD: 0 }
const NAT_DST_PRIORITY = -100

// Stage keys, built once (no string is made per packet).
const key = (kind: string, hook: HookName): string => `${kind}:${NFT_HOOK[hook]}`
const HOOK_NAMES: ReadonlyArray<HookName> = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
const KEYS: Readonly<Record<"nat" | "filter" | "pre", Readonly<Record<HookName, string>>>> = {
  nat: Object.fromEntries(HOOK_NAMES.map((h) => [h, key("nat", h)])) as Record<HookName, string>,
  filter: Object.fromEntries(HOOK_NAMES.map((h) => [h, key("filter", h)])) as Record<HookName, string>,
  pre: Object.fromEntries(HOOK_NAMES.map((h) => [h, key("pre", h)])) as Record<HookName, string>,
}

/**
 * A host's netfilter with both front ends loaded, as a node running kube-proxy in nftables mode has them: the
 * iptables tables (iptables-legacy or iptables-nft, at their fixed priorities) and the nftables base chains, all
 * registered on the same hooks and run in priority order (net/netfilter/core.c nf_hook_slow walks the hook's
 * entries sorted by priority; at equal priority the earlier registration — iptables', made at boot — runs first).
 * Filter-type chains: every one must accept for the packet to go on. Nat-type chains: run in order until one
 * sets up a binding (nf_nat_core.c nf_nat_inet_fn stops at `nf_nat_initialized`). Filter chains below -100 at
 * PREROUTING/OUTPUT run before DNAT (`evaluatePreNat`). Rules evaluated add up over all chains run.
 */
export class NetfilterStack extends IptablesHooks implements NetfilterHooks {
  private readonly nftCtx: NftEvalContext
  private generation = -1
  private readonly stages = new Map<string, Stage[]>()
  private natChains = false

  constructor(
    ruleset: Ruleset,
    readonly nft: NftRuleset,
    host: Host,
  ) {
    super(ruleset, host)
    // numgen draws from its own stream, so adding nftables rules does not shift iptables' statistic draws.
    this.nftCtx = { now: 0, rng: host.net.sim.rng(`nftables/${host.name}`), isLocal: (ip: Ipv4) => host.isLocal(ip) }
  }

  override get hasNat(): boolean {
    if (this.generation !== this.nft.generation) this.refresh()
    return this.natChains || super.hasNat
  }

  /** Installs (or removes) a per-rule tracer on both front ends (`kubesim trace`). */
  setNftTracer(trace: NftEvalContext["trace"]): void {
    if (trace === undefined) delete this.nftCtx.trace
    else this.nftCtx.trace = trace
  }

  private refresh(): void {
    this.generation = this.nft.generation
    this.stages.clear()
    this.natChains = false
    for (const t of this.nft.tables.values()) {
      for (const ch of t.chains.values()) {
        const b = ch.base
        if (b === null) continue
        if (b.type === "nat") this.natChains = true
        if (b.type === "filter" && b.hook === "postrouting") {
          throw new NftEvalError(`ip ${t.name}/${ch.name}: filter chains at the postrouting hook are not modelled`)
        }
        const pre = b.type === "filter" && (b.hook === "prerouting" || (b.hook === "output" && b.priority < NAT_DST_PRIORITY))
        const key = `${pre ? "pre" : b.type}:${b.hook}`
        const list = this.stages.get(key) ?? []
        list.push({ priority: b.priority, table: t, chain: ch })
        this.stages.set(key, list)
      }
    }
    for (const [key, list] of this.stages) {
      const [type, hook] = key.split(":") as [string, NftHook]
      const hookName = (Object.keys(NFT_HOOK) as HookName[]).find((h) => NFT_HOOK[h] === hook) as HookName
      if (type === "nat") list.push({ priority: IPT_NAT_PRIORITY[hookName], table: null, chain: null })
      if (type === "filter") list.push({ priority: 0, table: null, chain: null })
      // Stable: iptables' entry was pushed last, so put it first among equals (it registered first).
      list.sort((a, b) => a.priority - b.priority || (a.table === null ? -1 : b.table === null ? 1 : 0))
    }
  }

  override evaluate(table: "nat" | "filter", hook: HookName, pkt: Packet, now: Nanos): Verdict {
    if (this.generation !== this.nft.generation) this.refresh()
    // Without nftables base chains (iptables mode) this is the iptables evaluator, one size check later.
    const stages = this.stages.size === 0 ? undefined : this.stages.get(KEYS[table][hook])
    if (stages === undefined) return super.evaluate(table, hook, pkt, now)
    return this.run(stages, table, hook, pkt, now)
  }

  evaluatePreNat(hook: "PREROUTING" | "OUTPUT", pkt: Packet, now: Nanos): HookVerdict | null {
    if (this.generation !== this.nft.generation) this.refresh()
    const stages = this.stages.size === 0 ? undefined : this.stages.get(KEYS.pre[hook])
    return stages === undefined ? null : this.run(stages, "filter", hook, pkt, now)
  }

  private run(stages: ReadonlyArray<Stage>, table: "nat" | "filter", hook: HookName, pkt: Packet, now: Nanos): Verdict {
    this.nftCtx.now = now
    let rules = 0
    let last: Verdict | NftChainVerdict | null = null
    for (const s of stages) {
      const v: Verdict | NftChainVerdict =
        s.table === null ? super.evaluate(table, hook, pkt, now) : evaluateNftChain(s.table, s.chain as NftChain, pkt, this.nftCtx)
      rules += v.rulesEvaluated
      last = v
      if (v.verdict !== "ACCEPT" || (table === "nat" && v.nat !== null)) break
    }
    const out = last as Verdict | NftChainVerdict
    return { verdict: out.verdict, rejectWith: out.rejectWith, nat: table === "nat" ? out.nat : null, rulesEvaluated: rules, matchedRule: null }
  }
}
