import type { RecordKind, RecordOfKind } from "./types"

/**
 * The documented field order of every record kind (docs/records.md) with each field's type: the one
 * table the serialiser writes from and the parser checks against.
 */
export type FieldType =
  | { readonly t: "int" }
  | { readonly t: "int?" }
  | { readonly t: "str" }
  | { readonly t: "str?" }
  | { readonly t: "bool" }
  | { readonly t: "enum"; readonly values: readonly string[] }
  | { readonly t: "enum?"; readonly values: readonly string[] }
  | { readonly t: "hex16" }
  | { readonly t: "endpoints" }
  | { readonly t: "shares" }

const int = { t: "int" } as const
const intOpt = { t: "int?" } as const
const str = { t: "str" } as const
const strOpt = { t: "str?" } as const
const bool = { t: "bool" } as const
const oneOf = (...values: string[]): FieldType => ({ t: "enum", values })
const oneOfOpt = (...values: string[]): FieldType => ({ t: "enum?", values })

/** Every field after `kind`, in order; the mapped type makes a missing or misspelt field a type error. */
type FieldTable = {
  readonly [K in RecordKind]: ReadonlyArray<readonly [Exclude<keyof RecordOfKind<K>, "kind">, FieldType]>
}

export const RECORD_FIELDS: FieldTable = {
  request: [
    ["id", int],
    ["t", int],
    ["end", intOpt],
    ["client", str],
    ["clientIp", str],
    ["phase", strOpt],
    ["service", strOpt],
    ["url", str],
    ["dst", str],
    ["node", strOpt],
    ["endpoint", strOpt],
    ["pod", strOpt],
    ["sourceIp", strOpt],
    ["outcome", oneOf("ok", "failed", "in-flight")],
    ["cause", oneOfOpt("refused", "reset", "timeout", "rejected", "dns", "unreachable")],
    ["latency", intOpt],
    ["status", intOpt],
    ["connection", int],
  ],
  dns: [
    ["t", int],
    ["lookup", int],
    ["client", str],
    ["name", str],
    ["qtype", oneOf("A", "AAAA", "SRV", "PTR", "CNAME")],
    ["server", str],
    ["rcode", oneOfOpt("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED")],
    ["answers", int],
    ["latency", intOpt],
  ],
  service: [
    ["t", int],
    ["service", str],
    ["type", oneOf("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")],
    ["clusterIP", strOpt],
    ["port", int],
    ["protocol", oneOf("TCP", "UDP", "SCTP")],
    ["nodePort", intOpt],
    ["sessionAffinity", oneOf("None", "ClientIP")],
    ["affinityTimeoutSeconds", intOpt],
    ["externalTrafficPolicy", strOpt],
    ["internalTrafficPolicy", strOpt],
    ["deleted", bool],
  ],
  endpoints: [
    ["t", int],
    ["service", str],
    ["endpoints", { t: "endpoints" }],
  ],
  rules: [
    ["t", int],
    ["node", str],
    ["mode", oneOf("iptables", "nftables", "ipvs")],
    ["full", bool],
    ["services", int],
    ["rules", int],
    ["shares", { t: "shares" }],
  ],
  action: [
    ["t", int],
    ["actor", str],
    ["verb", str],
    ["object", str],
    ["detail", strOpt],
  ],
  phase: [
    ["t", int],
    ["name", str],
  ],
  drop: [
    ["t", int],
    ["host", str],
    ["reason", str],
    ["protocol", oneOf("tcp", "udp", "icmp")],
    ["src", str],
    ["dst", str],
  ],
  "run-end": [
    ["t", int],
    ["events", int],
    ["traceHash", { t: "hex16" }],
  ],
}

/** The fields of an endpoints entry, in order. */
export const ENDPOINT_ENTRY_FIELDS = ["endpoint", "pod", "node", "ready", "serving", "terminating"] as const

export const RECORD_KINDS: readonly RecordKind[] = Object.keys(RECORD_FIELDS) as RecordKind[]

export const isRecordKind = (k: unknown): k is RecordKind => typeof k === "string" && Object.hasOwn(RECORD_FIELDS, k)
