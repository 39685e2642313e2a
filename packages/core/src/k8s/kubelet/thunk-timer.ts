import type { EventId, EventKind, Nanos, Simulation } from "../../sim/index"

const kinds = new WeakMap<Simulation, EventKind<() => void>>()

/**
 * One event kind per simulation for the kubelet's (rare) lifecycle steps: the payload is the step itself.
 * Pod lifecycle events are few next to packets, so a closure per step is affordable here.
 */
export const later = (sim: Simulation, delay: Nanos, step: () => void): EventId => {
  let k = kinds.get(sim)
  if (k === undefined) {
    k = sim.defineKind<() => void>("kubelet/step", (f) => f())
    kinds.set(sim, k)
  }
  return sim.after(delay, k, step)
}
