import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { basename, dirname, join } from "node:path"

let counter = 0
/** A temporary name beside `path`, unique within this process (pid + counter). */
const tempBeside = (path: string): string => join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter++}`)

/** Writes a file whole or not at all: into a temporary file beside it, then renamed over the target. */
export const writeFileAtomic = (path: string, content: string | Uint8Array): void => {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = tempBeside(path)
  try {
    writeFileSync(tmp, content)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
}
