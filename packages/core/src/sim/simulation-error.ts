import { formatDuration } from "./duration"
import type { Nanos } from "./time"

/**
 * A failure inside the simulation: an event handler (or a process body, already a ProcessError) threw. The
 * kernel wraps what was thrown with the simulated time and the component whose event it was — the event
 * kind's name (`kube-proxy-restore:kind-worker`, `api/watch`); a process body's failure is a ProcessError, the
 * subclass naming the process —
 * so a caller can tell "the model failed at 77s in kube-proxy on kind-worker" from bad input, and still reach
 * the original error as `cause` (SimPy lets the exception propagate out of `Environment.step`; ns-3 aborts
 * with the event's context: we keep the error and add the context). Nothing is swallowed.
 */
export class SimulationError extends Error {
  override readonly name: string = "SimulationError"
  constructor(
    /** The event kind's name, or the process's name for a `sim/process` wake-up. */
    readonly component: string,
    /** The simulated time of the event whose handler threw. */
    readonly time: Nanos,
    override readonly cause: unknown,
    message = `${component} at ${formatDuration(time)}: ${cause instanceof Error ? cause.message : String(cause)}`,
  ) {
    super(message, { cause })
  }
}

/** The innermost error a SimulationError wraps (itself when it wraps nothing: a process that misused the kernel). */
export const rootCause = (e: unknown): unknown => (e instanceof SimulationError && e.cause !== undefined ? rootCause(e.cause) : e)
