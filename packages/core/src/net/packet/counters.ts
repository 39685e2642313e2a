import { DROP_REASONS, dropReasonIndex, type DropReason } from "./drop-reason"

/**
 * Packet accounting: sent = delivered + dropped (by reason) + in flight.
 *
 * The fabric keeps one set for the whole network (where `inFlight` is meaningful) and one per host (where a
 * packet is counted as sent by the host that created it, delivered or dropped by the host where it ended).
 */
export class PacketCounters {
  sent = 0
  delivered = 0
  /** Packets forwarded through (per host only; not an end). */
  forwarded = 0
  readonly dropped: Float64Array = new Float64Array(DROP_REASONS.length)

  droppedBy(reason: DropReason): number {
    return this.dropped[dropReasonIndex[reason]] as number
  }

  get droppedTotal(): number {
    let n = 0
    for (let i = 0; i < this.dropped.length; i++) n += this.dropped[i] as number
    return n
  }

  /** sent − delivered − dropped: for the network, the packets still travelling. */
  get inFlight(): number {
    return this.sent - this.delivered - this.droppedTotal
  }

  /** A plain snapshot: `{ sent, delivered, forwarded, inFlight, dropped: { reason: n } }` (zero reasons omitted). */
  snapshot(): CountersSnapshot {
    const dropped: Partial<Record<DropReason, number>> = {}
    for (let i = 0; i < DROP_REASONS.length; i++) {
      const n = this.dropped[i] as number
      if (n > 0) dropped[DROP_REASONS[i] as DropReason] = n
    }
    return { sent: this.sent, delivered: this.delivered, forwarded: this.forwarded, inFlight: this.inFlight, dropped }
  }
}

export interface CountersSnapshot {
  readonly sent: number
  readonly delivered: number
  readonly forwarded: number
  readonly inFlight: number
  readonly dropped: Partial<Record<DropReason, number>>
}
