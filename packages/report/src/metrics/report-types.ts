import type { ProportionInterval } from "../stats/proportion"
// The report's data model. It is also the JSON schema (packages/report/README.md documents every field): plain
// objects, keys in a fixed order, every number finite or null. Times and durations are integer nanoseconds.

import type { ChiSquare } from "../stats/chi-square"

/** Failure causes of docs/records.md, plus `other` for a failed request with an unknown or null cause. */
export const failureCauses = ["refused", "reset", "timeout", "rejected", "dns", "unreachable", "other"] as const
export type FailureCause = (typeof failureCauses)[number]
export type ByCause = Record<FailureCause, number>

export interface RequestTotals {
  readonly total: number
  readonly byOutcome: { readonly ok: number; readonly failed: number; readonly "in-flight": number }
  readonly byCause: ByCause
  /** failed / total with its Wilson 95 % interval (null when there are no requests) */
  readonly failedShare: ProportionInterval | null
}

/** Source IPs the backends saw (see source-ips.ts). */
export interface SourceIps {
  /** requests that reached a pod with a known source IP */
  readonly requests: number
  /** of those, how many kept the client's own IP */
  readonly preserved: number
  readonly preservedShare: ProportionInterval | null
  readonly distinct: number
  /** requests per source IP, in numeric IP order */
  readonly bySource: Record<string, number>
}

export interface EndpointRow {
  readonly endpoint: string
  readonly pod: string | null
  readonly requests: number
  /** share of this service port's routed requests */
  readonly share: number
  /** the share it should have had (expected requests / routed requests with an expected share) */
  readonly expectedShare: number
  readonly expected: number
}

export interface FairnessWindow {
  readonly start: number
  readonly end: number
  readonly requests: number
  readonly jain: number | null
  readonly pValue: number | null
}

export type SwitchCause = "no-affinity" | "pod-gone" | "not-ready" | "other-node" | "affinity-timeout" | "violation"
export const switchCauses: ReadonlyArray<SwitchCause> = ["no-affinity", "pod-gone", "not-ready", "other-node", "affinity-timeout", "violation"]

export interface ClientStickiness {
  readonly clientIp: string
  readonly requests: number
  /** share of this client's routed requests that went to its most-used pod */
  readonly stickiness: number
  readonly topPod: string
  readonly pods: number
  readonly switches: number
  readonly switchCauses: Record<SwitchCause, number>
  /** switches while affinity should have held (cause `violation`) */
  readonly violations: number
}

export interface Latency {
  readonly count: number
  readonly p50: number | null
  readonly p90: number | null
  readonly p99: number | null
  readonly max: number | null
}

export interface ServiceReport {
  readonly service: string
  readonly sessionAffinity: string | null
  readonly requests: RequestTotals
  /** requests that reached or were sent to a backend (`endpoint` not null) */
  readonly routed: number
  readonly byPod: Record<string, number>
  readonly byEndpoint: Record<string, number>
  readonly expectedFrom: "rules" | "endpoints" | "mixed" | "none"
  readonly endpoints: ReadonlyArray<EndpointRow>
  readonly jain: number | null
  readonly cv: number | null
  readonly maxMinRatio: number | null
  readonly entropy: number | null
  readonly chiSquare: ChiSquare
  readonly decisions: number
  readonly unexpected: number
  /** endpoints that had an expected share but received no request */
  readonly idle: ReadonlyArray<string>
  readonly windows: ReadonlyArray<FairnessWindow>
  readonly latency: Latency
  /** the source IPs the backends saw: the client's own, or a node's after SNAT */
  readonly sourceIps: SourceIps
  readonly clients: ReadonlyArray<ClientStickiness>
  /** the same distribution per scenario phase (the `phase` label requests carry), in phase order */
  readonly phases: ReadonlyArray<PhaseDistribution>
}

/**
 * One phase's slice of a service port's traffic: the requests labelled with the phase, their spread over pods
 * against the shares in force while they were routed, and each client's stickiness within the phase. Phases
 * differ in what they should show (spread under ClusterIP, concentration under ClientIP affinity), so mixing
 * them in one distribution would hide both.
 */
export interface PhaseDistribution {
  /** the phase label; null groups the requests issued before any phase (only present if there are some) */
  readonly phase: string | null
  /** when the phase first began (its earliest `phase` record); null if no record names it */
  readonly start: number | null
  /** from the latest `service` record at the phase's last request (a phase may change it, as the walkthrough does) */
  readonly sessionAffinity: string | null
  readonly requests: RequestTotals
  readonly routed: number
  readonly byPod: Record<string, number>
  readonly byEndpoint: Record<string, number>
  readonly expectedFrom: "rules" | "endpoints" | "mixed" | "none"
  /** endpoints that received requests or had an expected share in this phase */
  readonly endpoints: ReadonlyArray<EndpointRow>
  readonly jain: number | null
  readonly chiSquare: ChiSquare
  readonly decisions: number
  readonly unexpected: number
  /** mean over the phase's clients of their stickiness (null: no routed request) */
  readonly meanStickiness: number | null
  readonly clients: ReadonlyArray<ClientStickiness>
}

export interface ActionRef {
  readonly t: number
  readonly actor: string
  readonly verb: string
  readonly object: string
}

export interface ErrorWindow {
  /** start time of the first failed request */
  readonly start: number
  /** `recoveredAt`, or the run's end when no request succeeded after the last failure */
  readonly end: number
  /** end − start */
  readonly duration: number
  readonly failed: number
  /** requests started in [start, end), failed or not */
  readonly requests: number
  readonly byCause: ByCause
  readonly services: Record<string, number>
  /** the churn action taken to have caused it: the latest scenario action (else any action) before it starts */
  readonly trigger: ActionRef | null
  /** actions from the trigger (or the start) to the end */
  readonly actions: ReadonlyArray<ActionRef>
  /** start time of the first successful request started after the window's last failure; null: not recovered */
  readonly recoveredAt: number | null
  /** recoveredAt − start (from the first failure, not from the trigger); null when not recovered */
  readonly timeToRecover: number | null
  /** start − trigger time: how long the trigger took to show as a failure; null without a trigger */
  readonly sinceTrigger: number | null
}

export interface DnsReport {
  readonly lookups: number
  readonly queries: number
  readonly queriesPerLookup: number | null
  readonly maxQueriesPerLookup: number
  readonly nxdomain: number
  readonly nxdomainShare: number | null
  readonly timeouts: number
}

export interface RunMetaReport {
  readonly scenario: string
  readonly variant: string
  readonly seed: number
  readonly traceHash: string
}

export interface RunReport {
  readonly meta: RunMetaReport
  readonly end: number
  readonly window: { readonly width: number; readonly step: number }
  readonly requests: RequestTotals
  readonly services: ReadonlyArray<ServiceReport>
  /** requests issued and failed per interval [start, start + window.step) */
  readonly timeline: ReadonlyArray<{ readonly start: number; readonly requests: number; readonly failed: number }>
  readonly errorWindows: ReadonlyArray<ErrorWindow>
  readonly churn: ReadonlyArray<ActionRef>
  readonly phases: ReadonlyArray<{ readonly name: string; readonly t: number }>
  readonly dns: DnsReport
}
