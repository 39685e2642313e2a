/**
 * The run records of docs/records.md (schema version 1): the contract between the core, which writes them,
 * and `report`, which reads nothing else. Times are integer nanoseconds of simulated time; an absent
 * optional value is `null`. Field order in these interfaces is the documented (serialised) order.
 */

export const RECORDS_SCHEMA_VERSION = 1

export type RequestOutcome = "ok" | "failed" | "in-flight"
/** Why a request failed (docs/records.md, `request.cause`). */
export type FailureCause = "refused" | "reset" | "timeout" | "rejected" | "dns" | "unreachable"

/** One client request, written when it ends (or at the end of the run if still in flight). */
export interface RequestRecord {
  readonly kind: "request"
  readonly id: number
  readonly t: number
  readonly end: number | null
  readonly client: string
  readonly clientIp: string
  readonly phase: string | null
  /** A ServicePortName string, `<namespace>/<name>:<port name>` (`<namespace>/<name>` for an unnamed port). */
  readonly service: string | null
  readonly url: string
  readonly dst: string
  readonly node: string | null
  /** `ip:port`. */
  readonly endpoint: string | null
  readonly pod: string | null
  readonly sourceIp: string | null
  readonly outcome: RequestOutcome
  readonly cause: FailureCause | null
  readonly latency: number | null
  readonly status: number | null
  readonly connection: number
}

export type DnsQtype = "A" | "AAAA" | "SRV" | "PTR" | "CNAME"
export type DnsRcode = "NOERROR" | "NXDOMAIN" | "SERVFAIL" | "REFUSED"

/** One DNS query datagram sent by a stub resolver. */
export interface DnsRecord {
  readonly kind: "dns"
  readonly t: number
  readonly lookup: number
  readonly client: string
  readonly name: string
  readonly qtype: DnsQtype
  readonly server: string
  readonly rcode: DnsRcode | null
  readonly answers: number
  readonly latency: number | null
}

export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
export type Protocol = "TCP" | "UDP" | "SCTP"
export type SessionAffinity = "None" | "ClientIP"

/** A service port as the API sees it, written when it appears or changes. */
export interface ServiceRecord {
  readonly kind: "service"
  readonly t: number
  readonly service: string
  readonly type: ServiceType
  /** `None` for headless. */
  readonly clusterIP: string | null
  readonly port: number
  readonly protocol: Protocol
  readonly nodePort: number | null
  readonly sessionAffinity: SessionAffinity
  readonly affinityTimeoutSeconds: number | null
  readonly externalTrafficPolicy: string | null
  readonly internalTrafficPolicy: string | null
  readonly deleted: boolean
}

export interface EndpointEntry {
  /** `ip:port`. */
  readonly endpoint: string
  readonly pod: string
  readonly node: string
  readonly ready: boolean
  readonly serving: boolean
  readonly terminating: boolean
}

/** The endpoints of a service port, written when the EndpointSlice controller changes them. */
export interface EndpointsRecord {
  readonly kind: "endpoints"
  readonly t: number
  readonly service: string
  /** Sorted by `endpoint` (the serialiser sorts). */
  readonly endpoints: ReadonlyArray<EndpointEntry>
}

export type ProxyMode = "iptables" | "nftables" | "ipvs"

/** service port → endpoint `ip:port` → the share of ClusterIP traffic this node's rules give it. */
export type Shares = Readonly<Record<string, Readonly<Record<string, number>>>>

/** A node's kube-proxy finished a sync. */
export interface RulesRecord {
  readonly kind: "rules"
  readonly t: number
  readonly node: string
  readonly mode: ProxyMode
  readonly full: boolean
  readonly services: number
  /** Rules the sync wrote: iptables' filter + nat `-A` lines (sync_proxy_rules_iptables_last); nftables' `add rule` lines. */
  readonly rules: number
  readonly shares: Shares
}

/** Something changed the cluster: a scenario action or a controller's action. */
export interface ActionRecord {
  readonly kind: "action"
  readonly t: number
  readonly actor: string
  readonly verb: string
  /** `Kind namespace/name`. */
  readonly object: string
  readonly detail: string | null
}

/** A labelled scenario phase begins. */
export interface PhaseRecord {
  readonly kind: "phase"
  readonly t: number
  readonly name: string
}

export type PacketProtocol = "tcp" | "udp" | "icmp"

/** A packet that ended without delivery. */
export interface DropRecord {
  readonly kind: "drop"
  readonly t: number
  readonly host: string
  readonly reason: string
  readonly protocol: PacketProtocol
  readonly src: string
  readonly dst: string
}

/** The last line of every run. */
export interface RunEndRecord {
  readonly kind: "run-end"
  readonly t: number
  readonly events: number
  /** 16 hex digits. */
  readonly traceHash: string
}

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
export type RecordOfKind<K extends RecordKind> = Extract<RunRecord, { readonly kind: K }>
