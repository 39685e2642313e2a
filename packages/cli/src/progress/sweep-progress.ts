import { formatDuration } from "@kubesim/core"
import { ProgressBar, type ProgressSink } from "./progress-bar"

/**
 * A sweep's progress in simulated time: the jobs' progress (posted by the workers) added up, finished jobs counted
 * whole, jobs not yet started counted at the mean length of those seen — so the line shows simulated time, events/s
 * over all workers and an ETA, like `run`'s, and the label the runs finished.
 */
export class SweepProgress {
  private readonly jobs = new Map<number, { now: number; total: number; events: number }>()
  private finished = 0
  private bar: ProgressBar | undefined

  constructor(
    private readonly o: { readonly sink: ProgressSink; readonly clock: () => number; readonly terminal: boolean; readonly name: string; readonly count: number },
  ) {}

  private draw(force = false): void {
    const known = [...this.jobs.values()]
    if (known.length === 0) return
    const mean = known.reduce((a, j) => a + j.total, 0) / known.length
    const total = known.reduce((a, j) => a + j.total, 0) + (this.o.count - known.length) * mean
    const done = known.reduce((a, j) => a + j.now, 0)
    const events = known.reduce((a, j) => a + j.events, 0)
    this.bar ??= new ProgressBar({ sink: this.o.sink, clock: this.o.clock, terminal: this.o.terminal, total, formatAmount: (n) => formatDuration(Math.round(n / 1e9) * 1e9), rateUnit: "events/s", label: `sweep ${this.o.name}` })
    this.bar.setTotal(total, `sweep ${this.o.name} (${this.finished}/${this.o.count} runs)`)
    this.bar.update(done, events, force)
  }

  progress(job: number, p: { readonly now: number; readonly total: number; readonly events: number }): void {
    this.jobs.set(job, { ...p })
    this.draw()
  }

  settled(job: number, events: number | undefined): void {
    this.finished++
    const j = this.jobs.get(job)
    if (j !== undefined) this.jobs.set(job, { now: j.total, total: j.total, events: events ?? j.events })
    this.draw()
  }

  done(): void {
    this.bar?.done()
  }
}
