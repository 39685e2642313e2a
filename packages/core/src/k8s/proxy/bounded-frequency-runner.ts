import type { EventId, EventKind, Nanos, Simulation } from "../../sim/index"

/**
 * A token bucket over simulated time (client-go flowcontrol.NewTokenBucketRateLimiterWithClock over
 * golang.org/x/time/rate): `burst` tokens, refilled at one per `interval`, starting full. Tokens are kept in
 * nanoseconds of refill time so the arithmetic is exact integers.
 */
class TokenBucket {
  private tokens: number
  private last: Nanos = 0
  constructor(
    private readonly interval: Nanos,
    private readonly burst: number,
  ) {
    this.tokens = burst * interval
  }
  /** When a token will be there (now or earlier: one is there). */
  readyAt(): Nanos {
    return this.last + this.interval - this.tokens
  }
  /** rate.Limiter.Allow at `now`: takes a token if one is there. */
  tryAccept(now: Nanos): boolean {
    this.tokens = Math.min(this.burst * this.interval, this.tokens + (now - this.last))
    this.last = now
    if (this.tokens < this.interval) return false
    this.tokens -= this.interval
    return true
  }
}

/** What one run of the managed function costs in simulated time (the sync's duration; 0 for instantaneous). */
export type RunnerFunction = () => Nanos

/**
 * pkg/util/async/bounded_frequency_runner.go on the simulation kernel. Runs `fn` at most once per
 * `minInterval` (from the end of one run to the start of the next) except for `burstRuns` back-to-back runs
 * accumulated at one per minInterval, and at least once per `maxInterval`. `run()` requests coalesce: any
 * number of requests while a run is not allowed produce one run at the next opportunity. `retryAfter` asks
 * for a run no later than the given delay.
 *
 * Go's Loop selects among ready channels at random; here, when a retry, a run request and the timer are due
 * at the same instant, they are handled in that order (deterministic).
 */
export class BoundedFrequencyRunner {
  private readonly limiter: TokenBucket | undefined
  private readonly wake: EventKind<BoundedFrequencyRunner>
  private readonly timer: EventKind<BoundedFrequencyRunner>
  private started = false
  private stopped = false
  /** The run in progress ends at this time; requests until then wait for it. */
  private busyUntil: Nanos = -1
  private lastRun: Nanos = 0
  private timerId: EventId | undefined
  private timerAt: Nanos = Infinity
  private runRequested = false
  /** The last tryRun was refused by the limiter and set the timer for the next possible run (none since). */
  private limited = false
  private retryTime: Nanos | undefined
  private wakeScheduled: EventId | undefined
  /** Start times of every run, for tests and metrics. */
  readonly runs: Nanos[] = []

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    private readonly fn: RunnerFunction,
    readonly minInterval: Nanos,
    readonly maxInterval: Nanos,
    readonly burstRuns: number,
    /** Hand every request to the loop as upstream does, even one the limiter must refuse (tests compare the two). */
    private readonly literal = false,
  ) {
    // construct(): maxInterval must be >= minInterval.
    if (maxInterval < minInterval) throw new RangeError(`${name}: maxInterval (${maxInterval} ns) must be >= minInterval (${minInterval} ns)`)
    if (!Number.isInteger(burstRuns) || burstRuns < 1) throw new RangeError(`${name}: burstRuns must be a positive integer, got ${burstRuns}`)
    this.limiter = minInterval === 0 ? undefined : new TokenBucket(minInterval, burstRuns)
    this.wake = sim.defineKind<BoundedFrequencyRunner>(`bfr:${name}`, (r) => r.onWake())
    this.timer = sim.defineKind<BoundedFrequencyRunner>(`bfr-timer:${name}`, (r) => r.onTimer())
  }

  /** Loop(): starts the periodic timer. */
  loop(): void {
    if (this.started) return
    this.started = true
    this.resetTimer(this.sim.now + this.maxInterval)
  }

  /** Loop's stop channel. */
  stop(): void {
    this.stopped = true
    this.cancelTimer()
    if (this.wakeScheduled !== undefined) this.sim.cancel(this.wakeScheduled)
    this.wakeScheduled = undefined
  }

  /**
   * Run(): run as soon as allowed. Requests made while one is pending are dropped (coalesced). So is one made
   * while the loop waits for the rate limiter (its timer set for the next possible run) and the limiter would
   * still refuse: upstream's loop would take it, call tryRun, be refused and set the timer to the time it
   * already has. Dropping it here spares a wake-up per node per API change during bursts (issue 13).
   */
  run(): void {
    if (this.runRequested) return
    if (this.limited && !this.literal && this.limiter !== undefined && this.sim.now < this.limiter.readyAt() && !this.busy) return
    this.runRequested = true
    this.scheduleWake()
  }

  /**
   * Until when `run()` does nothing: a request is pending (until its wake-up) or the limiter refuses (until it
   * has a token). At or before now: a `run()` would act. Callers may skip requests until then (issue 13: nodes
   * told of every API change); a `hold` or a run may end the quiet earlier, never later.
   */
  quietUntil(): Nanos {
    const now = this.sim.now
    if (!this.started || this.stopped) return now
    if (this.runRequested) return Math.max(now, this.busyUntil)
    if (this.limited && !this.literal && this.limiter !== undefined && !this.busy) return Math.max(now, this.limiter.readyAt())
    return now
  }

  /** RetryAfter(): make sure fn runs again no later than `interval` from now. */
  retryAfter(interval: Nanos): void {
    const at = this.sim.now + interval
    if (this.retryTime !== undefined && this.retryTime < at) return
    this.retryTime = at
    this.scheduleWake()
  }

  get busy(): boolean {
    return this.sim.now < this.busyUntil
  }

  /** When the run in progress (or a hold) ends; in the past when idle. */
  get freeAt(): Nanos {
    return this.busyUntil
  }

  /**
   * The managed function is running outside the loop until `until`: upstream's proxier holds its mutex through a
   * direct syncProxyRules call (OnServiceSynced / OnEndpointSlicesSynced), so a run the loop starts meanwhile blocks
   * until it returns. Runs requested before then start when it ends; the rate limiter is not charged.
   */
  hold(until: Nanos): void {
    if (until > this.busyUntil) this.busyUntil = until
  }

  /** When the loop is free to look at its channels: now, or when the current run ends. */
  private scheduleWake(): void {
    if (!this.started || this.stopped || this.wakeScheduled !== undefined) return
    this.wakeScheduled = this.sim.at(Math.max(this.sim.now, this.busyUntil), this.wake, this)
  }

  private onWake(): void {
    this.wakeScheduled = undefined
    // A hold began after this wake was scheduled: look again when it ends.
    if (this.busy) return this.scheduleWake()
    if (this.retryTime !== undefined) this.doRetry()
    if (this.runRequested) {
      this.runRequested = false
      this.tryRun()
    }
  }

  private onTimer(): void {
    this.timerId = undefined
    this.timerAt = Infinity
    if (this.busy) {
      // The timer fired during a run: Go's buffered timer channel is read once the loop is free.
      this.runRequested = true
      this.scheduleWake()
      return
    }
    this.tryRun()
  }

  /** doRetry(): pull the timer in if the retry is sooner. */
  private doRetry(): void {
    const retryAt = this.retryTime as Nanos
    this.retryTime = undefined
    if (retryAt < this.timerAt) this.resetTimer(Math.max(retryAt, this.sim.now))
  }

  /** tryRun(). */
  private tryRun(): void {
    const now = this.sim.now
    if (this.limiter === undefined || this.limiter.tryAccept(now)) {
      this.limited = false
      this.cancelTimer()
      this.runs.push(now)
      const duration = this.fn()
      const end = now + Math.max(0, duration)
      this.busyUntil = end
      this.lastRun = end
      this.resetTimer(end + this.maxInterval)
      if (this.runRequested || this.retryTime !== undefined) this.scheduleWake()
      return
    }
    // Not allowed yet: wake at the next possible run or the periodic one, whichever is sooner.
    const nextPossible = this.lastRun + this.minInterval
    this.resetTimer(Math.max(now, Math.min(nextPossible, this.timerAt)))
    this.limited = true
  }

  private resetTimer(at: Nanos): void {
    this.cancelTimer()
    if (this.stopped) return
    this.timerAt = at
    this.timerId = this.sim.at(at, this.timer, this)
  }

  private cancelTimer(): void {
    if (this.timerId !== undefined) this.sim.cancel(this.timerId)
    this.timerId = undefined
    this.timerAt = Infinity
  }
}
