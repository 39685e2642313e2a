import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { EventQueue } from "./event-queue"
import { NaiveEventQueue, type PoppedEvent } from "./testing/naive-event-queue"

type Op =
  | { readonly op: "push"; readonly time: number; readonly kind: number; readonly key: number }
  | { readonly op: "cancel"; readonly which: number }
  | { readonly op: "pop"; readonly limit: number }
  | { readonly op: "peek" }

// Few distinct times, so ties (FIFO by sequence) are the common case.
const time = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 2 ** 53 - 1 }))
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("push" as const), time, kind: fc.nat(5), key: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("cancel" as const), which: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("pop" as const), limit: fc.oneof(fc.constant(Infinity), time) }) },
  { weight: 1, arbitrary: fc.constant({ op: "peek" as const }) },
)

/** Pops from the real queue in the oracle's shape. */
const popReal = (q: EventQueue, limit: number): PoppedEvent | undefined => {
  const slot = q.popUntil(limit)
  if (slot < 0) return undefined
  const time = q.poppedTime
  const kind = q.kindOf(slot)
  const key = q.keyOf(slot)
  return { time, kind, key, payload: q.takePayload(slot) }
}

describe("EventQueue against the sorted-array oracle", () => {
  it("agrees on every pop, peek, cancel and pending count", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const real = new EventQueue()
        const naive = new NaiveEventQueue()
        // ids[i] = [real id, naive id] of the i-th push: cancels pick any of them, live, run or cancelled.
        const ids: Array<readonly [number, number]> = []
        let n = 0
        for (const o of ops) {
          switch (o.op) {
            case "push": {
              const payload = { n: n++ }
              ids.push([real.push(o.time, o.kind, payload, o.key), naive.push(o.time, o.kind, payload, o.key)])
              break
            }
            case "cancel": {
              if (ids.length === 0) break
              const [r, m] = ids[o.which % ids.length] as readonly [number, number]
              expect(real.cancel(r)).toBe(naive.cancel(m))
              break
            }
            case "pop":
              expect(popReal(real, o.limit)).toEqual(naive.popUntil(o.limit))
              break
            case "peek":
              expect(real.peekTime()).toBe(naive.peekTime())
              break
          }
          expect(real.pending).toBe(naive.pending)
        }
        // Drain: the rest comes out in the same order.
        for (;;) {
          const a = popReal(real, Infinity)
          expect(a).toEqual(naive.popUntil(Infinity))
          if (a === undefined) break
        }
      }),
      { numRuns: runs(300) },
    )
  })

  it("never lets a stale id cancel the event that reused its slot", () => {
    const q = new EventQueue()
    const a = q.push(5, 0, "a", 0)
    expect(popReal(q, Infinity)?.payload).toBe("a")
    const b = q.push(6, 0, "b", 0)
    expect(q.cancel(a)).toBe(false)
    expect(q.pending).toBe(1)
    expect(q.cancel(b)).toBe(true)
    expect(q.cancel(b)).toBe(false)
    expect(q.cancel(-1)).toBe(false)
    expect(q.cancel(123456789)).toBe(false)
    expect(popReal(q, Infinity)).toBeUndefined()
  })

  it("grows past its initial capacity and keeps order", () => {
    const q = new EventQueue()
    const n = 5000
    for (let i = 0; i < n; i++) q.push((i * 7919) % 1000, 0, i, i)
    let prev = -1
    let prevPayload = -1
    for (let i = 0; i < n; i++) {
      const e = popReal(q, Infinity)
      if (e === undefined) throw new Error("queue ran dry")
      if (e.time === prev) expect(e.payload as number).toBeGreaterThan(prevPayload)
      else expect(e.time).toBeGreaterThan(prev)
      prev = e.time
      prevPayload = e.payload as number
    }
    expect(q.pending).toBe(0)
  })
})
