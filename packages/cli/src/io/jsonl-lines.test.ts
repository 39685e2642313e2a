import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { fileTextChunks, forEachLine } from "./jsonl-lines"

const DIR = mkdtempSync(join(tmpdir(), "kubesim-jsonl-"))
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

/** The lines `text.split("\n")` gives, without the empty piece after a final "\n". */
const linesOf = (text: string): string[] => {
  const parts = text.split("\n")
  if (parts[parts.length - 1] === "") parts.pop()
  return parts
}

/** `text` cut at the given positions. */
const cut = (text: string, at: number[]): string[] => {
  const points = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b)
  const out: string[] = []
  let prev = 0
  for (const p of points) {
    out.push(text.slice(prev, p))
    prev = p
  }
  out.push(text.slice(prev))
  return out
}

const text = fc.array(fc.oneof(fc.constant("\n"), fc.string({ unit: "grapheme", maxLength: 6 })), { maxLength: 30 }).map((xs) => xs.join(""))

describe("JSON Lines in chunks", () => {
  it("forEachLine gives the text's lines, numbered from 1, wherever the chunks are cut", () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (t, at) => {
        const seen: string[] = []
        forEachLine(cut(t, at), (line, n) => {
          expect(n).toBe(seen.length + 1)
          seen.push(line)
        })
        expect(seen).toEqual(linesOf(t))
      }),
      { numRuns: runs(300) },
    )
  })

  it("fileTextChunks reads a file back exactly, UTF-8 sequences cut by the buffer included", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 7 }), (t, buffer) => {
        const file = join(DIR, "t.jsonl")
        writeFileSync(file, t)
        const chunks = [...fileTextChunks(file, buffer)]
        expect(chunks.join("")).toBe(t)
        expect(chunks.every((c) => c.length > 0)).toBe(true)
      }),
      { numRuns: runs(200) },
    )
  })

  it("an unreadable file is the file system's error, with its code", () => {
    expect(() => [...fileTextChunks(join(DIR, "missing.jsonl"))]).toThrow(expect.objectContaining({ code: "ENOENT" }))
  })
})
