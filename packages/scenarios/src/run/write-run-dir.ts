import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { type RunJson, renderRunJson } from "./run-json"

/** What a run directory holds; `recordsChunks` is the JSON Lines text (in chunks) ending with the `run-end` line. */
export interface RunDirContent {
  readonly runJson: RunJson
  readonly recordsChunks: Iterable<string>
  readonly summary: string
  /** Further files written into the directory with the rest (the CLI's report.md and report.html). */
  readonly extraFiles?: ReadonlyArray<readonly [name: string, content: string]>
}

/** Writes text given in chunks to a new file, chunk by chunk (the whole text may not fit in one string, or in memory). */
const writeChunks = (file: string, chunks: Iterable<string>): void => {
  const fd = openSync(file, "w")
  try {
    for (const c of chunks) {
      // writeSync may write less than asked: go on from where it stopped, as writeFileSync does.
      const bytes = Buffer.from(c, "utf8")
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off)
    }
  } finally {
    closeSync(fd)
  }
}

let counter = 0
const beside = (dir: string, tag: string): string => join(dirname(dir), `.${basename(dir)}.${tag}-${process.pid}-${counter++}`)

/**
 * Writes a run directory (docs/run-directory.md) whole or not at all: the three files (and any extra ones) go into a temporary
 * directory beside `dir`, which is then renamed onto it. An existing `dir` (an earlier run of the same
 * scenario, variant and seed) is moved aside first and removed after the new one is in place, so at every
 * instant `dir` is either the old run or the new one, never a mix.
 */
export const writeRunDir = (dir: string, content: RunDirContent): void => {
  mkdirSync(dirname(dir), { recursive: true })
  const tmp = beside(dir, "tmp")
  try {
    mkdirSync(tmp)
    writeFileSync(join(tmp, "run.json"), renderRunJson(content.runJson))
    writeChunks(join(tmp, "records.jsonl"), content.recordsChunks)
    writeFileSync(join(tmp, "summary.md"), content.summary)
    for (const [name, text] of content.extraFiles ?? []) writeFileSync(join(tmp, name), text)
    if (existsSync(dir)) {
      const old = beside(dir, "old")
      renameSync(dir, old)
      renameSync(tmp, dir)
      rmSync(old, { recursive: true, force: true })
    } else renameSync(tmp, dir)
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
}

/** The default layout under `--out`: `DIR/<scenario>/<variant>/seed-<seed>/`. */
export const runDirPath = (out: string, scenario: string, variant: string, seed: number): string => join(out, scenario, variant, `seed-${seed}`)
