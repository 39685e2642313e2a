import type { Nanos } from "../../sim/index"
import { evaluateHook, type EvalContext, type RuleTracer, type Ruleset, type Verdict } from "../netfilter/index"
import type { Ipv4, Packet } from "../packet/packet"
import type { Host } from "./host"
import type { HookName, NetfilterHooks } from "./netfilter-hooks"

/**
 * A host's iptables: the netfilter module's evaluator over a Ruleset (which kube-proxy edits with
 * iptables-restore). `statistic --mode random` draws from the stream `netfilter/<host>`; `addrtype LOCAL`
 * is the host's own addresses; `recent` lists live in the ruleset.
 */
export class IptablesHooks implements NetfilterHooks {
  private readonly ctx: EvalContext

  constructor(readonly ruleset: Ruleset, host: Host) {
    this.nat = ruleset.tables.has("nat")
    this.ctx = {
      now: 0,
      rng: host.net.sim.rng(`netfilter/${host.name}`),
      isLocal: (ip: Ipv4) => host.isLocal(ip),
      recent: ruleset.recent,
      ipsets: ruleset.ipsets,
    }
  }

  private readonly nat: boolean

  /** Whether the ruleset has a nat table; fixed when the hooks are made (a Ruleset has filter and nat by default). */
  get hasNat(): boolean {
    return this.nat
  }

  /** Installs (or with undefined removes) a per-rule tracer (`kubesim trace`); tracing forces linear evaluation. */
  setTracer(trace: RuleTracer | undefined): void {
    if (trace === undefined) delete this.ctx.trace
    else this.ctx.trace = trace
  }

  evaluate(table: "nat" | "filter", hook: HookName, pkt: Packet, now: Nanos): Verdict {
    this.ctx.now = now
    return evaluateHook(this.ruleset, table, hook, pkt, this.ctx)
  }
}
