import { serialiseRecord } from "./serialise"
import type { RecordKind, RecordOfKind, RunRecord } from "./types"

/**
 * The run's records in the order components appended them. `append` is on the hot path of request
 * completion, so it only pushes (no copy, no check, no serialisation); records are checked and written
 * when serialised. Records must not be mutated after appending.
 */
export class RecordLog {
  private readonly items: RunRecord[] = []

  append(r: RunRecord): void {
    this.items.push(r)
  }

  get size(): number {
    return this.items.length
  }

  /** All records, in append order (a live view: do not mutate). */
  get records(): ReadonlyArray<RunRecord> {
    return this.items
  }

  /** The records of one kind, in append order. */
  ofKind<K extends RecordKind>(kind: K): RecordOfKind<K>[] {
    const out: RecordOfKind<K>[] = []
    for (const r of this.items) if (r.kind === kind) out.push(r as RecordOfKind<K>)
    return out
  }

  /** JSON Lines text of every record (each line ends in "\n"). */
  toJsonl(): string {
    let out = ""
    this.writeTo((chunk) => {
      out += chunk
    })
    return out
  }

  /** Streams JSON Lines to `write` in chunks of about `chunkLines` lines (for large runs). */
  writeTo(write: (chunk: string) => void, chunkLines = 4096): void {
    let chunk = ""
    let n = 0
    for (const r of this.items) {
      chunk += serialiseRecord(r) + "\n"
      if (++n === chunkLines) {
        write(chunk)
        chunk = ""
        n = 0
      }
    }
    if (chunk !== "") write(chunk)
  }
}
