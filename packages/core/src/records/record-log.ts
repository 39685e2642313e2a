import { type SerialisedCollections, serialiseRecord } from "./serialise"
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

  /** JSON Lines text of every record (each line ends in "\n"). One string: for small logs (tests); runs use `jsonlChunks`. */
  toJsonl(): string {
    let out = ""
    for (const c of this.jsonlChunks()) out += c
    return out
  }

  /**
   * The same JSON Lines text as chunks of whole lines, made as they are taken: a V8 string holds at most 2^29 − 24
   * characters (~512 MB), and a 1,000-node run's records are several GB of text — more than fits beside the run
   * in the heap, so they are serialised chunk by chunk as the file is written. Concatenated they are `toJsonl()`.
   * A chunk is about `chunkLines` lines, fewer when it reaches `chunkChars` characters first (a line is never split).
   */
  *jsonlChunks(chunkLines = 4096, chunkChars = CHUNK_CHARS): Generator<string> {
    let chunk = ""
    let n = 0
    const seen: SerialisedCollections = new WeakMap()
    for (const r of this.items) {
      chunk += serialiseRecord(r, seen) + "\n"
      if (++n === chunkLines || chunk.length >= chunkChars) {
        yield chunk
        chunk = ""
        n = 0
      }
    }
    if (chunk !== "") yield chunk
  }

  /** Streams JSON Lines to `write` in chunks (see `jsonlChunks`). */
  writeTo(write: (chunk: string) => void, chunkLines = 4096, chunkChars = CHUNK_CHARS): void {
    for (const c of this.jsonlChunks(chunkLines, chunkChars)) write(c)
  }
}

/** A chunk's size cap: far below V8's string limit, big enough that writing chunks costs no more than one string. */
const CHUNK_CHARS = 16 * 2 ** 20
