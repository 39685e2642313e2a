import { ENDPOINT_ENTRY_FIELDS, RECORD_FIELDS, isRecordKind, type FieldType } from "./fields"
import { RecordError } from "./record-error"
import { byCodeUnits, compareEntries, show } from "./serialise"
import type { RunRecord } from "./types"

/**
 * JSON Lines reader for run records, for tests and the CLI (report has its own Schema decoder). Checks
 * every documented field's presence and type; builds each record with its fields in documented order.
 * Following the contract's forward-compatibility rules, a line of unknown `kind` is skipped and fields
 * beyond the documented ones are ignored.
 */

/** Parses one line. Returns null for a record of unknown kind. `where` prefixes error messages. */
export const parseRecordLine = (line: string, where = "record"): RunRecord | null => {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch (e) {
    throw new RecordError(`${where}: not JSON (${(e as Error).message})`)
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new RecordError(`${where}: expected a JSON object, got ${show(raw)}`)
  const obj = raw as Readonly<Record<string, unknown>>
  const kind = obj["kind"]
  if (typeof kind !== "string") throw new RecordError(`${where}: field "kind": expected a string, got ${show(kind)}`)
  if (!isRecordKind(kind)) return null
  const out: Record<string, unknown> = { kind }
  for (const [name, type] of RECORD_FIELDS[kind]) {
    const field = name as string
    if (!Object.hasOwn(obj, field)) throw new RecordError(`${where}: record kind "${kind}" is missing field "${field}"`)
    out[field] = check(`${where}: record kind "${kind}" field "${field}"`, type, obj[field])
  }
  return out as unknown as RunRecord
}

/** Parses JSON Lines text; blank lines and records of unknown kind are skipped. `source` names the file in errors. */
export const parseRecords = (text: string, source = "records.jsonl"): RunRecord[] => {
  const out: RunRecord[] = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line.trim() === "") continue
    const r = parseRecordLine(line, `${source}:${i + 1}`)
    if (r !== null) out.push(r)
  }
  return out
}

/**
 * A record as `parseRecordLine(serialiseRecord(r))` returns it, without the text between: fields in documented
 * order and nothing else, `null` for an absent optional value, `endpoints` and `shares` in the serialiser's
 * sorted order, -0 as 0. What a reader of the run's records.jsonl gets, for a reader in the same process (the
 * CLI's reports: a 1,000-node run's records are a gigabyte of text to write and read back). Throws RecordError,
 * naming kind and field, where serialising would.
 */
export const canonicalRecord = (r: RunRecord): RunRecord => canonicalWith(r, new WeakMap())

/**
 * `canonicalRecord` of each record, in one pass that converts each `endpoints` list and `shares` object once
 * however many records hold it (kube-proxy's records share them between nodes in step: a thousand nodes'
 * records are a handful of distinct objects), and the results share them too. The records must not change
 * during the pass (a RecordLog's records never change).
 */
export const canonicalRecords = (rs: ReadonlyArray<RunRecord>): RunRecord[] => {
  const memo: Canonical = new WeakMap()
  const out: RunRecord[] = new Array(rs.length)
  for (let i = 0; i < rs.length; i++) out[i] = canonicalWith(rs[i] as RunRecord, memo)
  return out
}

/** Canonical copies of the collections converted so far in a pass, by the identity of what was converted. */
type Canonical = WeakMap<object, unknown>

const canonicalWith = (r: RunRecord, memo: Canonical): RunRecord => {
  const kind = (r as { kind: unknown }).kind
  if (typeof kind !== "string" || !isRecordKind(kind)) throw new RecordError(`cannot serialise a record of unknown kind ${show(kind)}`)
  const obj = r as unknown as Readonly<Record<string, unknown>>
  const out: Record<string, unknown> = { kind }
  for (const [name, type] of RECORD_FIELDS[kind]) {
    const field = name as string
    const v = obj[field]
    out[field] = check(`record kind "${kind}" field "${field}"`, type, v === undefined && type.t.endsWith("?") ? null : v, memo)
  }
  return out as unknown as RunRecord
}

/** Entries by key, in the serialiser's order. */
const byKey = (a: readonly [string, unknown], b: readonly [string, unknown]): number => byCodeUnits(a[0], b[0])

/**
 * Checks a field's value against its type and returns it as a record holds it. With `canonical`, in the
 * serialiser's form (entries and keys sorted, -0 as JSON writes it: 0), each collection converted once.
 */
const check = (where: string, type: FieldType, v: unknown, canonical?: Canonical): unknown => {
  switch (type.t) {
    case "int":
      if (typeof v === "number" && Number.isSafeInteger(v)) return canonical !== undefined ? v + 0 : v
      return fail(where, "an integer", v)
    case "int?":
      if (v === null) return v
      if (typeof v === "number" && Number.isSafeInteger(v)) return canonical !== undefined ? v + 0 : v
      return fail(where, "an integer or null", v)
    case "str":
      if (typeof v === "string") return v
      return fail(where, "a string", v)
    case "str?":
      if (v === null || typeof v === "string") return v
      return fail(where, "a string or null", v)
    case "bool":
      if (typeof v === "boolean") return v
      return fail(where, "a boolean", v)
    case "enum":
      if (typeof v === "string" && type.values.includes(v)) return v
      return fail(where, `one of ${type.values.join(", ")}`, v)
    case "enum?":
      if (v === null || (typeof v === "string" && type.values.includes(v))) return v
      return fail(where, `one of ${type.values.join(", ")} or null`, v)
    case "hex16":
      if (typeof v === "string" && /^[0-9a-f]{16}$/.test(v)) return v
      return fail(where, "16 lower-case hex digits", v)
    case "endpoints": {
      if (!Array.isArray(v)) return fail(where, "an array of endpoint entries", v)
      const known = canonical?.get(v)
      if (known !== undefined) return known
      const entries = v.map((e: unknown, i) => {
        if (typeof e !== "object" || e === null || Array.isArray(e)) return fail(`${where}[${i}]`, "an object", e)
        const entry: Record<string, unknown> = {}
        ENDPOINT_ENTRY_FIELDS.forEach((f, j) => {
          const fv = (e as Record<string, unknown>)[f]
          entry[f] = check(`${where}[${i}].${f}`, j < 3 ? { t: "str" } : { t: "bool" }, fv)
        })
        return entry
      })
      if (canonical === undefined) return entries
      canonical.set(v, entries.sort(compareEntries as (a: unknown, b: unknown) => number))
      return entries
    }
    case "shares": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(where, "an object of service port → { endpoint: share }", v)
      const known = canonical?.get(v)
      if (known !== undefined) return known
      // Entries are defined, not assigned: a key such as "__proto__" stays an own property, as JSON.parse made it.
      const out: Array<[string, Readonly<Record<string, number>>]> = []
      for (const [svc, inner] of Object.entries(v)) {
        if (typeof inner !== "object" || inner === null || Array.isArray(inner)) return fail(`${where}[${svc}]`, "an object of endpoint → share", inner)
        out.push([svc, shareRow(`${where}[${svc}]`, inner as object, canonical)])
      }
      if (canonical === undefined) return Object.fromEntries(out)
      const shares = Object.fromEntries(out.sort(byKey))
      canonical.set(v, shares)
      return shares
    }
  }
}

/** One service port's `{ endpoint: share }`, checked (and with `canonical`, sorted, converted once). */
const shareRow = (where: string, inner: object, canonical: Canonical | undefined): Readonly<Record<string, number>> => {
  const known = canonical?.get(inner)
  if (known !== undefined) return known as Readonly<Record<string, number>>
  const m: Array<[string, number]> = []
  for (const [ep, p] of Object.entries(inner)) {
    if (typeof p !== "number" || !Number.isFinite(p)) return fail(`${where}[${ep}]`, "a finite number", p)
    m.push([ep, canonical !== undefined ? p + 0 : p])
  }
  if (canonical === undefined) return Object.fromEntries(m)
  const row = Object.fromEntries(m.sort(byKey))
  canonical.set(inner, row)
  return row
}

const fail = (where: string, expected: string, got: unknown): never => {
  throw new RecordError(`${where}: expected ${expected}, got ${show(got)}`)
}
