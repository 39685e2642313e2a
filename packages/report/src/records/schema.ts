import { Schema } from "effect"

// The record contract is docs/records.md (schema version 1); one Schema per kind, fields in the documented order.
// Excess fields are ignored (a new field is appended at the end of its kind), so older readers keep working.

const Int = Schema.Number.pipe(Schema.int())
const Nanos = Int.pipe(Schema.nonNegative())
const NullableString = Schema.NullOr(Schema.String)

export const RequestOutcome = Schema.Literal("ok", "failed", "in-flight")
export type RequestOutcome = typeof RequestOutcome.Type

export const RequestRecord = Schema.Struct({
  kind: Schema.Literal("request"),
  id: Int,
  t: Nanos,
  end: Schema.NullOr(Nanos),
  client: Schema.String,
  clientIp: Schema.String,
  phase: NullableString,
  service: NullableString,
  url: Schema.String,
  dst: Schema.String,
  node: NullableString,
  endpoint: NullableString,
  pod: NullableString,
  sourceIp: NullableString,
  outcome: RequestOutcome,
  cause: NullableString,
  latency: Schema.NullOr(Nanos),
  status: Schema.NullOr(Int),
  connection: Int,
})
export type RequestRecord = typeof RequestRecord.Type

export const DnsRecord = Schema.Struct({
  kind: Schema.Literal("dns"),
  t: Nanos,
  lookup: Int,
  client: Schema.String,
  name: Schema.String,
  qtype: Schema.String,
  server: Schema.String,
  rcode: NullableString,
  answers: Int,
  latency: Schema.NullOr(Nanos),
})
export type DnsRecord = typeof DnsRecord.Type

export const ServiceRecord = Schema.Struct({
  kind: Schema.Literal("service"),
  t: Nanos,
  service: Schema.String,
  type: Schema.String,
  clusterIP: NullableString,
  port: Int,
  protocol: Schema.String,
  nodePort: Schema.NullOr(Int),
  sessionAffinity: Schema.String,
  affinityTimeoutSeconds: Schema.NullOr(Int),
  externalTrafficPolicy: NullableString,
  internalTrafficPolicy: NullableString,
  deleted: Schema.Boolean,
})
export type ServiceRecord = typeof ServiceRecord.Type

export const EndpointEntry = Schema.Struct({
  endpoint: Schema.String,
  pod: Schema.String,
  node: Schema.String,
  ready: Schema.Boolean,
  serving: Schema.Boolean,
  terminating: Schema.Boolean,
})
export type EndpointEntry = typeof EndpointEntry.Type

export const EndpointsRecord = Schema.Struct({
  kind: Schema.Literal("endpoints"),
  t: Nanos,
  service: Schema.String,
  endpoints: Schema.Array(EndpointEntry),
})
export type EndpointsRecord = typeof EndpointsRecord.Type

export const RulesRecord = Schema.Struct({
  kind: Schema.Literal("rules"),
  t: Nanos,
  node: Schema.String,
  mode: Schema.String,
  full: Schema.Boolean,
  services: Int,
  rules: Int,
  shares: Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Schema.Number }) }),
})
export type RulesRecord = typeof RulesRecord.Type

export const ActionRecord = Schema.Struct({
  kind: Schema.Literal("action"),
  t: Nanos,
  actor: Schema.String,
  verb: Schema.String,
  object: Schema.String,
  detail: NullableString,
})
export type ActionRecord = typeof ActionRecord.Type

export const PhaseRecord = Schema.Struct({
  kind: Schema.Literal("phase"),
  t: Nanos,
  name: Schema.String,
})
export type PhaseRecord = typeof PhaseRecord.Type

export const DropRecord = Schema.Struct({
  kind: Schema.Literal("drop"),
  t: Nanos,
  host: Schema.String,
  reason: Schema.String,
  protocol: Schema.String,
  src: Schema.String,
  dst: Schema.String,
})
export type DropRecord = typeof DropRecord.Type

export const RunEndRecord = Schema.Struct({
  kind: Schema.Literal("run-end"),
  t: Nanos,
  events: Int,
  traceHash: Schema.String,
})
export type RunEndRecord = typeof RunEndRecord.Type

/** Every record kind this reader knows; other kinds are skipped when decoding. */
export type RunRecord =
  | RequestRecord
  | DnsRecord
  | ServiceRecord
  | EndpointsRecord
  | RulesRecord
  | ActionRecord
  | PhaseRecord
  | DropRecord
  | RunEndRecord

export type RecordKind = RunRecord["kind"]

/** The schema for each known kind, looked up by the line's `kind` before decoding. */
export const recordSchemas = {
  request: RequestRecord,
  dns: DnsRecord,
  service: ServiceRecord,
  endpoints: EndpointsRecord,
  rules: RulesRecord,
  action: ActionRecord,
  phase: PhaseRecord,
  drop: DropRecord,
  "run-end": RunEndRecord,
} as const
