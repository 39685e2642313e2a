import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { KUBESIM_EPOCH, nanosOfTimestamp, timestampAt } from "./timestamp"

/** The reference: JavaScript's proleptic Gregorian UTC calendar, whole seconds (metav1.Time's RFC 3339 text). */
const reference = (t: number): string => new Date(Date.parse(KUBESIM_EPOCH) + Math.floor(t / 1e9) * 1000).toISOString().replace(".000Z", "Z")

describe("timestamps", () => {
  test("simulated time 0 and 5 s are the epoch and five seconds after it", () => {
    expect(timestampAt(0)).toBe("2024-01-01T00:00:00Z")
    expect(timestampAt(5_999_999_999)).toBe("2024-01-01T00:00:05Z")
    expect(timestampAt(86_400e9 * 60)).toBe("2024-03-01T00:00:00Z")
  })

  test("any sequence of times, forward, backward or repeated (the last second is memoised), formats as the calendar does and parses back to its second", () => {
    const nanos = fc.oneof(fc.integer({ min: -1e17, max: 1e17 }), fc.integer({ min: 0, max: 5e9 }))
    fc.assert(
      fc.property(fc.array(nanos, { minLength: 1, maxLength: 30 }), (ts) => {
        for (const t of ts) {
          const text = timestampAt(t)
          expect(text).toBe(reference(t))
          expect(nanosOfTimestamp(text)).toBe(Math.floor(t / 1e9) * 1e9)
        }
      }),
      { numRuns: runs(300) },
    )
  })
})
