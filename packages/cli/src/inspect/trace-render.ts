import { formatDuration, type records } from "@kubesim/core"
import type { TraceEvent } from "./packet-trace"

/** Simulated time as seconds with nanosecond digits: `15.000123456s`. */
export const formatSimTime = (t: number): string => `${Math.floor(t / 1e9)}.${String(t % 1e9).padStart(9, "0")}s`

/** The request's one-line header: who asked what, what answered, how it ended. */
export const requestHeadline = (r: records.RequestRecord): string => {
  const outcome =
    r.outcome === "ok"
      ? `ok (HTTP ${r.status ?? "?"}) from ${r.pod ?? "?"} (${r.endpoint ?? "?"})`
      : r.outcome === "failed"
        ? `failed: ${r.cause ?? "unknown"}${r.endpoint !== null ? ` (endpoint ${r.endpoint})` : ""}`
        : "still in flight at the end of the run"
  const latency = r.latency === null ? "" : ` in ${formatDuration(r.latency)}`
  return `request ${r.id}: ${r.client} (${r.clientIp}) ${r.url} -> ${r.dst} at ${formatSimTime(r.t)}: ${outcome}${latency}${r.sourceIp !== null ? `; the backend saw source ${r.sourceIp}` : ""}`
}

const describe = (e: TraceEvent): string => {
  switch (e.event) {
    case "send":
      return `${e.tuple}  (socket sends)`
    case "arrive":
      return e.tuple
    case "transmit":
      return `${e.tuple}  via ${e.link ?? "?"}`
    case "deliver":
      return `${e.tuple}  to socket${e.ct !== null ? `  ct=${e.ct}` : ""}`
    case "drop":
      return `${e.tuple}  DROPPED (${e.reason ?? "?"})`
    case "IPVS":
      return `${e.tuple}  ${e.nat ?? "?"}  (${e.ipvs ?? "?"})${e.ct !== null ? `  ct=${e.ct}` : ""}`
    default:
      return `${e.table ?? "?"} ${e.verdict ?? "?"}${e.nat !== null ? `, ${e.nat}` : ""}  ${e.tuple}${e.ct !== null ? `  ct=${e.ct}` : ""}  (${e.rulesEvaluated ?? 0} rules evaluated)`
  }
}

/**
 * The trace as text, one line per observation (time, host, event, what happened), and under each table traversal
 * the rules the packet matched in the kernel's TRACE form `TRACE: table:chain:rule:N` followed by the rule as
 * iptables-save prints it (net/ipv4/netfilter/ip_tables.c trace_packet: "rule", "return", "policy").
 */
export const renderTrace = (req: records.RequestRecord, events: ReadonlyArray<TraceEvent>, truncated: boolean): string => {
  const out: string[] = [requestHeadline(req), ""]
  if (events.length === 0) {
    out.push("no packet of this request was seen (it may have failed before connecting, e.g. on DNS)")
    return `${out.join("\n")}\n`
  }
  const tw = Math.max(4, ...events.map((e) => formatSimTime(e.t).length))
  const hw = Math.max(4, ...events.map((e) => e.host.length))
  const ew = Math.max(5, ...events.map((e) => e.event.length))
  out.push(`${"TIME".padEnd(tw)}   ${"HOST".padEnd(hw)}   ${"EVENT".padEnd(ew)}   SUMMARY`)
  for (const e of events) {
    out.push(`${formatSimTime(e.t).padEnd(tw)}   ${e.host.padEnd(hw)}   ${e.event.padEnd(ew)}   ${describe(e)}`)
    for (const r of e.rules) {
      out.push(`${"".padEnd(tw + hw + 6)}TRACE: ${r.table}:${r.chain}:${r.kind}:${r.rulenum}  ${r.text}`)
    }
  }
  if (truncated) out.push("", `(stopped after ${events.length} events)`)
  return `${out.join("\n")}\n`
}
