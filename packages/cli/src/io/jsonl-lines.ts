import { closeSync, openSync, readSync } from "node:fs"
import { StringDecoder } from "node:string_decoder"
import { type RunRecord, recordLineDecoder } from "@kubesim/report"

/**
 * A file's text in chunks, never the whole file in one string: V8 caps a string at 2^29 − 24 characters
 * (~512 MB), and a 1,000-node run's `records.jsonl` is bigger. UTF-8 sequences cut by a buffer boundary are
 * completed by the next read (StringDecoder).
 */
export function* fileTextChunks(file: string, bufferBytes = 16 * 2 ** 20): Generator<string> {
  const fd = openSync(file, "r")
  try {
    const buf = Buffer.allocUnsafe(bufferBytes)
    const decoder = new StringDecoder("utf8")
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      const text = decoder.write(buf.subarray(0, n))
      if (text !== "") yield text
    }
    const rest = decoder.end()
    if (rest !== "") yield rest
  } finally {
    closeSync(fd)
  }
}

/**
 * Calls `f` with each line of a text given in chunks cut anywhere, numbered from 1, without its "\n"; a last
 * line without one counts too (as `text.split("\n")` would, minus the empty piece after a final "\n").
 */
export const forEachLine = (chunks: Iterable<string>, f: (line: string, n: number) => void): void => {
  let n = 0
  let carry = ""
  for (const chunk of chunks) {
    let start = 0
    for (let stop = chunk.indexOf("\n"); stop >= 0; stop = chunk.indexOf("\n", start)) {
      f(carry + chunk.slice(start, stop), ++n)
      carry = ""
      start = stop + 1
    }
    if (start < chunk.length) carry += chunk.slice(start)
  }
  if (carry !== "") f(carry, ++n)
}

/** The report's records of JSON Lines text in chunks; a bad line is a RecordsDecodeError naming `file` and the line. */
export const decodeRecordChunks = (chunks: Iterable<string>, file: string): RunRecord[] => {
  const out: RunRecord[] = []
  const decode = recordLineDecoder()
  forEachLine(chunks, (line, n) => {
    const r = decode(line, n, file)
    if (r !== null) out.push(r)
  })
  return out
}
