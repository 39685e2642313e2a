/**
 * A one-line progress bar for stderr: how far the work is (simulated time of a run, or runs of a sweep), its
 * rate (events/s or runs/s) and an ETA. Drawn only on a terminal (the caller decides: `process.stderr.isTTY`);
 * redrawn at most every `minIntervalMs` of wall time, erased when done. Wall time comes from the `clock`
 * given (the CLI passes `performance.now`): this is the one place kubesim looks at a real clock, and it never
 * feeds back into a simulation.
 */
export interface ProgressSink {
  write(text: string): unknown
}

export interface ProgressBarOptions {
  readonly sink: ProgressSink
  /** Wall clock in milliseconds. */
  readonly clock: () => number
  /** The amount that means done (nanoseconds of simulated time, or a job count). */
  readonly total: number
  /** How `done`/`total` read: `formatAmount(30e9)` → "30s". */
  readonly formatAmount: (n: number) => string
  /** The unit of `rate`, e.g. "events/s". */
  readonly rateUnit: string
  readonly label?: string
  readonly width?: number
  readonly minIntervalMs?: number
}

const BAR = 24

/** Abbreviates a rate: 1234 → "1.2k", 3456789 → "3.5M". */
export const formatRate = (r: number): string =>
  !Number.isFinite(r) ? "-" : r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(r >= 10 ? 0 : 1)

/** An ETA in whole seconds, minutes and hours: "45s", "3m12s", "1h05m". */
export const formatEta = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) return "?"
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
}

export class ProgressBar {
  private readonly start: number
  private last = -Infinity
  private drawn = false

  constructor(private readonly o: ProgressBarOptions) {
    this.start = o.clock()
  }

  /** The line for `done` of `total` with `count` units of rate work (events, runs) so far. */
  line(done: number, count: number, now: number): string {
    const o = this.o
    const frac = o.total > 0 ? Math.min(1, Math.max(0, done / o.total)) : 1
    const width = o.width ?? BAR
    const filled = Math.round(frac * width)
    const elapsed = (now - this.start) / 1000
    const rate = elapsed > 0 ? count / elapsed : Number.NaN
    const eta = frac > 0 && elapsed > 0 ? (elapsed * (1 - frac)) / frac : Number.NaN
    const label = o.label === undefined ? "" : `${o.label} `
    return `${label}[${"#".repeat(filled)}${".".repeat(width - filled)}] ${o.formatAmount(done)}/${o.formatAmount(o.total)} · ${formatRate(rate)} ${o.rateUnit} · ETA ${formatEta(eta)}`
  }

  /** Redraws if enough wall time has passed since the last draw (or `force`). */
  update(done: number, count: number, force = false): void {
    const now = this.o.clock()
    if (!force && now - this.last < (this.o.minIntervalMs ?? 100)) return
    this.last = now
    this.drawn = true
    this.o.sink.write(`\r${this.line(done, count, now)}\u001b[K`)
  }

  /** Erases the bar (the summary that follows goes to stdout on a clean line). */
  done(): void {
    if (this.drawn) this.o.sink.write("\r\u001b[K")
    this.drawn = false
  }
}
