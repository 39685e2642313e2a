import type { PhaseDistribution } from "../metrics/report-types"
import { formatNanos, formatP, sig } from "./format"

// The per-phase table shared by the Markdown and HTML renderers: one row per phase of a service port.

export const phaseName = (p: PhaseDistribution): string => p.phase ?? "(no phase)"

/** `pod requests (expected)` per endpoint of a phase: what each pod got against the shares then in force. */
const perPod = (p: PhaseDistribution): string =>
  p.endpoints.map((e) => `${e.pod ?? e.endpoint} ${e.requests} (${sig(e.expected)})`).join(", ") || "–"

/** Mean of a phase's per-client stickiness, with the minimum when there are several clients. */
const stickiness = (p: PhaseDistribution): string => {
  if (p.meanStickiness === null) return "–"
  const min = p.clients.reduce((a, c) => Math.min(a, c.stickiness), 1)
  return p.clients.length === 1 ? sig(p.meanStickiness) : `${sig(p.meanStickiness)} (min ${sig(min)})`
}

export const phaseHead: ReadonlyArray<string> = [
  "phase",
  "start",
  "affinity",
  "requests",
  "failed",
  "requests per pod (expected)",
  "Jain",
  "χ² p (df, connections)",
  "clients",
  "stickiness mean (min)",
  "switches",
]

export const phaseRow = (p: PhaseDistribution): string[] => [
  phaseName(p),
  p.start === null ? "–" : formatNanos(p.start),
  p.sessionAffinity ?? "–",
  String(p.requests.total),
  String(p.requests.byOutcome.failed),
  perPod(p),
  sig(p.jain),
  `${formatP(p.chiSquare.pValue)} (${p.chiSquare.df}, ${p.decisions})`,
  String(p.clients.length),
  stickiness(p),
  String(p.clients.reduce((a, c) => a + c.switches, 0)),
]

/** A caption for the table; shown only with several phases, as one phase would repeat the whole-run figures. */
export const phaseCaption = "Per phase (each phase's requests alone; expected counts from the shares in force during the phase):"
