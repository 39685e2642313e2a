import type { Nanos } from "../../sim/index"
import { CRASH_BACKOFF_INITIAL, CRASH_BACKOFF_MAX } from "./kubelet-timings"

interface Entry {
  backoff: Nanos
  lastUpdate: Nanos
}

/**
 * The kubelet's container restart back-off (client-go util/flowcontrol/backoff.go `Backoff`, as kubelet.go builds
 * it: `NewBackOff(backOffPeriod 10 s, MaxContainerBackOff 300 s)`, no jitter), keyed per pod and container
 * (kuberuntime_manager.go `getStableKey`). kuberuntime_manager.go `doBackOff`: a container that finished less than
 * the current back-off ago waits (CrashLoopBackOff); otherwise `Next` — the first restart is immediate and sets
 * 10 s, each later one doubles it up to 300 s; an entry untouched for twice the maximum (10 min) starts over
 * (`hasExpired`, and the kubelet's periodic `backOff.GC`).
 */
export class RestartBackoff {
  private readonly entries = new Map<string, Entry>()

  /** `IsInBackOffSince(key, finishedAt)`: the wait left before the container may start again (0: start now). */
  waitLeft(key: string, finishedAt: Nanos, now: Nanos): Nanos {
    const e = this.entries.get(key)
    if (e === undefined || expired(finishedAt, e.lastUpdate)) return 0
    const since = now - finishedAt
    return since < e.backoff ? e.backoff - since : 0
  }

  /** The current back-off of `key` (what the CrashLoopBackOff message prints), 0 if none. */
  current(key: string): Nanos {
    return this.entries.get(key)?.backoff ?? 0
  }

  /** `Next(key, finishedAt)`: called when the container is started again. */
  next(key: string, finishedAt: Nanos, now: Nanos): void {
    const e = this.entries.get(key)
    if (e === undefined || expired(finishedAt, e.lastUpdate)) this.entries.set(key, { backoff: CRASH_BACKOFF_INITIAL, lastUpdate: now })
    else {
      e.backoff = Math.min(e.backoff * 2, CRASH_BACKOFF_MAX)
      e.lastUpdate = now
    }
  }

  /** Drops every entry of a pod (its worker is gone). */
  forget(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k)
  }
}

/** backoff.go `hasExpired`: stable once it ran for twice the maximum back-off. */
const expired = (eventTime: Nanos, lastUpdate: Nanos): boolean => eventTime - lastUpdate > 2 * CRASH_BACKOFF_MAX
