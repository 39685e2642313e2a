import { NftError } from "./errors"

/** One token of nft's input: a word, a quoted string, or one of `{ } ; , :`; `nl` ends a line. */
export interface NftToken {
  readonly kind: "word" | "string" | "punct" | "nl"
  readonly text: string
  readonly line: number
  /** Offsets of the token in the input (end exclusive; a string's quotes included). */
  readonly pos: number
  readonly end: number
}

const PUNCT = new Set(["{", "}", ";", ",", ":"])

/**
 * Splits nft's input language into tokens (scanner.l, reduced): `#` comments to the end of the line, double-quoted
 * strings, the punctuation `{ } ; , :`, and words (everything else up to a space). Chain names such as
 * `endpoint-…/p80__10.180.0.2/80` are single words; the concatenation operator `.` is a word of its own.
 */
export const tokenize = (text: string): NftToken[] => {
  const out: NftToken[] = []
  let line = 1
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i] as string
    if (c === "\n") {
      out.push({ kind: "nl", text: "\n", line, pos: i, end: i + 1 })
      line++
      i++
    } else if (c === " " || c === "\t" || c === "\r") i++
    else if (c === "\\" && text[i + 1] === "\n") {
      // A backslash-newline continues the line.
      line++
      i += 2
    } else if (c === "#") {
      while (i < n && text[i] !== "\n") i++
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1)
      if (end < 0 || text.slice(i + 1, end).includes("\n")) throw new NftError(line, "unterminated string")
      out.push({ kind: "string", text: text.slice(i + 1, end), line, pos: i, end: end + 1 })
      i = end + 1
    } else if (PUNCT.has(c)) {
      out.push({ kind: "punct", text: c, line, pos: i, end: i + 1 })
      i++
    } else {
      let j = i
      while (j < n) {
        const d = text[j] as string
        if (d === " " || d === "\t" || d === "\r" || d === "\n" || d === '"' || d === "#" || PUNCT.has(d)) break
        j++
      }
      out.push({ kind: "word", text: text.slice(i, j), line, pos: i, end: j })
      i = j
    }
  }
  out.push({ kind: "nl", text: "\n", line, pos: n, end: n })
  return out
}
