import { EventQueue } from "../packages/core/src/sim/event-queue"
import { makeRng } from "../packages/core/src/sim/rng"
import { BinaryHeapQueue } from "./queues/binary-heap-queue"
import { BottomUpQuaternaryQueue } from "./queues/bottom-up-quaternary-queue"
import { IndirectQuaternaryQueue } from "./queues/indirect-quaternary-queue"
import type { Benchmark, BenchmarkOutcome } from "./registry"

/**
 * The hold model (Jones 1986; ns-3's and SimPy's scheduler benchmarks use it): keep PENDING events queued;
 * each operation pops the earliest and pushes one at its time plus an exponential increment (mean 1 s).
 * One hold = one pop + one push. Increments are drawn beforehand so the queue alone is measured.
 */
const PENDING = 100_000
const HOLDS = 10_000_000

interface PendingSet {
  push(time: number, kind: number, payload: unknown, key: number): number
  popUntil(limit: number): number
  takePayload(slot: number): unknown
  readonly poppedTime: number
}

const increments = (() => {
  let cache: Float64Array | null = null
  return (): Float64Array => {
    if (cache === null) {
      const rng = makeRng(1, "bench/hold")
      cache = new Float64Array(1 << 20)
      for (let i = 0; i < cache.length; i++) cache[i] = Math.round(rng.exponential(1) * 1e9)
    }
    return cache
  }
})()

const hold = (q: PendingSet, holds: number): BenchmarkOutcome => {
  const inc = increments()
  const mask = inc.length - 1
  for (let i = 0; i < PENDING; i++) q.push(inc[i & mask] as number, 0, null, 0)
  let j = PENDING
  const t0 = performance.now()
  for (let i = 0; i < holds; i++) {
    const slot = q.popUntil(Infinity)
    q.takePayload(slot)
    q.push(q.poppedTime + (inc[j++ & mask] as number), 0, null, 0)
  }
  const seconds = (performance.now() - t0) / 1000
  return { events: holds, seconds, figures: { pending: PENDING } }
}

const holdBenchmark = (name: string, about: string, make: () => PendingSet): Benchmark => ({
  name,
  about,
  warmUp: () => void hold(make(), 1_000_000),
  run: () => hold(make(), HOLDS),
})

export const benchmarks: Benchmark[] = [
  holdBenchmark("hold-4ary", "hold model, 100k pending, 10M holds: EventQueue (4-ary heap, keys in heap order)", () => new EventQueue()),
  holdBenchmark("hold-binary", "hold model, 100k pending, 10M holds: binary heap, keys in heap order", () => new BinaryHeapQueue()),
  holdBenchmark("hold-4ary-bottom-up", "hold model, 100k pending, 10M holds: 4-ary heap, keys in heap order, bottom-up sift-down", () => new BottomUpQuaternaryQueue()),
  holdBenchmark("hold-4ary-indirect", "hold model, 100k pending, 10M holds: first kernel's 4-ary heap of slots", () => new IndirectQuaternaryQueue()),
]
