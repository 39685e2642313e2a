import { net, Simulation, type EventKind } from "@kubesim/core"
import { splitRuleArgs, type NodeRules, type UdpCleanup } from "../rules/node-rules"
import type { TopologySpec } from "../topology/topology-spec"
import type { RequestOutcome } from "../traffic/request-outcome"
import type { Target, TrafficPlane } from "../traffic/traffic-plane"
import { NodeRuleset, setupNodeConntrack, type NodeConntrackSysctls } from "./core-bridge"

type Host = net.Host
type TcpConnection = net.TcpConnection
type TcpCloseReason = net.TcpCloseReason

const NANOS_PER_MS = 1_000_000

// The errno a Linux client's connect()/read() reports for each way kubesim's TCP ends a connection:
// RST to the SYN and ICMP port-unreachable (REJECT's default) both give ECONNREFUSED (net/ipv4/tcp_ipv4.c
// tcp_v4_err, icmp_err_convert); ICMP net/host unreachable gives EHOSTUNREACH.
const ERRNO: Readonly<Record<TcpCloseReason, string>> = {
  fin: "CLOSED",
  refused: "ECONNREFUSED",
  reset: "ECONNRESET",
  timeout: "TIMEOUT",
  unreachable: "EHOSTUNREACH",
  rejected: "ECONNREFUSED",
}

interface PodReply {
  readonly pod: string
  readonly peer: string
}

/** One request waiting for its answer, on a new or a held connection. */
interface Pending {
  readonly source: string | null
  readonly started: number
  done: ((o: RequestOutcome) => void) | null
  timer: number
}

/**
 * The same TopologySpec in kubesim's data plane: a Simulation, a Network and a Fabric (nodes on a LAN, pods on
 * veths, external hosts), kube-proxy's rules applied to each node's Ruleset, pods answering like
 * pod-server.mjs and clients making requests like client-agent.mjs — all in simulated time, run to
 * completion by each call. The mirror of KernelTopology + KernelClient.
 */
export class KubesimPlane {
  readonly sim: Simulation
  readonly network: net.Network
  readonly fabric: net.Fabric
  private readonly clients = new Map<string, Host>()
  private readonly held = new Map<string, { conn: TcpConnection; pending: Pending | null }>()
  private readonly callKind: EventKind<() => void>

  constructor(
    readonly spec: TopologySpec,
    seed: number | string,
  ) {
    this.sim = new Simulation(seed)
    this.callKind = this.sim.defineKind<() => void>("conformance/call", (f) => f())
    this.network = new net.Network(this.sim)
    const lan = net.parseCidr(spec.lanCidr)
    // The kernel topology's nodes route by default to a LAN router that is never there; so do these.
    this.fabric = new net.Fabric(this.network, { lan, gateway: (lan.base + 1) >>> 0 })
    for (const n of spec.nodes) this.fabric.addNode(n.name, { ip: net.parseIpv4(n.ip), podCidr: net.parseCidr(n.podCidr) })
    for (const p of spec.pods) {
      const host = this.fabric.addPod(p.node, p.name, net.parseIpv4(p.ip))
      host.tcpListen(p.port, () => ({
        onData: (conn) => {
          const reply: PodReply = { pod: p.name, peer: net.formatIpv4(conn.remoteIp) }
          conn.send(reply, 64)
        },
      }))
      // pod-server.mjs answers UDP on the same port.
      host.udpBind(p.port, {
        onMessage: (sock, _message, _bytes, fromIp, fromPort) => {
          const reply: PodReply = { pod: p.name, peer: net.formatIpv4(fromIp) }
          sock.sendTo(fromIp, fromPort, reply, 64)
        },
      })
    }
    const firstNode = spec.nodes[0]
    for (const c of spec.clients) {
      if (c.kind === "pod") {
        this.clients.set(c.name, this.fabric.addPod(c.node, c.name, net.parseIpv4(c.ip)))
        continue
      }
      const [first, ...rest] = c.ips
      const host = this.fabric.addLanHost(c.name, {
        ip: net.parseIpv4(first!),
        routes: firstNode === undefined ? [] : [{ dst: net.parseCidr(spec.serviceCidr), via: net.parseIpv4(firstNode.ip) }],
      })
      for (const ip of rest) host.addAddress("eth0", net.parseIpv4(ip), lan.prefix)
      this.clients.set(c.name, host)
    }
  }

  /**
   * Applies one kube-proxy sync to node `name`'s Ruleset exactly as the kernel side does: jump rules whose
   * target chain is new are created and prepended, others `-I` only when absent (EnsureRule), then the payload
   * with --noflush. Throws kubesim's parse/validation error (naming the line) if it is rejected.
   */
  load(name: string, rules: NodeRules): void {
    const ruleset = this.fabric.ruleset(name)
    const byTable = new Map<string, Array<string>>()
    for (const j of rules.jumpRules) {
      const lines = byTable.get(j.table) ?? []
      if (ruleset.chain(j.table, j.dstChain) === undefined && !lines.includes(`:${j.dstChain} - [0:0]`)) {
        lines.unshift(`:${j.dstChain} - [0:0]`)
      }
      const wanted = splitRuleArgs(j.args).join(" ")
      const present =
        ruleset.chain(j.table, j.srcChain)?.rules.some((r) => splitRuleArgs(r.restoreText ?? "").join(" ") === wanted) ?? false
      if (!present) lines.push(`-I ${j.srcChain} ${j.args}`)
      byTable.set(j.table, lines)
    }
    let text = ""
    for (const [table, lines] of byTable) if (lines.length > 0) text += `*${table}\n${lines.join("\n")}\nCOMMIT\n`
    if (text !== "") net.applyRestore(ruleset, text, { noflush: true })
    net.applyRestore(ruleset, rules.payload, { noflush: true, counters: true })
  }

  /** kube-proxy's UDP conntrack cleanup on node `name`: kubesim's own (NodeRuleset.cleanConntrack). */
  cleanConntrack(name: string, cleanup: UdpCleanup): void {
    new NodeRuleset(this.fabric.node(name), this.fabric.ruleset(name)).cleanConntrack(cleanup)
  }

  /** kube-proxy's start on node `name` with `cpus` CPUs (kubesim's setupNodeConntrack); the sysctls after it. */
  setupConntrack(name: string, cpus: number): NodeConntrackSysctls {
    return setupNodeConntrack(this.fabric.node(name), { nodeName: name, cpus })!
  }

  /**
   * Seconds left on node `name`'s ESTABLISHED TCP entries whose original destination is `dst`, as
   * `conntrack -L -p tcp --orig-dst` prints them.
   */
  establishedTimeouts(name: string, dst: string): ReadonlyArray<number> {
    const ct = this.fabric.node(name).conntrack
    if (ct === null) return []
    const want = net.parseIpv4(dst)
    return ct
      .list(this.sim.now)
      .filter((e) => e.origDst === want && e.proto === net.PROTO_TCP && net.TCP_CT_NAMES[e.tcpState] === "ESTABLISHED")
      .map((e) => Math.floor((e.expires - this.sim.now) / 1e9))
  }

  /** One datagram from `client`'s UDP port `sport` to `target`, and its reply (or TIMEOUT), as client-agent.mjs. */
  udp(client: string, target: Target, sport: number, timeoutMs = 2000): RequestOutcome {
    let result: RequestOutcome | null = null
    const started = this.sim.now
    const finish = (o: RequestOutcome) => {
      if (result !== null) return
      result = { ...o, ms: (this.sim.now - started) / NANOS_PER_MS }
      sock.close()
    }
    const sock = this.client(client).udpBind(sport, {
      onMessage: (_s, message) => {
        const reply = message as PodReply
        finish({ source: null, pod: reply.pod, peer: reply.peer })
      },
    })
    const timer = this.sim.after(Math.round(timeoutMs * NANOS_PER_MS), this.callKind, () => finish({ source: null, error: "TIMEOUT" }))
    sock.sendTo(net.parseIpv4(target.host), target.port, "ping", 64)
    this.runUntil(() => result !== null, timeoutMs + 100)
    this.sim.cancel(timer)
    return result!
  }

  /** Node `name`'s rules as kubesim's `iptables-save` prints them. */
  save(name: string): string {
    return net.renderSave(this.fabric.ruleset(name))
  }

  /** Lets `ms` of simulated time pass with no traffic (affinity expiry). */
  idle(ms: number): void {
    this.sim.run({ until: this.sim.now + Math.round(ms * NANOS_PER_MS) })
  }

  /** `count` sequential requests, each on a new connection, request i from `sources[i % n]`. */
  requests(client: string, target: Target, sources: ReadonlyArray<string | null>, count: number, timeoutMs = 2000): ReadonlyArray<RequestOutcome> {
    const host = this.client(client)
    const out: Array<RequestOutcome> = []
    let i = 0
    const next = (): void => {
      if (i >= count) return
      const source = sources.length === 0 ? null : (sources[i % sources.length] ?? null)
      i++
      this.connect(host, target, source, timeoutMs, null, (o) => {
        out.push(o)
        // The next request starts when this one has ended, as the agent's loop does.
        this.sim.after(0, this.callKind, next)
      })
    }
    next()
    this.runUntil(() => out.length === count, count * (timeoutMs + 100))
    return out
  }

  /** Opens connection `id` (kept open) and makes its first request. */
  open(id: string, client: string, target: Target, source: string | null, timeoutMs = 2000): RequestOutcome {
    let result: RequestOutcome | null = null
    this.connect(this.client(client), target, source, timeoutMs, id, (o) => (result = o))
    this.runUntil(() => result !== null, timeoutMs + 100)
    return result!
  }

  /** Another request on held connection `id`. */
  again(id: string, timeoutMs = 2000): RequestOutcome {
    const h = this.held.get(id)
    if (h === undefined) throw new Error(`kubesim: no held connection "${id}"`)
    let result: RequestOutcome | null = null
    const p = this.pending(null, timeoutMs, h.conn, (o) => (result = o))
    h.pending = p
    h.conn.send("GET / HTTP/1.1", 64)
    this.runUntil(() => result !== null, timeoutMs + 100)
    return result!
  }

  close(id: string): void {
    this.held.get(id)?.conn.close()
    this.held.delete(id)
  }

  private client(name: string): Host {
    const h = this.clients.get(name)
    if (h === undefined) throw new Error(`kubesim: no client "${name}"`)
    return h
  }

  /** A request in flight with its deadline: TIMEOUT and abort when nothing came back in time (as the agent). */
  private pending(source: string | null, timeoutMs: number, conn: TcpConnection | null, done: (o: RequestOutcome) => void): Pending {
    const p: Pending = { source, started: this.sim.now, done, timer: -1 }
    p.timer = this.sim.after(Math.round(timeoutMs * NANOS_PER_MS), this.callKind, () => {
      if (p.done === null) return
      conn?.abort()
      this.complete(p, { source, error: "TIMEOUT" })
    })
    return p
  }

  private complete(p: Pending, o: RequestOutcome): void {
    const d = p.done
    if (d === null) return
    p.done = null
    this.sim.cancel(p.timer)
    d({ ...o, ms: (this.sim.now - p.started) / NANOS_PER_MS })
  }

  /** Connects, sends one GET when connected; closes after the reply unless the connection is held as `id`. */
  private connect(
    host: Host,
    target: Target,
    source: string | null,
    timeoutMs: number,
    id: string | null,
    done: (o: RequestOutcome) => void,
  ): void {
    let first: Pending | null = null
    const current = (): Pending | null => (id === null ? first : (this.held.get(id)?.pending ?? first))
    const conn = host.tcpConnect(
      net.parseIpv4(target.host),
      target.port,
      {
        onConnected: (c) => c.send("GET / HTTP/1.1", 64),
        onData: (c, message) => {
          const p = current()
          if (p === null) return
          const reply = message as PodReply
          if (id === null) c.close()
          this.complete(p, { source: p.source, pod: reply.pod, peer: reply.peer })
        },
        onClosed: (_c, reason) => {
          const p = current()
          if (p !== null) this.complete(p, { source: p.source, error: ERRNO[reason] })
        },
      },
      source === null ? {} : { srcIp: net.parseIpv4(source) },
    )
    first = this.pending(source, timeoutMs, conn, done)
    if (id !== null) this.held.set(id, { conn, pending: first })
  }

  /** Runs simulated time in small steps until `done`, failing loudly if traffic stalls or overruns. */
  private runUntil(done: () => boolean, budgetMs: number): void {
    const end = this.sim.now + Math.round(budgetMs * NANOS_PER_MS)
    while (!done()) {
      if (this.sim.pending === 0) throw new Error("kubesim: traffic is unfinished but nothing is left to happen")
      if (this.sim.now >= end) throw new Error(`kubesim: traffic did not finish within ${budgetMs} ms of simulated time`)
      this.sim.run({ until: Math.min(end, this.sim.now + 10 * NANOS_PER_MS) })
    }
  }
}

/** kubesim as a TrafficPlane: the same calls, run to completion in simulated time. */
export class KubesimTrafficPlane implements TrafficPlane {
  readonly label = "kubesim" as const

  constructor(readonly plane: KubesimPlane) {}

  load(node: string, rules: NodeRules): void {
    this.plane.load(node, rules)
  }

  async requests(client: string, target: Target, sources: ReadonlyArray<string | null>, count: number): Promise<ReadonlyArray<RequestOutcome>> {
    return this.plane.requests(client, target, sources, count)
  }

  async open(id: string, client: string, target: Target, source: string | null): Promise<RequestOutcome> {
    return this.plane.open(id, client, target, source)
  }

  async again(id: string): Promise<RequestOutcome> {
    return this.plane.again(id)
  }

  async close(id: string): Promise<void> {
    this.plane.close(id)
  }

  cleanConntrack(node: string, cleanup: UdpCleanup): void {
    this.plane.cleanConntrack(node, cleanup)
  }

  async udp(client: string, target: Target, sport: number): Promise<RequestOutcome> {
    return this.plane.udp(client, target, sport)
  }

  async idle(ms: number): Promise<void> {
    this.plane.idle(ms)
  }
}
