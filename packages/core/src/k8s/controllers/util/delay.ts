import type { Nanos, Rng } from "../../../sim/index"

/**
 * How long a controller takes to act on a queued key: uniform in [min, max] ns, drawn from the controller's own
 * random stream (so each controller's timing is reproducible and independent of the others' draws).
 */
export interface ControllerDelay {
  readonly min: Nanos
  readonly max: Nanos
}

export const fixedDelay = (d: Nanos): ControllerDelay => ({ min: d, max: d })

export const uniformDelay = (min: Nanos, max: Nanos): ControllerDelay => {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
    throw new RangeError(`controller delay [${min}, ${max}] ns: expected whole nanoseconds with 0 <= min <= max`)
  }
  return { min, max }
}

/** One draw; a fixed delay draws nothing (so changing jitter from 0 never shifts a stream needlessly). */
export const drawDelay = (rng: Rng, d: ControllerDelay): Nanos => (d.max <= d.min ? d.min : d.min + Math.floor(rng.next() * (d.max - d.min + 1)))
