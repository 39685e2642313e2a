import { type EventId, type Nanos, NANOS_PER_SECOND } from "../sim/index"
import type { RequestRecord } from "../records/index"
import type { AppTimer } from "./app-env"
import type { HttpClient } from "./http-client"
import { type HttpUrl, parseHttpUrl } from "./url"

export interface RequestLoopOptions {
  /** Pause between the end of one request and the start of the next (`sleep 1`). Default 1 s. */
  readonly pause?: Nanos
  /** Issue no request at or after this time. Default: never stop. */
  readonly until?: Nanos
  /** Stop after this many requests. Default: unlimited. */
  readonly maxRequests?: number
  /** Called with each request's record. */
  readonly onRecord?: (r: RequestRecord) => void
}

/**
 * The seed's busybox loop `while true; do wget -q -O - http://web-service; sleep 1; done`: one request at a
 * time, the next starting `pause` after the previous one ended (whatever its outcome).
 */
export class RequestLoop implements AppTimer {
  private timer: EventId = -1
  private stopped = false
  private issued = 0
  private readonly url: HttpUrl
  private readonly pause: Nanos
  private readonly done = (r: RequestRecord): void => this.onDone(r)

  constructor(
    readonly client: HttpClient,
    url: string | HttpUrl,
    readonly options: RequestLoopOptions = {},
  ) {
    this.url = typeof url === "string" ? parseHttpUrl(url) : url
    this.pause = options.pause ?? NANOS_PER_SECOND
  }

  /** Issues the first request after `delay` (default now). */
  start(delay: Nanos = 0): this {
    const env = this.client.env
    this.timer = env.sim.after(delay, env.timerKind, this)
    return this
  }

  /** Issues no further request (one in flight still ends and is recorded). */
  stop(): void {
    this.stopped = true
    if (this.timer >= 0) {
      this.client.env.sim.cancel(this.timer)
      this.timer = -1
    }
  }

  get requestsIssued(): number {
    return this.issued
  }

  onAppTimer(): void {
    this.timer = -1
    const o = this.options
    if (this.stopped || (o.until !== undefined && this.client.env.sim.now >= o.until) || (o.maxRequests !== undefined && this.issued >= o.maxRequests)) return
    this.issued++
    this.client.request(this.url, this.done)
  }

  private onDone(r: RequestRecord): void {
    this.options.onRecord?.(r)
    if (this.stopped) return
    const env = this.client.env
    this.timer = env.sim.after(this.pause, env.timerKind, this)
  }
}
