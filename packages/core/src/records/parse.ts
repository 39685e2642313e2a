import { ENDPOINT_ENTRY_FIELDS, RECORD_FIELDS, isRecordKind, type FieldType } from "./fields"
import { RecordError } from "./record-error"
import { show } from "./serialise"
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

const check = (where: string, type: FieldType, v: unknown): unknown => {
  switch (type.t) {
    case "int":
      if (typeof v === "number" && Number.isSafeInteger(v)) return v
      return fail(where, "an integer", v)
    case "int?":
      if (v === null || (typeof v === "number" && Number.isSafeInteger(v))) return v
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
      return v.map((e: unknown, i) => {
        if (typeof e !== "object" || e === null || Array.isArray(e)) return fail(`${where}[${i}]`, "an object", e)
        const entry: Record<string, unknown> = {}
        ENDPOINT_ENTRY_FIELDS.forEach((f, j) => {
          const fv = (e as Record<string, unknown>)[f]
          entry[f] = check(`${where}[${i}].${f}`, j < 3 ? { t: "str" } : { t: "bool" }, fv)
        })
        return entry
      })
    }
    case "shares": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(where, "an object of service port → { endpoint: share }", v)
      // Entries are defined, not assigned: a key such as "__proto__" stays an own property, as JSON.parse made it.
      const out: Array<[string, Record<string, number>]> = []
      for (const [svc, inner] of Object.entries(v)) {
        if (typeof inner !== "object" || inner === null || Array.isArray(inner)) return fail(`${where}[${svc}]`, "an object of endpoint → share", inner)
        const m: Array<[string, number]> = []
        for (const [ep, p] of Object.entries(inner as object)) {
          if (typeof p !== "number" || !Number.isFinite(p)) return fail(`${where}[${svc}][${ep}]`, "a finite number", p)
          m.push([ep, p])
        }
        out.push([svc, Object.fromEntries(m)])
      }
      return Object.fromEntries(out)
    }
  }
}

const fail = (where: string, expected: string, got: unknown): never => {
  throw new RecordError(`${where}: expected ${expected}, got ${show(got)}`)
}
