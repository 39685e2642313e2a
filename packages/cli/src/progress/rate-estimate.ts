/**
 * A rate smoothed over wall time: an exponentially weighted moving average with time constant `tauMs`, weighted
 * by the interval each sample covers (α = 1 − e^(−Δt/τ)), so bursts and stalls of a few hundred ms (a sync storm,
 * garbage collection, a busy machine) move it a little and a lasting change moves it within a few τ. The ETA
 * computed from it does not jump as the raw "remaining ÷ last rate" does.
 */
export class RateEstimate {
  private rate = Number.NaN
  private lastAt = Number.NaN
  private lastAmount = 0

  constructor(private readonly tauMs = 10_000) {}

  /** Adds the sample "`amount` done at wall time `atMs`"; returns the smoothed rate per second. */
  sample(atMs: number, amount: number): number {
    if (Number.isNaN(this.lastAt)) {
      this.lastAt = atMs
      this.lastAmount = amount
      return this.rate
    }
    const dt = atMs - this.lastAt
    if (dt <= 0) return this.rate
    const instant = ((amount - this.lastAmount) * 1000) / dt
    const alpha = 1 - Math.exp(-dt / this.tauMs)
    this.rate = Number.isNaN(this.rate) ? instant : this.rate + alpha * (instant - this.rate)
    this.lastAt = atMs
    this.lastAmount = amount
    return this.rate
  }

  /** The smoothed rate per second (NaN before two samples). */
  get perSecond(): number {
    return this.rate
  }
}
