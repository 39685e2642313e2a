import { type HttpServerConfig, type ServiceTime, ServiceTimeError, parseServiceTime } from "../../apps/index"

/**
 * Pod annotations that tune kubesim's built-in HTTP app (the `nginx*` image) in that pod; set them on a
 * Deployment's pod template. Unset, the app behaves as before (a constant 100 µs, no request limit, the official
 * image's worker_connections 1024 × 1 worker process, listen backlog 511).
 */
export const APP_ANNOTATIONS = {
  /** `constant(2ms)`, `exponential(mean=2ms)`, `lognormal(median=2ms, sigma=0.5)`, `lognormal(mu=-6.2, sigma=0.5)`. */
  serviceTime: "kubesim.dev/service-time",
  /** Requests in service at once (a worker pool); beyond it they wait FIFO. */
  concurrency: "kubesim.dev/concurrency",
  /** nginx `worker_processes` (each with `worker_connections`). */
  workerProcesses: "kubesim.dev/worker-processes",
  /** nginx `worker_connections` per worker process. */
  workerConnections: "kubesim.dev/worker-connections",
  /** nginx `listen … backlog=` (capped by somaxconn 4096). */
  listenBacklog: "kubesim.dev/listen-backlog",
} as const

export type AppTuning = Pick<HttpServerConfig, "serviceTime" | "maxConcurrentRequests" | "workerProcesses" | "workerConnections" | "listenBacklog">

/** An annotation of APP_ANNOTATIONS with a value that cannot be used; the message names it and what was expected. */
export class AppAnnotationError extends Error {
  override readonly name = "AppAnnotationError"
}

const whole = (annotations: Readonly<Record<string, string>>, key: string, min: number): number | undefined => {
  const v = annotations[key]
  if (v === undefined) return undefined
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN
  if (!Number.isSafeInteger(n) || n < min) throw new AppAnnotationError(`annotation ${key}: expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`)
  return n
}

/** The HTTP app settings a pod's annotations ask for (only those set). Throws AppAnnotationError. */
export const appTuningOf = (annotations: Readonly<Record<string, string>> | undefined): AppTuning => {
  const a = annotations ?? {}
  let serviceTime: ServiceTime | undefined
  const text = a[APP_ANNOTATIONS.serviceTime]
  if (text !== undefined) {
    try {
      serviceTime = parseServiceTime(text, `annotation ${APP_ANNOTATIONS.serviceTime}`)
    } catch (e) {
      if (e instanceof ServiceTimeError) throw new AppAnnotationError(e.message)
      throw e
    }
  }
  const concurrency = whole(a, APP_ANNOTATIONS.concurrency, 1)
  const procs = whole(a, APP_ANNOTATIONS.workerProcesses, 1)
  const conns = whole(a, APP_ANNOTATIONS.workerConnections, 1)
  const backlog = whole(a, APP_ANNOTATIONS.listenBacklog, 0)
  return {
    ...(serviceTime !== undefined ? { serviceTime } : {}),
    ...(concurrency !== undefined ? { maxConcurrentRequests: concurrency } : {}),
    ...(procs !== undefined ? { workerProcesses: procs } : {}),
    ...(conns !== undefined ? { workerConnections: conns } : {}),
    ...(backlog !== undefined ? { listenBacklog: backlog } : {}),
  }
}
