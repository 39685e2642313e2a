import { NANOS_PER_SECOND, type Nanos } from "../../sim/index"
import type { Probe } from "../api/index"

/** pkg/kubelet/prober/prober_manager.go probeType. */
export type ProbeType = "readiness" | "liveness" | "startup"

/** pkg/kubelet/prober/results: what a worker reports for its container. */
export type ProbeResult = "success" | "failure" | "unknown"

/** worker.go `newWorker`: a new container starts Failure (readiness), Success (liveness), Unknown (startup). */
const INITIAL_VALUE: Record<ProbeType, ProbeResult> = { readiness: "failure", liveness: "success", startup: "unknown" }

/** What the worker reads of its container: the status manager's container status (worker.go `doProbe`). */
export interface ProbedContainer {
  readonly containerID: string | undefined
  readonly running: boolean
  readonly terminated: boolean
  /** Exact start of the running container (its runtime status). */
  readonly startedAt: Nanos
  /** status.containerStatuses[].started: the startup probe passed (or there is none). */
  readonly started: boolean
}

/** The kubelet side of a worker: clock, timers bound to the pod, the probe itself, and the results manager. */
export interface ProbeWorkerHost {
  now(): Nanos
  /** A timer that dies with the pod (and with the kubelet). */
  after(delay: Nanos, f: () => void): void
  container(): ProbedContainer
  podDeleting(): boolean
  restartPolicyNever(): boolean
  /** One probe of the container (prober.go `probe`); `done` once with its outcome. */
  probe(done: (ok: boolean) => void): void
  /** results.Manager `Set`: only a changed value reaches the kubelet's sync loop (`updates`). */
  resultChanged(type: ProbeType, result: ProbeResult): void
}

/**
 * One probe worker (pkg/kubelet/prober/worker.go) for one container and probe type. `run`: when the kubelet
 * started less than a period ago, it first sleeps a random part of the period; then it probes at once and on
 * a ticker every periodSeconds from then on. A probe in flight blocks the loop (Go's select then finds the
 * buffered tick or manual trigger, one of each at most). `doProbe` skips while the container is younger than
 * initialDelaySeconds (whole seconds, truncated), gates liveness/readiness on the container being started (and
 * the startup probe on it not being started), and changes the result after failureThreshold / successThreshold
 * equal results in a row. A failed liveness/startup result puts the worker on hold until a new container ID.
 */
export class ProbeWorker {
  /** The results manager's value for the current container (undefined before one is seen). */
  result: ProbeResult | undefined
  private containerID: string | undefined
  private lastResult: ProbeResult | undefined
  private resultRun = 0
  private onHold = false
  private stopped = false
  private inFlight = false
  /** Inside doProbe: a trigger raised by its own result change waits in the channel, as in Go. */
  private busy = false
  private tickPending = false
  private triggerPending = false

  constructor(
    readonly type: ProbeType,
    readonly spec: Probe,
    private readonly host: ProbeWorkerHost,
  ) {}

  /** worker.go `run`; `jitter` is the random sleep (0 unless the kubelet started less than a period ago). */
  start(jitter: Nanos): void {
    const period = this.spec.periodSeconds * NANOS_PER_SECOND
    this.host.after(jitter, () => {
      this.loopStep()
      const tick = (): void => {
        if (this.stopped) return
        this.wake("tick")
        this.host.after(period, tick)
      }
      this.host.after(period, tick)
    })
  }

  /** prober_manager.go `UpdatePodStatus`: a readiness worker whose container is not yet ready is run at once. */
  trigger(): void {
    this.wake("manual")
  }

  stop(): void {
    this.stopped = true
  }

  /** The results manager's entry for container `id` (keyed by container ID upstream): undefined until seen. */
  resultFor(id: string | undefined): ProbeResult | undefined {
    return id !== undefined && id === this.containerID ? this.result : undefined
  }

  private wake(why: "tick" | "manual"): void {
    if (this.stopped) return
    if (this.inFlight || this.busy) {
      if (why === "tick") this.tickPending = true
      else this.triggerPending = true
      return
    }
    this.loopStep()
  }

  /** One pass of the loop, then whatever tick or trigger was buffered meanwhile (Go's select takes it next). */
  private loopStep(): void {
    for (;;) {
      if (this.stopped) return
      this.busy = true
      const keepGoing = this.doProbe()
      this.busy = false
      if (!keepGoing) {
        this.stop()
        return
      }
      if (this.inFlight || !(this.tickPending || this.triggerPending)) return
      this.tickPending = false
      this.triggerPending = false
    }
  }

  /** A probe completed: the loop's select takes a buffered tick or trigger if one came meanwhile. */
  private resume(): void {
    this.inFlight = false
    if (this.tickPending || this.triggerPending) {
      this.tickPending = false
      this.triggerPending = false
      this.loopStep()
    }
  }

  private set(result: ProbeResult): void {
    if (this.result === result) return
    this.result = result
    this.host.resultChanged(this.type, result)
  }

  /** worker.go `doProbe`; false ends the worker. */
  private doProbe(): boolean {
    const c = this.host.container()
    if (c.containerID === undefined) return true
    if (this.containerID !== c.containerID) {
      this.containerID = c.containerID
      this.result = undefined
      this.set(INITIAL_VALUE[this.type])
      this.onHold = false
    }
    if (this.onHold) return true
    if (!c.running) {
      this.set("failure")
      return !c.terminated || !this.host.restartPolicyNever()
    }
    // Graceful shutdown: liveness and startup report success and stop, so a terminating container is not restarted.
    if (this.host.podDeleting() && (this.type === "liveness" || this.type === "startup")) {
      this.set("success")
      return false
    }
    if (Math.trunc((this.host.now() - c.startedAt) / NANOS_PER_SECOND) < (this.spec.initialDelaySeconds ?? 0)) return true
    if (c.started ? this.type === "startup" : this.type !== "startup") return true
    this.inFlight = true
    const id = c.containerID
    this.host.probe((ok) => {
      if (this.stopped) return
      if (this.containerID === id) this.record(ok ? "success" : "failure")
      this.resume()
    })
    return true
  }

  private record(result: ProbeResult): void {
    if (this.lastResult === result) this.resultRun++
    else {
      this.lastResult = result
      this.resultRun = 1
    }
    const threshold = result === "failure" ? this.spec.failureThreshold : this.spec.successThreshold
    if (this.resultRun < threshold) return
    this.set(result)
    if ((this.type === "liveness" || this.type === "startup") && result === "failure") {
      // Probing stops until the kubelet restarts the container (a new container ID).
      this.onHold = true
      this.resultRun = 0
    }
  }
}
