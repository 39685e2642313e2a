import { RateEstimate } from "./rate-estimate"

/**
 * Progress on stderr: how far the work is (simulated time of a run, or runs of a sweep), its rate (events/s or
 * runs/s) and an ETA, both smoothed (rate-estimate.ts). On a terminal a one-line bar redrawn at most every
 * `minIntervalMs` and erased when done; otherwise (a log file, CI, a pipe) a plain line every `logIntervalMs`
 * (5 s), which reads well in a log. Wall time comes from the `clock` given (the CLI passes `performance.now`):
 * this is the one place kubesim looks at a real clock, and it never feeds back into a simulation.
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
  /** False: plain lines (no carriage returns or escapes) every `logIntervalMs`. Default true. */
  readonly terminal?: boolean
  readonly logIntervalMs?: number
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
  private last = -Infinity
  private drawn = false
  /** Whether a line was ever logged or the bar drawn (a short run shows nothing). */
  private shown = false
  private readonly started: number
  private readonly progressRate = new RateEstimate()
  private readonly countRate = new RateEstimate()

  constructor(private readonly o: ProgressBarOptions) {
    this.total = o.total
    this.label = o.label
    this.started = o.clock()
    // A log's first line comes one interval in: a run shorter than that logs nothing.
    if (!this.terminal) this.last = o.clock()
  }

  private total: number
  private label: string | undefined

  /** A total that grows as it becomes known (a sweep's), and a label that counts (its runs). */
  setTotal(total: number, label?: string): void {
    this.total = total
    if (label !== undefined) this.label = label
  }

  private get terminal(): boolean {
    return this.o.terminal ?? true
  }

  /**
   * The text for `done` of `total`. The rates are those sampled by `update`, from its first call on (not from
   * construction: work done before the first report, a worker's start-up, would make the first rate and ETA absurd).
   */
  line(done: number): string {
    const o = this.o
    const total = this.total
    const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1
    const rate = this.countRate.perSecond
    const speed = this.progressRate.perSecond
    const eta = speed > 0 ? (total - done) / speed : Number.NaN
    const label = this.label === undefined ? "" : `${this.label} `
    const stats = `${formatRate(rate)} ${o.rateUnit} · ETA ${formatEta(eta)}`
    if (!this.terminal) return `${label}${o.formatAmount(done)} of ${o.formatAmount(total)} (${(frac * 100).toFixed(1)}%) · ${stats}`
    const width = o.width ?? BAR
    const filled = Math.round(frac * width)
    return `${label}[${"#".repeat(filled)}${".".repeat(width - filled)}] ${o.formatAmount(done)}/${o.formatAmount(total)} · ${stats}`
  }

  /** Redraws (a terminal) or logs a line (otherwise) if enough wall time has passed since the last (or `force`). */
  update(done: number, count: number, force = false): void {
    const now = this.o.clock()
    this.countRate.sample(now, count)
    this.progressRate.sample(now, done)
    const interval = this.terminal ? (this.o.minIntervalMs ?? 100) : (this.o.logIntervalMs ?? 5000)
    if (!force && now - this.last < interval) return
    this.last = now
    const text = this.line(done)
    this.shown = true
    if (!this.terminal) {
      this.o.sink.write(`${text}\n`)
      return
    }
    this.drawn = true
    this.o.sink.write(`\r${text}\u001b[K`)
  }

  /**
   * The work is over and `note` says what follows (a run directory being written): a log gets the final line and
   * the note, a terminal the note in place of the bar. Only after a log interval's worth of work with progress
   * shown: a short run's bar is left to `done` to erase, as before.
   */
  finish(done: number, count: number, note: string): void {
    if (!this.shown || this.o.clock() - this.started < (this.o.logIntervalMs ?? 5000)) return
    if (!this.terminal) this.update(done, count, true)
    this.done()
    const label = this.label === undefined ? "" : `${this.label} `
    this.o.sink.write(`${label}${note}\n`)
  }

  /** Erases the bar (the summary that follows goes to stdout on a clean line); a log keeps its lines. */
  done(): void {
    if (this.drawn) this.o.sink.write("\r\u001b[K")
    this.drawn = false
  }
}
