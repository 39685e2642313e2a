import { net } from "@kubesim/core"
import type { Nanos } from "@kubesim/core"

/** The connection a request used, as the client saw it before any NAT (`dst` from the request record). */
export interface TraceTarget {
  readonly clientIp: number
  readonly dstIp: number
  readonly dstPort: number
  /** The request's issue time and end (ns); packets are followed from `from` to `until`. */
  readonly from: Nanos
  readonly until: Nanos
}

/** One rule the packet matched while a table was traversed (the kernel's TRACE: table:chain:rule:N). */
export interface TracedRule {
  readonly table: string
  readonly chain: string
  /** 1-based, as the kernel's TRACE log counts (net/ipv4/netfilter/ip_tables.c trace_packet); 0 = the policy. */
  readonly rulenum: number
  readonly kind: "rule" | "policy"
  readonly text: string
}

/** One observation of one packet of the traced connection. */
export interface TraceEvent {
  readonly t: Nanos
  readonly host: string
  /** send, arrive, PREROUTING/OUTPUT/… hook traversal, IPVS (kube-proxy's IPVS mode), transmit, deliver, drop. */
  readonly event: string
  readonly packet: number
  /** `src:sport -> dst:dport proto [flags]` as the packet is at this point. */
  readonly tuple: string
  readonly ct: string | null
  readonly table: string | null
  readonly verdict: string | null
  readonly nat: string | null
  readonly link: string | null
  readonly reason: string | null
  readonly rulesEvaluated: number | null
  readonly rules: ReadonlyArray<TracedRule>
  /** At an IPVS event: the virtual service's scheduler and persistence, the connection's protocol and IPVS state. */
  readonly ipvs: string | null
}

const ip = (n: number): string => net.formatIpv4(n)
const PROTO: Readonly<Record<number, string>> = { 1: "icmp", 6: "tcp", 17: "udp", 132: "sctp" }

/** The conntrack state names of xt_conntrack's bits (libxt_conntrack.c print_state order). */
const CT: ReadonlyArray<readonly [number, string]> = [
  [net.CT_INVALID, "INVALID"],
  [net.CT_NEW, "NEW"],
  [net.CT_RELATED, "RELATED"],
  [net.CT_ESTABLISHED, "ESTABLISHED"],
  [net.CT_UNTRACKED, "UNTRACKED"],
  [net.CT_SNAT, "SNAT"],
  [net.CT_DNAT, "DNAT"],
]
const ctText = (bits: number): string | null => {
  const names = CT.filter(([b]) => (bits & b) !== 0).map(([, n]) => n)
  return names.length === 0 ? null : names.join(",")
}

const key = (src: number, sport: number, dst: number, dport: number, proto: number): string => `${proto}/${src}:${sport}>${dst}:${dport}`

const tupleText = (p: net.Packet): string => {
  const proto = PROTO[p.proto] ?? String(p.proto)
  if (p.proto === net.PROTO_ICMP) return `${ip(p.src)} -> ${ip(p.dst)} icmp type ${p.icmpType} code ${p.icmpCode}`
  const flags = p.proto === net.PROTO_TCP ? ` ${net.formatTcpFlags(p.flags)}` : ""
  return `${ip(p.src)}:${p.sport} -> ${ip(p.dst)}:${p.dport} ${proto}${flags}`
}

const natText = (n: net.HookNat | null): string | null => {
  if (n === null) return null
  if (n.kind === "MASQUERADE") return "MASQUERADE"
  const to = n.toIp === null ? "" : ip(n.toIp)
  const port = n.toPortMin === null ? "" : n.toPortMax !== null && n.toPortMax !== n.toPortMin ? `:${n.toPortMin}-${n.toPortMax}` : `:${n.toPortMin}`
  return `${n.kind} to ${to}${port}`
}

/**
 * Follows one connection hop by hop, like `hubble observe` joined with netfilter's TRACE target: a PacketObserver
 * on the Network plus a RuleTracer on every iptables host; on a node in IPVS mode, ip_vs_in's choice is an event. The connection is found as the first packet the client
 * sends to the request's destination at or after the request's time; from then on a packet belongs to it when its
 * tuple (either direction) is one the connection has had at some hop, so DNAT'd, SNAT'd and reply packets and the
 * ICMP errors quoting them are all followed. Tracing forces linear rule evaluation, which decides exactly as the
 * compiled path does (the net module's contract), so the traced run is the same run.
 */
export class PacketTrace implements net.PacketObserver {
  readonly events: TraceEvent[] = []
  private readonly ids = new Set<number>()
  private readonly tuples = new Set<string>()
  private started = false
  private pending: TracedRule[] = []
  private pendingHost = ""

  constructor(
    private readonly now: () => Nanos,
    private readonly target: TraceTarget,
    private readonly rulesetOf: (host: net.Host) => net.Ruleset | undefined,
    /** Stop after this many events (a connection stuck in retransmission would print forever). */
    private readonly maxEvents = 2000,
  ) {}

  /** Installs the rule tracer on a host with iptables (and on its nftables, as `nft monitor trace` names rules). */
  watchHost(host: net.Host): void {
    const nf = host.netfilter
    if (!(nf instanceof net.IptablesHooks)) return
    const rs = nf.ruleset
    const push = (r: TracedRule) => {
      if (this.pendingHost !== host.name) {
        this.pending = []
        this.pendingHost = host.name
      }
      this.pending.push(r)
    }
    nf.setTracer((table, chain, index, matched) => {
      if (!matched || !this.started) return
      const r = rs.chain(table, chain)?.rules[index]
      push({ table, chain, rulenum: index + 1, kind: "rule", text: r === undefined ? "" : `-A ${chain} ${net.renderRuleSave(r)}` })
    })
    if (nf instanceof net.NetfilterStack) {
      const nft = nf.nft
      nf.setNftTracer((table, chain, index, matched) => {
        if (!matched || !this.started) return
        const r = nft.chain(table, chain)?.rules[index]
        push({ table: `ip ${table}`, chain, rulenum: index + 1, kind: "rule", text: r === undefined ? "" : net.ruleText(r, this.now()) })
      })
    }
  }

  private inWindow(): boolean {
    const t = this.now()
    return t >= this.target.from && t <= this.target.until && this.events.length < this.maxEvents
  }

  /** Whether `p` is a packet of the traced connection; learns its current tuple if so. */
  private follows(p: net.Packet, host: net.Host): boolean {
    if (!this.inWindow()) return false
    if (!this.started) {
      const t = this.target
      // A locally generated packet has no source address until routing picks one (src 0 at onSend).
      if ((p.src !== t.clientIp && p.src !== 0) || p.dst !== t.dstIp || p.dport !== t.dstPort || p.proto !== net.PROTO_TCP || host.primaryAddress !== t.clientIp) return false
      this.started = true
      this.ids.add(p.id)
    }
    let ours = this.ids.has(p.id)
    if (!ours) {
      const k = key(p.src, p.sport, p.dst, p.dport, p.proto)
      const r = key(p.dst, p.dport, p.src, p.sport, p.proto)
      const inner = p.proto === net.PROTO_ICMP ? key(p.innerSrc, p.innerSport, p.innerDst, p.innerDport, p.innerProto) : ""
      ours = this.tuples.has(k) || this.tuples.has(r) || (inner !== "" && this.tuples.has(inner))
    }
    if (ours) {
      this.ids.add(p.id)
      if (p.proto !== net.PROTO_ICMP) this.tuples.add(key(p.src, p.sport, p.dst, p.dport, p.proto))
    }
    return ours
  }

  private push(host: net.Host, p: net.Packet, event: string, extra: Partial<TraceEvent> = {}): void {
    this.events.push({
      t: this.now(),
      host: host.name,
      event,
      packet: p.id,
      tuple: tupleText(p),
      ct: null,
      table: null,
      verdict: null,
      nat: null,
      link: null,
      reason: null,
      rulesEvaluated: null,
      rules: [],
      ipvs: null,
      ...extra,
    })
  }

  onSend(host: net.Host, p: net.Packet): void {
    this.pending = []
    if (this.follows(p, host)) this.push(host, p, "send")
  }

  onArrive(host: net.Host, p: net.Packet): void {
    this.pending = []
    if (this.follows(p, host)) this.push(host, p, "arrive")
  }

  onHook(host: net.Host, p: net.Packet, table: "nat" | "filter", hook: net.HookName, v: net.HookVerdict): void {
    const rules = this.pendingHost === host.name ? this.pending : []
    this.pending = []
    if (!this.follows(p, host)) return
    const matched = (v as net.Verdict).matchedRule
    const all = [...rules]
    if (matched !== undefined && matched !== null && matched.index === -1) {
      all.push({ table, chain: matched.chain, rulenum: 0, kind: "policy", text: `:${matched.chain} ${this.rulesetOf(host)?.chain(table, matched.chain)?.policy ?? v.verdict}` })
    }
    this.push(host, p, hook, { table, ct: ctText(p.ctState), verdict: v.verdict, nat: natText(v.nat), rulesEvaluated: v.rulesEvaluated, rules: all })
  }

  /**
   * IPVS took the packet: ip_vs_in sends it on to the real server (by the virtual service's scheduler), ip_vs_out
   * gives a real server's reply the virtual address back; with the connection's protocol and IPVS state.
   */
  onIpvs(host: net.Host, p: net.Packet, conn: net.IpvsConn, reply: boolean): void {
    if (!this.follows(p, host)) return
    const state = conn.protocol === "UDP" ? "UDP" : (net.IPVS_TCP_STATES[conn.state] ?? String(conn.state))
    if (reply) {
      this.push(host, p, "IPVS", { nat: `from virtual server ${ip(conn.vaddr)}:${conn.vport}`, ipvs: `ip_vs_out: ${conn.protocol} ${state}`, ct: ctText(p.ctState) })
      return
    }
    const spec = host.ipvs?.getService(conn.protocol, conn.vaddr, conn.vport)?.spec
    const how = spec === undefined ? "" : `${spec.scheduler}${spec.persistence !== null ? ` persistent ${spec.persistence}` : ""}, `
    this.push(host, p, "IPVS", { nat: `DNAT to ${ip(conn.dest.address)}:${conn.dest.port}`, ipvs: `ip_vs_in: ${how}${conn.protocol} ${state}`, ct: ctText(p.ctState) })
  }

  onTransmit(host: net.Host, p: net.Packet, link: net.Link): void {
    if (this.follows(p, host)) this.push(host, p, "transmit", { link: link.name })
  }

  onDeliver(host: net.Host, p: net.Packet): void {
    if (this.follows(p, host)) this.push(host, p, "deliver", { ct: ctText(p.ctState) })
  }

  onDrop(host: net.Host, p: net.Packet, reason: net.DropReason): void {
    if (this.follows(p, host)) this.push(host, p, "drop", { reason })
  }

}
