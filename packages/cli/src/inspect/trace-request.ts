import { net, type records } from "@kubesim/core"
import { InspectError, type InspectTarget, runTarget } from "./inspect-source"
import { PacketTrace, type TraceEvent } from "./packet-trace"

/** How long after a request ends its connection is still followed (the FIN/ACK exchange of a one-shot wget). */
const CLOSE_GRACE = 1_000_000_000

/** The request `id`, or the `nth` (1-based) request of `client`, among a run's records. */
export const findRequest = (recs: ReadonlyArray<records.RunRecord>, by: { readonly id?: number; readonly client?: string; readonly nth?: number }): records.RequestRecord => {
  const reqs = recs.flatMap((r) => (r.kind === "request" ? [r] : []))
  if (by.id !== undefined) {
    const r = reqs.find((x) => x.id === by.id)
    if (r === undefined) {
      if (reqs.length === 0) throw new InspectError(`no request ${by.id}: this run has no requests`)
      let lo = Infinity
      let hi = -Infinity
      for (const x of reqs) {
        lo = Math.min(lo, x.id)
        hi = Math.max(hi, x.id)
      }
      throw new InspectError(`no request ${by.id} in this run: its ${reqs.length} requests have ids ${lo} to ${hi}`)
    }
    return r
  }
  const client = by.client as string
  const mine = reqs.filter((x) => x.client === client).sort((a, b) => a.id - b.id)
  if (mine.length === 0) throw new InspectError(`client "${client}" issued no request (clients: ${[...new Set(reqs.map((x) => x.client))].sort().join(", ") || "none"})`)
  const nth = by.nth ?? 1
  const r = mine[nth - 1]
  if (r === undefined) throw new InspectError(`client "${client}" issued ${mine.length} requests; --nth ${nth} is past the last`)
  return r
}

/**
 * Replays the run with a PacketTrace installed and returns the request's packets. The request's destination
 * `ip:port` is what the client connected to; a request that never connected (DNS failure) has no packets.
 */
export const traceRequest = (t: InspectTarget, req: records.RequestRecord, runEnd: number): { readonly events: ReadonlyArray<TraceEvent>; readonly truncated: boolean } => {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(req.dst)
  if (m === null) return { events: [], truncated: false }
  const until = Math.min((req.end ?? runEnd) + CLOSE_GRACE, runEnd)
  let trace: PacketTrace | undefined
  const max = 2000
  runTarget(t, {
    stopAt: until,
    onCluster: (c) => {
      const rulesetOf = (h: net.Host) => (h.netfilter instanceof net.IptablesHooks ? h.netfilter.ruleset : undefined)
      const pt = new PacketTrace(() => c.sim.now, { clientIp: net.parseIpv4(req.clientIp), dstIp: net.parseIpv4(m[1] as string), dstPort: Number(m[2]), from: req.t, until }, rulesetOf, max)
      // Hosts created later (pods) get the tracer when the trace starts: install it lazily on each host seen.
      const watched = new Set<string>()
      const watch = (h: net.Host) => {
        if (watched.has(h.name)) return
        watched.add(h.name)
        pt.watchHost(h)
      }
      for (const h of c.net.hosts.values()) watch(h)
      c.net.observer = {
        onSend: (h, p) => (watch(h), pt.onSend(h, p)),
        onArrive: (h, p) => (watch(h), pt.onArrive(h, p)),
        onHook: (h, p, table, hook, v) => pt.onHook(h, p, table, hook, v),
        onTransmit: (h, p, l) => pt.onTransmit(h, p, l),
        onDeliver: (h, p) => pt.onDeliver(h, p),
        onDrop: (h, p, r) => pt.onDrop(h, p, r),
        onIpvs: (h, p, conn) => pt.onIpvs(h, p, conn),
      }
      trace = pt
    },
  })
  const events = trace?.events ?? []
  return { events, truncated: events.length >= max }
}
