import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { decodeRunMeta, RecordsDecodeError, type Run } from "@kubesim/report"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { decodeRecordChunks, fileTextChunks } from "./jsonl-lines"

/**
 * Every run directory (a directory holding `run.json`) at or below `path`, sorted by path so the result never
 * depends on the file system's listing order. A sweep's output directory holds many.
 */
export const findRunDirs = (path: string): string[] => {
  if (!existsSync(path) || !statSync(path).isDirectory()) return []
  if (existsSync(join(path, "run.json"))) return [path]
  const out: string[] = []
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith(".")) continue // temporary directories of runs being written
    out.push(...findRunDirs(join(path, name)))
  }
  return out
}

/** Reads one run directory's `run.json` and `records.jsonl`; bad content is a UserInputError naming file and line. */
export const readRunDir = (dir: string): Effect.Effect<Run, UserInputError> =>
  Effect.try({
    try: () => {
      const metaFile = join(dir, "run.json")
      const meta = decodeRunMeta(JSON.parse(readFileSync(metaFile, "utf8")) as unknown, metaFile)
      const recordsFile = join(dir, "records.jsonl")
      const records = decodeRecordChunks(fileTextChunks(recordsFile), recordsFile)
      return { meta, records }
    },
    catch: (e) =>
      new UserInputError({
        message: e instanceof RecordsDecodeError ? e.message : `cannot read run directory ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      }),
  })

/** All runs found under the given paths; none at all is a UserInputError. */
export const readRuns = (paths: ReadonlyArray<string>): Effect.Effect<Run[], UserInputError> =>
  Effect.gen(function* () {
    const dirs = [...new Set(paths.flatMap(findRunDirs))].sort()
    if (dirs.length === 0) return yield* new UserInputError({ message: `no run directory (with run.json) found in ${paths.join(", ")}` })
    const runs: Run[] = []
    for (const d of dirs) runs.push(yield* readRunDir(d))
    return runs
  })
