import type { Nanos } from "../sim/index"
import type { DnsAnswer } from "./dns-message"
import type { LookupResult, ResolverSend, ResolverStep, StubLookup } from "./lookup-types"

/** A transmission the lookup made, and when. */
export interface SentQuery {
  readonly at: Nanos
  readonly name: string
  readonly qtype: "A" | "AAAA"
  readonly server: string
}

export interface SyncLookupOutcome {
  readonly result: LookupResult
  /** Every transmission in order, retransmissions included. */
  readonly sent: ReadonlyArray<SentQuery>
  /** Time from start to the result. */
  readonly elapsed: Nanos
}

/**
 * The server side for `resolveSync`: the answer to one transmission, or undefined if it is lost.
 * Called once per transmission, in send order.
 */
export type AnswerFn = (send: ResolverSend, at: Nanos) => DnsAnswer | undefined

/** A cap on steps: a lookup sends at most a few dozen packets; more means a resolver bug. */
const MAX_STEPS = 100_000

/**
 * Run a lookup to its end against an in-memory server, each answer arriving `latency` after its query (answers
 * due at the same time arrive in send order), timers firing when nothing else is due. For tests and `nslookup`
 * views; the simulation drives the same state machine with packets instead.
 */
export const resolveSync = (lookup: StubLookup, answer: AnswerFn, latency: Nanos = 0): SyncLookupOutcome => {
  const sent: SentQuery[] = []
  const pending: Array<{ at: Nanos; id: number; answer: DnsAnswer; from: string }> = []
  let now: Nanos = 0
  let step: ResolverStep = lookup.start(now)
  for (let n = 0; n < MAX_STEPS; n++) {
    if (step.kind === "done") return { result: step.result, sent, elapsed: now }
    if (step.kind === "send") {
      for (const s of step.sends) {
        sent.push({ at: now, name: s.query.name, qtype: s.query.qtype, server: s.server })
        const a = answer(s, now)
        if (a !== undefined) pending.push({ at: now + latency, id: s.query.id, answer: a, from: s.server })
      }
    }
    const next = pending[0]
    if (next !== undefined && next.at <= step.wakeAt) {
      pending.shift()
      now = next.at
      step = lookup.onAnswer(now, next.id, next.answer, next.from)
    } else {
      now = step.wakeAt
      step = lookup.onTimer(now)
    }
  }
  throw new Error(`resolveSync: lookup did not finish within ${MAX_STEPS} steps`)
}
