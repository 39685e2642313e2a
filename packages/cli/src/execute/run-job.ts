import { join } from "node:path"
import { decodeRunMeta, buildReport, renderHtml, renderMarkdown } from "@kubesim/report"
import { type cluster, parseDuration } from "@kubesim/core"
import { renderRunJson, runDirPath, runScenario, writeRunDir, type ScenarioRunResult } from "@kubesim/scenarios"
import { KUBESIM_VERSION } from "../version"

export { jobOverrides }
import { injectFault } from "./fault-injection"
import { jobOverrides } from "./job-overrides"
import { loadSource } from "./load-source"
import { failureOf } from "./simulation-failure"
import { reportRecords } from "./report-records"
import type { ScenarioSource } from "./scenario-source"

/** Everything one run needs; plain data, so a sweep worker receives it as is. */
export interface RunJobSpec {
  readonly source: ScenarioSource
  /** `--set key=value` arguments, in order (after `--duration`, which is `duration=…`). */
  readonly set: ReadonlyArray<string>
  /** `--duration`: for a scenario a `duration` override; for manifests the default scenario's length. */
  readonly duration?: string
  readonly out: string
  /** Also render report.md and report.html into the run directory (`run` does; `sweep` leaves it to `report`). */
  readonly reports: boolean
  /** A worker running the job posts its progress (`run` draws it; see sweep/serve-jobs.ts). */
  readonly progress?: boolean
}

export interface RunJobResult {
  readonly scenario: string
  readonly variant: string
  readonly seed: number
  readonly traceHash: string
  readonly events: number
  readonly dir: string
  readonly requests: { readonly issued: number; readonly ok: number; readonly failed: number; readonly inFlight: number }
  /** Answered requests per backend pod, by service port, sorted. */
  /** Answered requests per pod, per service port and phase (phases in the order they began; null: no phase). */
  readonly perPod: ReadonlyArray<{ readonly service: string; readonly phase: string | null; readonly pods: ReadonlyArray<readonly [string, number]> }>
}

export interface RunHooks {
  /**
   * Progress of the simulated clock (the executor's RunObserver.onProgress); once more with `writing` when the
   * simulation is over and the run directory is about to be written.
   */
  readonly onProgress?: (now: number, duration: number, events: number, writing?: true) => void
}


/** The run directory a job writes: `<out>/<scenario>/<variant>/seed-<seed>`. */
export const jobDir = (out: string, scenario: string, variant: string, seed: number): string => runDirPath(out, scenario, variant, seed)

/**
 * Writes the run directory whole or not at all, with the reports when asked: they are rendered from the run's
 * own records first (as `kubesim report` would read them back from the directory: reportRecords), then the
 * scenarios package's atomic writer puts everything in place at once.
 */
const writeWithReports = async (dir: string, r: ScenarioRunResult, reports: boolean): Promise<void> => {
  if (!reports) return writeRunDir(dir, r)
  const meta = decodeRunMeta(JSON.parse(renderRunJson(r.runJson)) as unknown, join(dir, "run.json"))
  const report = buildReport([{ meta, records: reportRecords(r.records) }])
  writeRunDir(dir, { ...r, extraFiles: [["report.md", renderMarkdown(report)], ["report.html", await renderHtml(report)]] })
}

const countBy = (xs: ReadonlyArray<string>): Array<[string, number]> => {
  const m = new Map<string, number>()
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1)
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

/** Runs one (variant, seed) of the source and writes its run directory. Throws the scenarios package's errors. */
export const runJob = async (spec: RunJobSpec, variant: string, seed: number, hooks: RunHooks = {}): Promise<RunJobResult> => {
  const loaded = loadSource(spec.source, spec.duration)
  const onProgress = hooks.onProgress
  let live: cluster.Cluster | undefined
  const onCluster = (c: cluster.Cluster) => {
    live = c
    injectFault(c)
  }
  let r: ScenarioRunResult
  try {
    r = runScenario(loaded, { seed, variant, set: jobOverrides(spec), kubesimVersion: KUBESIM_VERSION, observe: { onCluster, ...(onProgress === undefined ? {} : { onProgress }) } })
  } catch (e) {
    throw failureOf(e, { scenario: loaded.scenario.metadata.name, variant, seed, cluster: live })
  }
  const dir = jobDir(spec.out, r.runJson.scenario, r.runJson.variant, seed)
  if (onProgress !== undefined) {
    const length = parseDuration(r.runJson.duration)
    onProgress(length, length, r.events, true)
  }
  await writeWithReports(dir, r, spec.reports)
  const reqs = r.records.flatMap((x) => (x.kind === "request" ? [x] : []))
  const okReqs = reqs.filter((x) => x.outcome === "ok")
  const services = [...new Set(okReqs.map((x) => x.service ?? x.url))].sort()
  return {
    scenario: r.runJson.scenario,
    variant: r.runJson.variant,
    seed,
    traceHash: r.traceHash,
    events: r.events,
    dir,
    requests: {
      issued: reqs.length,
      ok: okReqs.length,
      failed: reqs.filter((x) => x.outcome === "failed").length,
      inFlight: reqs.filter((x) => x.outcome === "in-flight").length,
    },
    perPod: services.flatMap((service) => {
      const mine = okReqs.filter((x) => (x.service ?? x.url) === service)
      // Phases in the order their first request was issued (records are in issue order).
      const phases = [...new Set(mine.map((x) => x.phase))]
      return phases.map((phase) => ({ service, phase, pods: countBy(mine.filter((x) => x.phase === phase).map((x) => x.pod ?? "(unknown)")) }))
    }),
  }
}
