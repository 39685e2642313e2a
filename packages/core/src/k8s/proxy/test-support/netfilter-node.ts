import {
  CT_NEW,
  PROTO_TCP,
  PROTO_UDP,
  type EvalContext,
  type PacketMeta,
  type Verdict,
  RecentTables,
  Ruleset,
  applyRestore,
  evaluateHook,
  formatIpv4,
  packetMeta,
  parseIpv4,
} from "../../../net/index"
import type { Rng } from "../../../sim/index"
import type { IptablesProxierConfig } from "../iptables/config"
import type { JumpRule } from "../iptables/jump-chains"
import { FAKE_PROXIER_CONFIG, RecordingSink, proxierOn } from "./fixtures"

/**
 * Tests drive the proxier's output through the real kernel model: each payload lands in a netfilter `Ruleset`
 * with `iptables-restore --noflush` semantics, and packets are judged by `evaluateHook`.
 */
export class NetfilterSink extends RecordingSink {
  readonly ruleset = new Ruleset()
  protected override land(payload: string, jumpRules: ReadonlyArray<JumpRule> | undefined): void {
    applyRestore(this.ruleset, payload, { noflush: true })
    // The jump rules from built-in chains (EnsureRule(Prepend): `-I` when absent). Applied after the payload,
    // which declares every chain they jump to; the resulting tables are the same.
    if (jumpRules === undefined) return
    let text = ""
    for (const table of ["filter", "nat"] as const) {
      const missing = jumpRules.filter(
        (j) => j.table === table && !(this.ruleset.chain(table, j.srcChain)?.rules.some((r) => r.restoreText === j.args) ?? false),
      )
      // EnsureChain before EnsureRule (proxier.go syncProxyRules): KUBE-FIREWALL is not in every payload.
      const chains = [...new Set(missing.map((j) => j.dstChain))].filter((c) => this.ruleset.chain(table, c) === undefined)
      const lines = [...chains.map((c) => `:${c} - [0:0]`), ...missing.map((j) => `-I ${j.srcChain} ${j.args}`)]
      if (missing.length > 0) text += `*${table}\n${lines.join("\n")}\nCOMMIT\n`
    }
    if (text !== "") applyRestore(this.ruleset, text, { noflush: true })
  }
}

/** A proxier with upstream's fake config (overridable) writing into a netfilter Ruleset. */
export const netfilterProxier = (overrides: Partial<IptablesProxierConfig> = {}) => proxierOn(new NetfilterSink(), overrides)

/**
 * An Rng whose `uint32()` (the kernel's get_random_u32, the only draw netfilter makes) returns scripted values,
 * then `fill` (or throws when none); `used` counts the draws. Every other method throws: netfilter must not
 * use them.
 */
export interface ScriptedRng extends Rng {
  used: number
  script(draws: ReadonlyArray<number>, fill?: number): ScriptedRng
}

const refuse = (what: string) => (): never => {
  throw new Error(`ScriptedRng.${what}: netfilter only draws uint32()`)
}
const NOT_DRAWN = {
  next: refuse("next"),
  int: refuse("int"),
  exponential: refuse("exponential"),
  normal: refuse("normal"),
  lognormal: refuse("lognormal"),
  bernoulli: refuse("bernoulli"),
  choice: refuse("choice"),
  shuffle: refuse("shuffle"),
}

export const scriptedRng = (): ScriptedRng => {
  let draws: ReadonlyArray<number> = []
  let fill: number | undefined
  const rng: ScriptedRng = {
    ...NOT_DRAWN,
    name: "scripted",
    used: 0,
    script(d, f) {
      draws = d
      fill = f
      rng.used = 0
      return rng
    },
    uint32() {
      const v = draws[rng.used] ?? fill
      if (v === undefined) throw new Error(`ScriptedRng: draw ${rng.used} was not scripted`)
      rng.used++
      return v
    },
  }
  return rng
}

/** A new connection's first packet from `src` to `dst:dport`, arriving from outside the node (PREROUTING). */
export const newConnection = (src: string, dst: string, dport: number, protocol: "TCP" | "UDP" = "TCP"): PacketMeta =>
  packetMeta({ src: parseIpv4(src), dst: parseIpv4(dst), proto: protocol === "UDP" ? PROTO_UDP : PROTO_TCP, sport: 40000, dport, ctState: CT_NEW })

/** The DNAT destination `ip:port` of a nat verdict, or null. */
export const dnatDestination = (v: Verdict): string | null =>
  v.nat?.kind === "DNAT" && v.nat.toIp !== null ? `${formatIpv4(v.nat.toIp)}:${v.nat.toPortMin ?? 0}` : null

/** An evaluation context on `rng`; `recent` defaults to a fresh namespace (a client nobody has seen). */
export const evalContext = (rng: Rng, now = 0, recent: RecentTables = new RecentTables()): EvalContext => ({
  now,
  rng,
  isLocal: (ip) => FAKE_PROXIER_CONFIG.nodeIPs.includes(formatIpv4(ip)),
  recent,
})

const TWO_31 = 0x80000000
/** A draw no statistic rule with a threshold below 2^31 matches. */
const MISS = 0x7fffffff

export interface EvaluatorShares {
  /** DNAT destination → probability a fresh connection lands there. */
  readonly shares: Map<string, number>
  /** The statistic thresholds the evaluator demonstrably compares with, in chain order (≤ 2^31). */
  readonly thresholds: number[]
}

/**
 * Where fresh connections of `pkt`'s kind go, measured on the evaluator itself rather than by reading rules:
 * for the k-th random choice, the draws of the earlier ones are scripted to miss and the k-th draw `v` is
 * binary-searched for the first value that no longer lands on the same destination — the kernel's threshold t
 * (xt_statistic.c: `(get_random_u32() & 0x7FFFFFFF) < t`; the masked top bit is checked too). Then endpoint k
 * gets exactly `remaining · t / 2^31`; the destination reached without a draw gets the rest.
 */
export const evaluatorShares = (ruleset: Ruleset, pkt: () => PacketMeta): EvaluatorShares => {
  const rng = scriptedRng()
  const ctx = evalContext(rng)
  const land = (draws: ReadonlyArray<number>): { dest: string | null; used: number } => {
    rng.script(draws, MISS)
    ctx.recent = new RecentTables()
    const v = evaluateHook(ruleset, "nat", "PREROUTING", pkt(), ctx)
    return { dest: dnatDestination(v), used: rng.used }
  }
  const shares = new Map<string, number>()
  const thresholds: number[] = []
  const add = (dest: string | null, share: number): void => {
    if (dest === null) throw new Error("a fresh connection was not DNATed")
    if (shares.has(dest)) throw new Error(`destination ${dest} reached by two choices`)
    shares.set(dest, share)
  }
  const misses: number[] = []
  let remaining = 1
  for (;;) {
    const first = land([...misses, 0])
    if (first.used === misses.length) {
      // No more random choices: the chain ends here.
      if (first.dest !== null || shares.size > 0) add(first.dest, remaining)
      return { shares, thresholds }
    }
    const matches = (v: number): boolean => land([...misses, v]).dest === first.dest
    let t: number
    if (matches(MISS)) t = TWO_31
    else {
      let lo = 0 // matches
      let hi = MISS // misses
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2)
        if (matches(mid)) lo = mid
        else hi = mid
      }
      t = hi
      if (!matches((TWO_31 + t - 1) >>> 0) || matches((TWO_31 + t) >>> 0)) throw new Error(`threshold ${t}: the top bit of the draw is not masked`)
    }
    thresholds.push(t)
    const share = (remaining * t) / TWO_31
    add(first.dest, share)
    remaining -= share
    if (t === TWO_31) return { shares, thresholds }
    misses.push(MISS)
  }
}
