import { NANOS_PER_MILLI, NANOS_PER_SECOND, type Nanos } from "../../sim/index"

/** A delay drawn uniformly from [min, max] on the kubelet's own random stream. */
export interface DelayRange {
  readonly min: Nanos
  readonly max: Nanos
}

/**
 * How long the kubelet's steps take on a node (a cost model: a real node's numbers vary with the runtime, the
 * registry and the machine). Defaults are of the order a kind node shows for small images.
 */
export interface KubeletTimings {
  /** RunPodSandbox: pause container, network namespace, CNI ADD. */
  readonly sandbox: DelayRange
  /** Pulling an image the node does not have yet. */
  readonly imagePull: DelayRange
  /** Pulling an image already present (imagePullPolicy Always: a manifest check) — IfNotPresent skips it. */
  readonly imagePullCached: DelayRange
  /** CreateContainer + StartContainer. */
  readonly containerStart: DelayRange
  /** Tearing down the sandbox after the containers stopped (CNI DEL), before the pod object goes. */
  readonly sandboxTeardown: DelayRange
}

const ms = (n: number): Nanos => n * NANOS_PER_MILLI

export const DEFAULT_KUBELET_TIMINGS: KubeletTimings = {
  sandbox: { min: ms(200), max: ms(600) },
  imagePull: { min: 1 * NANOS_PER_SECOND, max: 4 * NANOS_PER_SECOND },
  imagePullCached: { min: ms(20), max: ms(80) },
  containerStart: { min: ms(100), max: ms(400) },
  sandboxTeardown: { min: ms(50), max: ms(150) },
}

/** pkg/kubelet/kubelet.go: the crash-loop back-off starts at 10 s (backOffPeriod) and doubles up to 5 min (MaxContainerBackOff). */
export const CRASH_BACKOFF_INITIAL: Nanos = 10 * NANOS_PER_SECOND
export const CRASH_BACKOFF_MAX: Nanos = 300 * NANOS_PER_SECOND

/** Checks a timings object, naming the field that is wrong. */
export const checkTimings = (t: KubeletTimings): KubeletTimings => {
  for (const [k, r] of Object.entries(t) as Array<[string, DelayRange]>) {
    if (!Number.isSafeInteger(r?.min) || !Number.isSafeInteger(r?.max) || r.min < 0 || r.max < r.min) {
      throw new RangeError(`kubelet timings.${k}: expected whole nanoseconds 0 ≤ min ≤ max, got ${JSON.stringify(r)}`)
    }
  }
  return t
}
