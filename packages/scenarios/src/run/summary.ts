import type { records } from "@kubesim/core"

/**
 * summary.md: a short human account of a run — requests by outcome and failure cause, per service how many
 * requests each pod answered, per phase the same outcome counts. The rich report is the report package's; this
 * is what `cat summary.md` should show. Deterministic: every table is sorted.
 */
export const renderSummary = (head: { scenario: string; variant: string; seed: number; duration: string; traceHash: string; events: number }, recs: ReadonlyArray<records.RunRecord>): string => {
  const reqs = recs.filter((r): r is records.RequestRecord => r.kind === "request")
  const out: string[] = []
  out.push(`# ${head.scenario} — variant ${head.variant}, seed ${head.seed}`, "")
  out.push(`Simulated ${head.duration}; ${head.events} events; trace hash \`${head.traceHash}\`.`, "")
  const ok = reqs.filter((r) => r.outcome === "ok").length
  const failed = reqs.filter((r) => r.outcome === "failed")
  const inFlight = reqs.filter((r) => r.outcome === "in-flight").length
  out.push("## Requests", "", "| outcome | requests |", "|---|---:|")
  out.push(`| issued | ${reqs.length} |`, `| ok | ${ok} |`)
  const causes = countBy(failed, (r) => r.cause ?? "unknown")
  out.push(`| failed | ${failed.length} |`)
  for (const [cause, n] of causes) out.push(`| failed: ${cause} | ${n} |`)
  out.push(`| in flight at the end | ${inFlight} |`, "")

  const phases = [...new Set(reqs.map((r) => r.phase ?? ""))]
  if (phases.length > 1 || (phases.length === 1 && phases[0] !== "")) {
    out.push("## By phase", "", "| phase | issued | ok | failed | in flight |", "|---|---:|---:|---:|---:|")
    for (const p of phases) {
      const rs = reqs.filter((r) => (r.phase ?? "") === p)
      out.push(`| ${p === "" ? "(none)" : p} | ${rs.length} | ${rs.filter((r) => r.outcome === "ok").length} | ${rs.filter((r) => r.outcome === "failed").length} | ${rs.filter((r) => r.outcome === "in-flight").length} |`)
    }
    out.push("")
  }

  const byService = new Map<string, records.RequestRecord[]>()
  for (const r of reqs) {
    if (r.outcome !== "ok") continue
    const key = r.service ?? r.url
    const list = byService.get(key)
    if (list === undefined) byService.set(key, [r])
    else list.push(r)
  }
  if (byService.size > 0) {
    out.push("## Answered requests per pod", "")
    for (const svc of [...byService.keys()].sort()) {
      out.push(`### ${svc}`, "", "| pod | requests |", "|---|---:|")
      for (const [pod, n] of countBy(byService.get(svc) ?? [], (r) => r.pod ?? "(unknown)")) out.push(`| ${pod} | ${n} |`)
      out.push("")
    }
  }
  const actions = recs.filter((r): r is records.ActionRecord => r.kind === "action" && r.actor === "scenario")
  if (actions.length > 0) {
    out.push("## Scenario actions", "", "| t (s) | verb | object |", "|---:|---|---|")
    for (const a of actions) out.push(`| ${(a.t / 1e9).toFixed(3)} | ${a.verb} | ${a.object} |`)
    out.push("")
  }
  return `${out.join("\n").trimEnd()}\n`
}

/** Counts by key, sorted by key (code-unit order). */
const countBy = <T>(xs: ReadonlyArray<T>, key: (x: T) => string): Array<[string, number]> => {
  const m = new Map<string, number>()
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1)
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}
