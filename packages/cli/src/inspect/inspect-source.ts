import { readFileSync } from "node:fs"
import { join } from "node:path"
import { type cluster, formatDuration, type Nanos, type records } from "@kubesim/core"
import { type LoadedScenario, type Override, prepareScenario, type RunObserver, runScenario, type ScenarioRunResult, scenarioFromObject } from "@kubesim/scenarios"
import { injectFault } from "../execute/fault-injection"
import { failureOf } from "../execute/simulation-failure"
import { fileTextChunks, forEachLine } from "../io/jsonl-lines"

/**
 * What an inspection command looks at: a scenario (file, built-in or manifests) with variant, seed and overrides,
 * or a finished run directory. A run directory is not re-read for state: its run.json holds the resolved scenario
 * (variant and `--set` applied, manifests inlined) and the seed, and a run is a pure function of those, so the
 * simulation is replayed from them, bit for bit (the replay's trace hash is checked against run.json's).
 */
export interface InspectTarget {
  readonly loaded: LoadedScenario
  readonly variant: string
  readonly seed: number
  readonly set: ReadonlyArray<Override>
  /** From `--run DIR`: the run's trace hash and records, to check the replay and to find requests without a run. */
  readonly run?: { readonly dir: string; readonly traceHash: string; readonly records: ReadonlyArray<records.RunRecord> }
}

export class InspectError extends Error {
  override readonly name = "InspectError"
}

/** An inspection target from `--run DIR`. */
export const targetFromRunDir = (dir: string, parseRecordLine: (line: string, where: string) => records.RunRecord | null): InspectTarget => {
  const file = join(dir, "run.json")
  let j: { seed?: unknown; traceHash?: unknown; resolved?: unknown; variant?: unknown }
  try {
    j = JSON.parse(readFileSync(file, "utf8")) as typeof j
  } catch (e) {
    throw new InspectError(`--run ${dir}: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (typeof j.seed !== "number" || typeof j.traceHash !== "string" || typeof j.resolved !== "object" || j.resolved === null)
    throw new InspectError(`${file}: expected the fields seed (number), traceHash (string) and resolved (object) of docs/run-directory.md`)
  const recordsFile = join(dir, "records.jsonl")
  const recs: records.RunRecord[] = []
  try {
    forEachLine(fileTextChunks(recordsFile), (line, n) => {
      if (line.trim() === "") return
      const r = parseRecordLine(line, `${recordsFile}:${n}`)
      if (r !== null) recs.push(r)
    })
  } catch (e) {
    // A bad line is the parser's own error (file and line); the file system's errors carry a code.
    if (typeof (e as { code?: unknown }).code !== "string") throw e
    throw new InspectError(`--run ${dir}: cannot read ${recordsFile}: ${e instanceof Error ? e.message : String(e)}`)
  }
  return {
    loaded: scenarioFromObject(j.resolved, { name: `${file} (resolved)` }),
    variant: "default",
    seed: j.seed,
    set: [],
    run: { dir, traceHash: j.traceHash, records: recs },
  }
}

/**
 * Runs the target with the CLI's observers: the live cluster goes to `observe` hooks as usual, the fault-injection
 * test hook is installed, and a failure inside the simulation becomes the internal-error report (failureOf).
 */
export const runTarget = (t: InspectTarget, observe: RunObserver = {}): ScenarioRunResult => {
  let built: cluster.Cluster | undefined
  try {
    return runScenario(t.loaded, {
      seed: t.seed,
      variant: t.variant,
      set: t.set,
      observe: {
        ...observe,
        onCluster: (c) => {
          built = c
          injectFault(c)
          observe.onCluster?.(c)
        },
      },
    })
  } catch (e) {
    throw failureOf(e, { scenario: t.loaded.scenario.metadata.name, variant: t.variant, seed: t.seed, cluster: built })
  }
}

/** The cluster as it is at `at` (the end of the run when undefined), and the run's length. */
export const clusterAt = (t: InspectTarget, at: Nanos | undefined): { readonly cluster: cluster.Cluster; readonly now: Nanos } => {
  checkAt(t, at)
  let live: cluster.Cluster | undefined
  const r = runTarget(t, { ...(at === undefined ? {} : { stopAt: at }), onStop: (c) => (live = c) })
  if (live === undefined) throw new Error("the executor did not hand over the cluster")
  if (t.run !== undefined && at === undefined && r.traceHash !== t.run.traceHash)
    throw new InspectError(`--run ${t.run.dir}: replaying the run gave trace hash ${r.traceHash}, run.json says ${t.run.traceHash} (made by another kubesim version?)`)
  return { cluster: live, now: live.sim.now }
}

/** The records of a target: the run directory's, or those of a fresh run. */
export const targetRecords = (t: InspectTarget): ReadonlyArray<records.RunRecord> => (t.run !== undefined ? t.run.records : runTarget(t).records)

/**
 * Runs the target to its end, calling `onTick` with the live cluster every 1/200 of the run (the executor's
 * progress slices, which process the same events as one run: the trace hash is unchanged). `get -w` watches
 * with it.
 */
export const watchRun = (t: InspectTarget, onTick: (c: cluster.Cluster, now: Nanos) => void): void => {
  let live: cluster.Cluster | undefined
  runTarget(t, {
    onCluster: (c) => (live = c),
    onProgress: (now) => {
      if (live !== undefined) onTick(live, now)
    },
  })
}

/** The run's length (the resolved scenario's duration, variant and overrides applied). */
export const runLength = (t: InspectTarget): Nanos => prepareScenario(t.loaded, { variant: t.variant, set: t.set }).duration

/** `--at` past the end of the run is an error that says so (the executor would stop at the end silently). */
export const checkAt = (t: InspectTarget, at: Nanos | undefined): void => {
  if (at === undefined) return
  const end = runLength(t)
  if (at > end) throw new InspectError(`--at ${formatDuration(at)} is past the end of the run (${formatDuration(end)}): give a time from 0s to ${formatDuration(end)}`)
}
