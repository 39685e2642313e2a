import fc from "fast-check"
import type {
  ActionRecord,
  DnsRecord,
  DropRecord,
  EndpointEntry,
  EndpointsRecord,
  PhaseRecord,
  RequestRecord,
  RulesRecord,
  RunEndRecord,
  RunRecord,
  ServiceRecord,
} from "../types"

/** Arbitraries for every record kind of docs/records.md, for round-trip tests here and elsewhere. */

// Text that exercises JSON escaping: quotes, backslashes, control characters, non-ASCII, lone surrogates.
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom("", "\"", "\\", "\n\t", "µs", "\ud800"))
const textOrNull = fc.option(text, { nil: null })
const time = fc.nat({ max: Number.MAX_SAFE_INTEGER })
const timeOrNull = fc.option(time, { nil: null })
const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 })
const intOrNull = fc.option(int, { nil: null })

export const requestRecord: fc.Arbitrary<RequestRecord> = fc.record({
  kind: fc.constant("request" as const),
  id: fc.nat(),
  t: time,
  end: timeOrNull,
  client: text,
  clientIp: text,
  phase: textOrNull,
  service: textOrNull,
  url: text,
  dst: text,
  node: textOrNull,
  endpoint: textOrNull,
  pod: textOrNull,
  sourceIp: textOrNull,
  outcome: fc.constantFrom("ok" as const, "failed" as const, "in-flight" as const),
  cause: fc.constantFrom(null, "refused" as const, "reset" as const, "timeout" as const, "rejected" as const, "dns" as const, "unreachable" as const),
  latency: timeOrNull,
  status: intOrNull,
  connection: fc.nat(),
})

export const dnsRecord: fc.Arbitrary<DnsRecord> = fc.record({
  kind: fc.constant("dns" as const),
  t: time,
  lookup: fc.nat(),
  client: text,
  name: text,
  qtype: fc.constantFrom("A" as const, "AAAA" as const, "SRV" as const, "PTR" as const, "CNAME" as const),
  server: text,
  rcode: fc.constantFrom(null, "NOERROR" as const, "NXDOMAIN" as const, "SERVFAIL" as const, "REFUSED" as const),
  answers: fc.nat(50),
  latency: timeOrNull,
})

export const serviceRecord: fc.Arbitrary<ServiceRecord> = fc.record({
  kind: fc.constant("service" as const),
  t: time,
  service: text,
  type: fc.constantFrom("ClusterIP" as const, "NodePort" as const, "LoadBalancer" as const, "ExternalName" as const),
  clusterIP: textOrNull,
  port: fc.integer({ min: 1, max: 65535 }),
  protocol: fc.constantFrom("TCP" as const, "UDP" as const, "SCTP" as const),
  nodePort: fc.option(fc.integer({ min: 30000, max: 32767 }), { nil: null }),
  sessionAffinity: fc.constantFrom("None" as const, "ClientIP" as const),
  affinityTimeoutSeconds: intOrNull,
  externalTrafficPolicy: textOrNull,
  internalTrafficPolicy: textOrNull,
  deleted: fc.boolean(),
})

export const endpointEntry: fc.Arbitrary<EndpointEntry> = fc.record({
  endpoint: text,
  pod: text,
  node: text,
  ready: fc.boolean(),
  serving: fc.boolean(),
  terminating: fc.boolean(),
})

export const endpointsRecord: fc.Arbitrary<EndpointsRecord> = fc.record({
  kind: fc.constant("endpoints" as const),
  t: time,
  service: text,
  endpoints: fc.array(endpointEntry, { maxLength: 6 }),
})

export const rulesRecord: fc.Arbitrary<RulesRecord> = fc.record({
  kind: fc.constant("rules" as const),
  t: time,
  node: text,
  mode: fc.constantFrom("iptables" as const, "nftables" as const, "ipvs" as const),
  full: fc.boolean(),
  services: fc.nat(1000),
  rules: fc.nat(100000),
  shares: fc.dictionary(text, fc.dictionary(text, fc.double({ min: 0, max: 1, noNaN: true }), { maxKeys: 4 }), { maxKeys: 3 }),
})

export const actionRecord: fc.Arbitrary<ActionRecord> = fc.record({
  kind: fc.constant("action" as const),
  t: time,
  actor: text,
  verb: text,
  object: text,
  detail: textOrNull,
})

export const phaseRecord: fc.Arbitrary<PhaseRecord> = fc.record({ kind: fc.constant("phase" as const), t: time, name: text })

export const dropRecord: fc.Arbitrary<DropRecord> = fc.record({
  kind: fc.constant("drop" as const),
  t: time,
  host: text,
  reason: text,
  protocol: fc.constantFrom("tcp" as const, "udp" as const, "icmp" as const),
  src: text,
  dst: text,
})

export const runEndRecord: fc.Arbitrary<RunEndRecord> = fc.record({
  kind: fc.constant("run-end" as const),
  t: time,
  events: fc.nat(),
  traceHash: fc.stringMatching(/^[0-9a-f]{16}$/),
})

export const runRecord: fc.Arbitrary<RunRecord> = fc.oneof(
  requestRecord,
  dnsRecord,
  serviceRecord,
  endpointsRecord,
  rulesRecord,
  actionRecord,
  phaseRecord,
  dropRecord,
  runEndRecord,
)
