import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../test-support/runs"
import { DurationParseError, formatDuration, parseDuration } from "./duration"
import { HORIZON } from "./time"

const S = 1_000_000_000
const M = 60 * S
const H = 60 * M

describe("parseDuration", () => {
  // Cases from Go's src/time/time_test.go (parseDurationTests), minus the negative ones.
  const ok: ReadonlyArray<readonly [string, number]> = [
    ["0", 0],
    ["5s", 5 * S],
    ["30s", 30 * S],
    ["1478s", 1478 * S],
    ["+5s", 5 * S],
    ["5.0s", 5 * S],
    ["5.6s", 5.6 * S],
    ["5.s", 5 * S],
    [".5s", 0.5 * S],
    ["1.0s", S],
    ["1.00s", S],
    ["1.004s", 1.004 * S],
    ["1.0040s", 1.004 * S],
    ["100.00100s", 100.001 * S],
    ["10ns", 10],
    ["11us", 11_000],
    ["12µs", 12_000],
    ["12μs", 12_000],
    ["13ms", 13_000_000],
    ["14s", 14 * S],
    ["15m", 15 * M],
    ["16h", 16 * H],
    ["3h30m", 3 * H + 30 * M],
    ["10.5s4m", 4 * M + 10.5 * S],
    ["1h2m3s4ms5us6ns", H + 2 * M + 3 * S + 4_000_000 + 5_000 + 6],
    ["39h9m14.425s", 39 * H + 9 * M + 14.425 * S],
    ["52763797000ns", 52763797000],
    ["0.3333333333333333333h", 20 * M],
    ["0.100000000000000000000h", 6 * M],
    // The brief's examples.
    ["1s", S],
    ["250ms", 250_000_000],
    ["1.5m", 90 * S],
    ["3h", 3 * H],
    ["10800s", 3 * H],
    ["2h45m", 2 * H + 45 * M],
    ["1h2m3.5s", H + 2 * M + 3.5 * S],
    ["1.5ns", 1], // Go truncates the fraction of a nanosecond
    ["9007199254740991ns", HORIZON],
  ]
  it.each(ok)("%s", (text, want) => {
    expect(parseDuration(text)).toBe(want)
  })

  const bad: ReadonlyArray<readonly [string, RegExp]> = [
    ["", /empty string/],
    ["3", /missing unit after "3"/],
    ["-", /negative/],
    ["-1s", /negative/],
    ["-0", /negative/],
    ["+", /nothing after the sign/],
    ["s", /expected a number at offset 0/],
    [".", /expected a number/],
    [".s", /expected a number/],
    ["+.s", /expected a number/],
    ["1d", /unknown unit "d"/],
    ["1sec", /unknown unit "sec"/],
    ["1 s", /unknown unit " s"/],
    ["1s ", /unknown unit "s "/],
    ["1h-2m", /unknown unit "h-"/],
    ["00", /missing unit/],
    ["1.2.3s", /missing unit after "1.2"/],
    ["9007199254740992ns", /horizon/],
    ["105d", /unknown unit "d"/],
    ["2600h", /horizon/],
    ["9223372036854775810ns", /too large/],
  ]
  it.each(bad)("rejects %j", (text, why) => {
    const err = (() => {
      try {
        parseDuration(text)
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(err).toBeInstanceOf(DurationParseError)
    const e = err as DurationParseError
    expect(e.message).toContain(JSON.stringify(text))
    expect(e.message).toMatch(why)
    expect(e.input).toBe(text)
  })

  it("accepts exactly the strings of Go's grammar (a regular expression as oracle)", () => {
    const grammar = /^\+?(?:0|(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/u
    const alphabet = fc.constantFrom(..."0123456789.+-smhnuµμd ".split(""))
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }).map((cs) => cs.join("")), (text) => {
        let value: number | undefined
        let error: unknown
        try {
          value = parseDuration(text)
        } catch (e) {
          error = e
        }
        if (grammar.test(text)) {
          // Valid syntax: only the horizon can reject it.
          if (error !== undefined) expect((error as Error).message).toMatch(/horizon|too large/)
          else expect(Number.isSafeInteger(value)).toBe(true)
        } else {
          expect(error).toBeInstanceOf(DurationParseError)
          expect((error as Error).message).toContain(JSON.stringify(text))
        }
      }),
      { numRuns: runs(2000) },
    )
  })
})

describe("formatDuration", () => {
  // Cases from Go's src/time/time_test.go (durationTests).
  const cases: ReadonlyArray<readonly [string, number]> = [
    ["0s", 0],
    ["1ns", 1],
    ["1.1µs", 1100],
    ["2.2ms", 2_200_000],
    ["3.3s", 3.3 * S],
    ["4m5s", 4 * M + 5 * S],
    ["4m5.001s", 4 * M + 5001 * 1_000_000],
    ["5h6m7.001s", 5 * H + 6 * M + 7001 * 1_000_000],
    ["8m0.000000001s", 8 * M + 1],
    ["2h45m0s", 2 * H + 45 * M],
    ["250ms", 250_000_000],
    ["1.5s", 1.5 * S],
    ["2500h59m59.999999999s", 2500 * H + 59 * M + 59 * S + 999_999_999],
  ]
  it.each(cases)("%s", (want, d) => {
    expect(formatDuration(d)).toBe(want)
  })

  it("rejects what is not Nanos", () => {
    expect(() => formatDuration(-1)).toThrow(/non-negative/)
    expect(() => formatDuration(1.5)).toThrow(/whole/)
  })

  it("parse(format(d)) === d for every Nanos", () => {
    const nanos = fc.oneof(
      fc.integer({ min: 0, max: HORIZON }),
      fc.integer({ min: 0, max: 10 * S }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 100_000 }).map((k) => k * 1_000_000),
    )
    fc.assert(
      fc.property(nanos, (d) => {
        expect(parseDuration(formatDuration(d))).toBe(d)
      }),
      { numRuns: runs(5000) },
    )
  })
})
