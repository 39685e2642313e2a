import { type Nanos, type Rng, apps, parseDuration } from "@kubesim/core"
import type { TrafficSpec } from "../format/schema"
import { burstArrivals, mergeArrivals, poissonArrivals, rampArrivals, thinkTime } from "./arrivals"

type HttpClient = apps.HttpClient

/** A generator that has started; `issued` counts the requests it asked its clients for. */
export interface TrafficDriver {
  readonly issued: number
}

/**
 * Open loop: requests at precomputed times (Poisson, ramp, bursts), each from one of the client's hosts chosen
 * uniformly from its own stream. One timer pending at a time; no allocation per arrival beyond the request.
 */
class ArrivalDriver implements apps.AppTimer, TrafficDriver {
  issued = 0
  private next = 0
  constructor(
    private readonly clients: ReadonlyArray<HttpClient>,
    private readonly url: apps.HttpUrl,
    private readonly times: ReadonlyArray<Nanos>,
    private readonly pick: Rng,
  ) {}
  start(): this {
    this.schedule()
    return this
  }
  private schedule(): void {
    const t = this.times[this.next]
    if (t === undefined) return
    const env = (this.clients[0] as HttpClient).env
    env.sim.at(t, env.timerKind, this)
  }
  onAppTimer(): void {
    this.next++
    const c = this.clients.length === 1 ? (this.clients[0] as HttpClient) : this.pick.choice(this.clients)
    this.issued++
    c.request(this.url)
    this.schedule()
  }
}

/** Closed loop: one user issues, waits for the answer, thinks, issues again, until `stop`. */
class ClosedUser implements apps.AppTimer {
  issued = 0
  private readonly done = (): void => this.onDone()
  constructor(
    private readonly client: HttpClient,
    private readonly url: apps.HttpUrl,
    private readonly think: Nanos,
    private readonly distribution: "constant" | "exponential",
    private readonly rng: Rng,
    private readonly stop: Nanos,
  ) {}
  onAppTimer(): void {
    if (this.client.env.sim.now >= this.stop) return
    this.issued++
    this.client.request(this.url, this.done)
  }
  private onDone(): void {
    const env = this.client.env
    const wait = thinkTime(this.rng, this.think, this.distribution)
    if (env.sim.now + wait < this.stop) env.sim.after(wait, env.timerKind, this)
  }
}

class ClosedDriver implements TrafficDriver {
  constructor(private readonly users: ReadonlyArray<ClosedUser>) {}
  get issued(): number {
    let n = 0
    for (const u of this.users) n += u.issued
    return n
  }
}

class LoopDriver implements TrafficDriver {
  constructor(private readonly loops: ReadonlyArray<apps.RequestLoop>) {}
  get issued(): number {
    let n = 0
    for (const l of this.loops) n += l.requestsIssued
    return n
  }
}

/**
 * Starts a client's traffic on its HTTP clients (one per host: a pod, or each external host) over
 * [start, stop). `rng` is the client's own stream (`scenario/client/<name>`): arrival times, think times and the
 * choice of host all come from it, so adding a client leaves every other stream's draws alone.
 */
export const startTraffic = (spec: TrafficSpec, clients: ReadonlyArray<HttpClient>, rng: Rng, start: Nanos, stop: Nanos): TrafficDriver => {
  const first = clients[0]
  if (first === undefined) throw new RangeError("startTraffic: a client needs at least one host")
  const sim = first.env.sim
  const url = apps.parseHttpUrl(spec.url)
  const delay = Math.max(0, start - sim.now)
  switch (spec.type) {
    case "loop": {
      const pause = spec.pause === undefined ? 1_000_000_000 : parseDuration(spec.pause)
      return new LoopDriver(clients.map((c) => new apps.RequestLoop(c, url, { pause, until: stop }).start(delay)))
    }
    case "poisson":
      return new ArrivalDriver(clients, url, poissonArrivals(rng, spec.rate, Math.max(start, sim.now), stop), rng).start()
    case "ramp":
      return new ArrivalDriver(clients, url, rampArrivals(rng, spec.from, spec.to, parseDuration(spec.over), Math.max(start, sim.now), stop), rng).start()
    case "burst": {
      const from = Math.max(start, sim.now)
      const bursts = burstArrivals(spec.size, parseDuration(spec.every), spec.spread === undefined ? 0 : parseDuration(spec.spread), from, stop)
      const base = spec.rate === undefined ? [] : poissonArrivals(rng, spec.rate, from, stop)
      return new ArrivalDriver(clients, url, mergeArrivals(bursts, base), rng).start()
    }
    case "closed": {
      const think = parseDuration(spec.think)
      const users: ClosedUser[] = []
      for (let u = 0; u < spec.users; u++) {
        const user = new ClosedUser(clients[u % clients.length] as HttpClient, url, think, spec.thinkDistribution ?? "exponential", rng, stop)
        users.push(user)
        sim.after(delay, first.env.timerKind, user)
      }
      return new ClosedDriver(users)
    }
  }
}

/** The HTTP client mode of a traffic spec (default: one-shot, as wget and curl). */
export const clientMode = (spec: TrafficSpec): apps.HttpClientMode => {
  const c = spec.connection
  if (c === undefined || c.mode === "one-shot") return { kind: "one-shot" }
  if (c.mode === "multiplexed") return { kind: "multiplexed" }
  return { kind: "keep-alive", ...(c.maxRequests !== undefined ? { maxRequests: c.maxRequests } : {}), ...(c.maxAge !== undefined ? { maxAge: parseDuration(c.maxAge) } : {}) }
}

