import { ENDPOINT_ENTRY_FIELDS, RECORD_FIELDS, type FieldType } from "./fields"
import { RecordError } from "./record-error"
import type { EndpointEntry, RecordKind, RunRecord, Shares } from "./types"

/**
 * JSON Lines writer for run records: each kind's fields in exactly the documented order, `null` for absent
 * optional values, and a canonical form for the two collections — `endpoints` sorted by `endpoint` (then the other fields), `shares`
 * keys sorted — so equal records give byte-identical lines whatever order they were built in. Sorting is by
 * UTF-16 code units (`<`), never locale-dependent.
 *
 * Values are checked against their documented types on the way out (an integer field holding 1.5, NaN or a
 * string is an error naming the kind and field): JSON.stringify would silently turn NaN into null.
 */

interface Plan {
  readonly head: string
  readonly fields: ReadonlyArray<readonly [string, string, FieldType]>
}

// Per kind: the opening `{"kind":"…"` and, per field, its name and the literal `,"name":` written before it.
const PLANS = new Map<string, Plan>(
  (Object.keys(RECORD_FIELDS) as RecordKind[]).map((kind) => [
    kind,
    {
      head: `{"kind":${JSON.stringify(kind)}`,
      fields: RECORD_FIELDS[kind].map(([name, type]) => [name as string, `,${JSON.stringify(name)}:`, type] as const),
    },
  ]),
)

/**
 * The text of each `endpoints` list and `shares` object written so far in one pass, by identity: kube-proxy's
 * records share them between nodes in step, so a thousand nodes' records write a handful of distinct texts.
 * Valid while the objects do not change (a RecordLog's records never do).
 */
export type SerialisedCollections = WeakMap<object, string>

/** One record as one JSON line (without the newline); `seen` reuses collections' text within a pass. */
export const serialiseRecord = (r: RunRecord, seen?: SerialisedCollections): string => {
  const plan = PLANS.get((r as { kind: unknown }).kind as string)
  if (plan === undefined) throw new RecordError(`cannot serialise a record of unknown kind ${JSON.stringify((r as { kind: unknown }).kind)}`)
  const obj = r as unknown as Readonly<Record<string, unknown>>
  let out = plan.head
  const fields = plan.fields
  for (let i = 0; i < fields.length; i++) {
    const [name, prefix, type] = fields[i] as readonly [string, string, FieldType]
    out += prefix
    const v = obj[name]
    if (seen !== undefined && (type.t === "endpoints" || type.t === "shares") && typeof v === "object" && v !== null) {
      let text = seen.get(v)
      if (text === undefined) seen.set(v, (text = value(r.kind, name, type, v)))
      out += text
    } else out += value(r.kind, name, type, v)
  }
  return out + "}"
}

/** Records as JSON Lines text: one line each, each ending in "\n". */
export const toJsonl = (records: Iterable<RunRecord>): string => {
  // Joined once: appending line by line would leave a rope of a million string pieces (tens of MB at scale).
  const lines: string[] = []
  for (const r of records) lines.push(serialiseRecord(r))
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}

const value = (kind: string, name: string, type: FieldType, v: unknown): string => {
  switch (type.t) {
    case "int":
      if (typeof v === "number" && Number.isSafeInteger(v)) return String(v)
      return bad(kind, name, "an integer", v)
    case "int?":
      if (v === null || v === undefined) return "null"
      if (typeof v === "number" && Number.isSafeInteger(v)) return String(v)
      return bad(kind, name, "an integer or null", v)
    case "str":
      if (typeof v === "string") return JSON.stringify(v)
      return bad(kind, name, "a string", v)
    case "str?":
      if (v === null || v === undefined) return "null"
      if (typeof v === "string") return JSON.stringify(v)
      return bad(kind, name, "a string or null", v)
    case "bool":
      if (v === true) return "true"
      if (v === false) return "false"
      return bad(kind, name, "a boolean", v)
    case "enum":
      if (typeof v === "string" && type.values.includes(v)) return JSON.stringify(v)
      return bad(kind, name, `one of ${type.values.join(", ")}`, v)
    case "enum?":
      if (v === null || v === undefined) return "null"
      if (typeof v === "string" && type.values.includes(v)) return JSON.stringify(v)
      return bad(kind, name, `one of ${type.values.join(", ")} or null`, v)
    case "hex16":
      if (typeof v === "string" && /^[0-9a-f]{16}$/.test(v)) return JSON.stringify(v)
      return bad(kind, name, "16 lower-case hex digits", v)
    case "endpoints":
      if (Array.isArray(v)) return endpoints(kind, name, v as ReadonlyArray<EndpointEntry>)
      return bad(kind, name, "an array of endpoint entries", v)
    case "shares":
      if (typeof v === "object" && v !== null && !Array.isArray(v)) return shares(kind, name, v as Shares)
      return bad(kind, name, "an object of service port → { endpoint: share }", v)
  }
}

/** UTF-16 code-unit order (`<`), never locale-dependent: the order of sorted endpoints and shares keys. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** By `endpoint`, then (for duplicates, which a real slice never has) every other field, so the order is total. */
export const compareEntries = (a: EndpointEntry, b: EndpointEntry): number =>
  byCodeUnits(a.endpoint, b.endpoint) ||
  byCodeUnits(a.pod, b.pod) ||
  byCodeUnits(a.node, b.node) ||
  Number(a.ready) - Number(b.ready) ||
  Number(a.serving) - Number(b.serving) ||
  Number(a.terminating) - Number(b.terminating)

const endpoints = (kind: string, name: string, list: ReadonlyArray<EndpointEntry>): string => {
  const sorted = list.slice().sort(compareEntries)
  let out = "["
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i] as EndpointEntry
    if (typeof e !== "object" || e === null) bad(kind, `${name}[${i}]`, "an endpoint entry", e)
    if (i > 0) out += ","
    out += "{"
    for (let j = 0; j < ENDPOINT_ENTRY_FIELDS.length; j++) {
      const f = ENDPOINT_ENTRY_FIELDS[j] as (typeof ENDPOINT_ENTRY_FIELDS)[number]
      if (j > 0) out += ","
      out += `"${f}":`
      out += value(kind, `${name}[${i}].${f}`, j < 3 ? { t: "str" } : { t: "bool" }, e[f])
    }
    out += "}"
  }
  return out + "]"
}

const shares = (kind: string, name: string, s: Shares): string => {
  const services = Object.keys(s).sort(byCodeUnits)
  let out = "{"
  for (let i = 0; i < services.length; i++) {
    const svc = services[i] as string
    const inner = s[svc]
    if (typeof inner !== "object" || inner === null || Array.isArray(inner)) bad(kind, `${name}[${svc}]`, "an object of endpoint → share", inner)
    if (i > 0) out += ","
    out += JSON.stringify(svc) + ":{"
    const eps = Object.keys(inner as object).sort(byCodeUnits)
    for (let j = 0; j < eps.length; j++) {
      const ep = eps[j] as string
      const p = (inner as Readonly<Record<string, number>>)[ep]
      if (typeof p !== "number" || !Number.isFinite(p)) bad(kind, `${name}[${svc}][${ep}]`, "a finite number", p)
      if (j > 0) out += ","
      out += JSON.stringify(ep) + ":" + JSON.stringify(p)
    }
    out += "}"
  }
  return out + "}"
}

const bad = (kind: string, field: string, expected: string, got: unknown): never => {
  throw new RecordError(`record kind "${kind}" field "${field}": expected ${expected}, got ${show(got)}`)
}

export const show = (v: unknown): string => {
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v)
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)
  if (Array.isArray(v)) return "an array"
  return typeof v === "object" ? "an object" : typeof v
}
