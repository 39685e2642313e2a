import { Effect, Either, ParseResult, Schema } from "effect"
import { RecordsDecodeError } from "./errors"
import { recordSchemas } from "./schema"
import type { RulesRecord, RunRecord } from "./schema"

type Decoder = (input: unknown) => Either.Either<RunRecord, ParseResult.ParseError>

// One compiled decoder per kind, built once: decoding a 1e6-line file must not rebuild them per line.
const decoders: Readonly<Record<string, Decoder>> = Object.fromEntries(
  Object.entries(recordSchemas).map(([kind, schema]) => [
    kind,
    Schema.decodeUnknownEither(schema as Schema.Schema<RunRecord, RunRecord>, { errors: "first" }),
  ]),
)

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("")

const parseError = (file: string, line: number, error: ParseResult.ParseError): RecordsDecodeError => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const first = issues[0]
  return new RecordsDecodeError({
    file,
    line,
    field: first === undefined ? "" : formatPath(first.path),
    expected: first === undefined ? "invalid record" : first.message,
  })
}

/**
 * Decodes one JSON Lines line. Returns null for a blank line or a record of a kind this reader does not know
 * (docs/records.md: unknown kinds must be ignored); throws RecordsDecodeError otherwise.
 */
export const decodeRecordLine = (text: string, line: number, file: string): RunRecord | null => {
  if (text.trim() === "") return null
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new RecordsDecodeError({ file, line, field: "", expected: `not JSON: ${(cause as Error).message}` })
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RecordsDecodeError({ file, line, field: "", expected: "expected a JSON object" })
  }
  const kind = (json as { kind?: unknown }).kind
  if (typeof kind !== "string") {
    throw new RecordsDecodeError({ file, line, field: "kind", expected: "expected a string naming the record kind" })
  }
  const decode = Object.hasOwn(decoders, kind) ? decoders[kind] : undefined
  if (decode === undefined) return null
  const result = decode(json)
  if (Either.isLeft(result)) throw parseError(file, line, result.left)
  return result.right
}

/**
 * A `rules` line as kubesim writes it, up to its `shares` value: the fields in documented order, `shares` last.
 * What follows, up to the line's closing brace, is the shares object's text.
 */
const RULES_HEAD = /^\{"kind":"rules","t":-?\d+,"node":"(?:[^"\\]|\\.)*","mode":"(?:[^"\\]|\\.)*","full":(?:true|false),"services":-?\d+,"rules":-?\d+,"shares":/

type Shares = RulesRecord["shares"]

/**
 * `decodeRecordLine` for the lines of one file, in order, reusing what it decoded before. Every node's kube-proxy
 * writes a `rules` line per sync, and nodes in step write the same shares (a 1,000-node run: 119,000 lines, a
 * gigabyte, few distinct shares texts). A shares text met again is not parsed again: the line's other fields
 * are decoded and the shares object decoded the first time is shared (records are read, never changed). A text
 * is reused only if it was exactly one JSON object (nothing after it could override a field), so each result
 * equals decodeRecordLine's.
 */
export const recordLineDecoder = (): ((text: string, line: number, file: string) => RunRecord | null) => {
  const known = new Map<string, Shares>()
  return (text, line, file) => {
    const head = RULES_HEAD.exec(text)
    if (head === null || text.charCodeAt(text.length - 1) !== 0x7d) return decodeRecordLine(text, line, file)
    const sharesText = text.slice(head[0].length, -1)
    const shares = known.get(sharesText)
    if (shares !== undefined) {
      const rest = decodeRecordLine(`${head[0]}{}}`, line, file) as RulesRecord
      return { ...rest, shares }
    }
    const record = decodeRecordLine(text, line, file)
    if (record !== null && record.kind === "rules" && isOneObject(sharesText)) known.set(flatCopy(sharesText), record.shares)
    return record
  }
}

const isOneObject = (text: string): boolean => {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === "object" && v !== null && !Array.isArray(v)
  } catch {
    return false
  }
}

/** A copy that does not hold on to the text it was cut from (a map key would keep a whole 16 MB read chunk alive). */
const flatCopy = (s: string): string => (s + " ").slice(0, -1)

/** Decodes a whole `records.jsonl` text, throwing RecordsDecodeError at the first bad line. */
export const decodeRecordsJsonlSync = (text: string, file = "records.jsonl"): RunRecord[] => {
  const out: RunRecord[] = []
  const decode = recordLineDecoder()
  let start = 0
  let line = 0
  while (start < text.length) {
    let stop = text.indexOf("\n", start)
    if (stop < 0) stop = text.length
    line++
    const record = decode(text.slice(start, stop), line, file)
    if (record !== null) out.push(record)
    start = stop + 1
  }
  return out
}

/** `decodeRecordsJsonlSync` as an Effect with a typed error. */
export const decodeRecordsJsonl = (text: string, file = "records.jsonl"): Effect.Effect<RunRecord[], RecordsDecodeError> =>
  Effect.try({
    try: () => decodeRecordsJsonlSync(text, file),
    catch: (e) =>
      e instanceof RecordsDecodeError ? e : new RecordsDecodeError({ file, line: 0, field: "", expected: String(e) }),
  })
