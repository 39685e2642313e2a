import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import type { Shard } from "../args/shard"
import { byVariantSeed, type SweepJob } from "./jobs"

/** One finished run as sweep.json lists it (from its run.json, so resumed and fresh runs read alike). */
export interface SweepEntry {
  readonly variant: string
  readonly seed: number
  readonly traceHash: string
  readonly events: number
  /** The run directory, relative to the sweep's output directory. */
  readonly dir: string
}

export interface SweepSummary {
  readonly kubesimVersion: string
  readonly scenario: string
  readonly variants: ReadonlyArray<string>
  readonly seeds: ReadonlyArray<number>
  readonly shard: string | null
  /** Jobs of this shard (all jobs without `--shard`). */
  readonly jobs: number
  readonly finished: number
  readonly runs: ReadonlyArray<SweepEntry>
}

/** The relative run directory of a job: `<scenario>/<variant>/seed-<seed>` (docs/run-directory.md). */
export const relativeRunDir = (scenario: string, job: { variant: string; seed: number }): string => `${scenario}/${job.variant}/seed-${job.seed}`

/** A finished job's entry, read from its run.json; undefined when the run directory is absent (not run yet). */
export const readEntry = (out: string, scenario: string, job: SweepJob): SweepEntry | undefined => {
  const dir = relativeRunDir(scenario, job)
  const file = join(out, dir, "run.json")
  if (!existsSync(file)) return undefined
  const j = JSON.parse(readFileSync(file, "utf8")) as { traceHash?: unknown; events?: unknown }
  return { variant: job.variant, seed: job.seed, traceHash: String(j.traceHash), events: Number(j.events), dir }
}

/**
 * Every finished run under `<out>/<scenario>/` (variant directories holding `seed-<n>/run.json`), whichever sweep or
 * run wrote it: sweep.json lists them all, so a second sweep over more seeds keeps the first one's runs listed.
 * Sorted by (variant, seed); hidden directories (runs being written) are skipped.
 */
export const presentEntries = (out: string, scenario: string): SweepEntry[] => {
  const root = join(out, scenario)
  if (!existsSync(root)) return []
  const entries: SweepEntry[] = []
  for (const variant of readdirSync(root).sort()) {
    if (variant.startsWith(".") || !statSync(join(root, variant)).isDirectory()) continue
    for (const name of readdirSync(join(root, variant)).sort()) {
      const m = /^seed-(\d+)$/.exec(name)
      if (m === null) continue
      const entry = readEntry(out, scenario, { index: 0, variant, seed: Number(m[1]) })
      if (entry !== undefined) entries.push(entry)
    }
  }
  return entries.sort(byVariantSeed)
}

/**
 * sweep.json: the shard's finished runs sorted by (variant, seed), nothing that depends on the worker count, the
 * completion order, the wall clock or whether a run was resumed — so the file is byte-identical for 1 or N workers.
 */
export const renderSweepJson = (s: Omit<SweepSummary, "runs" | "finished">, entries: ReadonlyArray<SweepEntry>): string => {
  const runs = [...entries].sort(byVariantSeed)
  const out: SweepSummary = { ...s, finished: runs.length, runs }
  return `${JSON.stringify(out, null, 2)}\n`
}

export const shardText = (shard: Shard | undefined): string | null => (shard === undefined ? null : `${shard.index}/${shard.count}`)
