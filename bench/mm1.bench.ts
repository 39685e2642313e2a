import { mm1Callbacks, mm1Processes } from "../packages/core/src/sim/examples/mm1"
import type { Benchmark } from "./registry"

// M/M/1 with λ = 0.9, μ = 1.0 and 1,000,000 customers; two model events (arrival, departure) per customer.
const CUSTOMERS = 1_000_000

export const benchmarks: Benchmark[] = [
  {
    name: "mm1-callbacks",
    about: "M/M/1 λ=0.9 μ=1, 1M customers, event callbacks",
    warmUp: () => void mm1Callbacks({ customers: 100_000, seed: 2 }),
    run: () => {
      const r = mm1Callbacks({ customers: CUSTOMERS, seed: 1 })
      return { events: r.events, figures: { meanWait: r.meanWait, kernelEvents: r.kernelEvents, traceHash: r.traceHash } }
    },
  },
  {
    name: "mm1-processes",
    about: "M/M/1 λ=0.9 μ=1, 1M customers, generator processes (source + server)",
    warmUp: () => void mm1Processes({ customers: 100_000, seed: 2 }),
    run: () => {
      const r = mm1Processes({ customers: CUSTOMERS, seed: 1 })
      return { events: r.events, figures: { meanWait: r.meanWait, kernelEvents: r.kernelEvents, traceHash: r.traceHash } }
    },
  },
]
